using System.Text;
using Kdump.Initramfs.Cpio;

namespace Kdump.Initramfs.Record;

/// <summary>
/// What an image says about how it was built, in dracut's files so that kdumpctl reads an image
/// from upstream's mkdumprd and from ours alike:
/// <c>usr/lib/dracut/build-parameter.txt</c> (dracut's stored arguments, one line, each option
/// value in single quotes, e.g. <c>--mount '/dev/disk/by-uuid/… /kdumproot/var xfs rw'</c>) and
/// <c>usr/lib/dracut/hostonly-kernel-modules.txt</c> (module names, sorted, one a line).
/// </summary>
/// <param name="BuildParameters">The stored arguments ("" when the image has none).</param>
/// <param name="HostonlyModules">The module names ("" lines dropped; empty when the image has none).</param>
/// <param name="KdumpConf">
/// The image's <c>etc/kdump.conf</c> ("" when it has none): what the capture side will do, as
/// mkdumprd wrote it (with fence_kdump nodes taken from the cluster, for one).
/// </param>
/// <param name="PacemakerNodes">The image's <see cref="CaptureImage.PacemakerNodesPath"/> (null when it has none): mkdumprd read the cluster's fence_kdump nodes.</param>
public sealed record BuildRecord(string BuildParameters, IReadOnlyList<string> HostonlyModules, string KdumpConf = "", string? PacemakerNodes = null)
{
    public const string BuildParametersPath = "usr/lib/dracut/build-parameter.txt";
    public const string HostonlyModulesPath = "usr/lib/dracut/hostonly-kernel-modules.txt";
    public const string KdumpConfPath = "etc/kdump.conf";
    public static readonly string PacemakerNodesPath = CaptureImage.PacemakerNodesPath.TrimStart('/');

    /// <summary>
    /// dracut's <c>PARMS_TO_STORE</c>: each option, then its value (if any) as <c> '&lt;value&gt;'</c>,
    /// joined by single spaces; <c>echo</c> adds the newline.
    /// </summary>
    public static string FormatParameters(IEnumerable<(string Option, string? Value)> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var sb = new StringBuilder();
        foreach (var (option, value) in arguments)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(option);
            if (value is not null) sb.Append(" '").Append(value).Append('\'');
        }
        return sb.Append('\n').ToString();
    }

    /// <summary><c>dracut-install --modalias</c>'s output: each name once, sorted bytewise, one a line.</summary>
    public static string FormatModules(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return string.Concat(names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(n => n + "\n"));
    }

    /// <summary>The names of a hostonly-kernel-modules.txt (<c>tr '\n' ' '</c>, then words).</summary>
    public static IReadOnlyList<string> ParseModules(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(['\n', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// <c>lsinitrd IMAGE -f …</c> for the four files. A malformed image throws the reader's
    /// <see cref="Primitives.Errors.KdumpException"/>; missing files read as empty.
    /// </summary>
    public static BuildRecord Read(string imagePath, CpioReadLimits? limits = null)
    {
        var contents = InitramfsImageReader.ReadFiles(imagePath, [BuildParametersPath, HostonlyModulesPath, KdumpConfPath, PacemakerNodesPath], limits);
        return FromFiles(contents.Files);
    }

    public static BuildRecord FromFiles(IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        string Text(string p) => files.TryGetValue(p, out var b) ? Encoding.UTF8.GetString(b) : "";
        // $(lsinitrd …) drops trailing newlines.
        return new BuildRecord(Text(BuildParametersPath).TrimEnd('\n'), ParseModules(Text(HostonlyModulesPath)), Text(KdumpConfPath),
            files.TryGetValue(PacemakerNodesPath, out var nodes) ? Encoding.UTF8.GetString(nodes) : null);
    }
}
