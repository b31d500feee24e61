using System.Text.RegularExpressions;
using Kdump.Config.Shell;

namespace Kdump.Config.Conf;

/// <summary>The <c>dracut_args</c> value: split argv plus the two ways upstream reads <c>--mount</c>.</summary>
public static partial class DracutArguments
{
    /// <summary>argv as mkdumprd passes it to dracut (<c>xargs -n 1</c> semantics).</summary>
    public static IReadOnlyList<string> Split(string value) => XargsSplitter.Split(value, "dracut_args");

    /// <summary>Number of <c>--mount</c> substrings (<c>grep -o -- --mount | wc -l</c>).</summary>
    public static int CountMountOptions(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = 0;
        for (var i = value.IndexOf("--mount", StringComparison.Ordinal); i >= 0;
             i = value.IndexOf("--mount", i + "--mount".Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    /// <summary>
    /// <c>get_dracut_args_target</c> / <c>get_dracut_args_fstype</c> exactly as kdump-lib-initramfs.sh
    /// computes them from the raw value: the text after the last <c>"--mount "</c> minus one
    /// character (the opening quote), cut at single spaces; field 1 is the device, field 3 the
    /// fstype. Returns (<c>""</c>, <c>""</c>) when there is no such text. Like <c>cut</c>, a text with
    /// no space yields itself for every field.
    /// </summary>
    public static (string Target, string FsType) UpstreamMountFields(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var m = UpstreamMountRegex().Match(value);
        if (!m.Success) return ("", "");
        var rest = m.Groups[1].Value;
        if (!rest.Contains(' ', StringComparison.Ordinal)) return (rest, rest);
        var fields = rest.Split(' ');
        return (fields[0], fields.Length > 2 ? fields[2] : "");
    }

    // sed -n "s/.*--mount .\(.*\)/\1/p": greedy prefix, one skipped character; '.' does not match '\n'.
    [GeneratedRegex(@"^.*--mount .(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex UpstreamMountRegex();

    /// <summary>
    /// The structured <c>--mount</c> argument (for building the capture initramfs), or null: dracut's
    /// <c>&lt;device&gt; &lt;mountpoint&gt; &lt;type&gt; [&lt;options&gt; [&lt;dump&gt; [&lt;pass&gt;]]]</c>, the
    /// options being the fourth word only (dracut's <c>line_parts[3]</c>).
    /// </summary>
    public static DracutMount? ParseMount(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        for (var i = 0; i < argv.Count; i++)
        {
            string? spec = null;
            if (argv[i] == "--mount" && i + 1 < argv.Count) spec = argv[i + 1];
            else if (argv[i].StartsWith("--mount=", StringComparison.Ordinal)) spec = argv[i]["--mount=".Length..];
            if (spec is null) continue;
            var f = ShellChars.SplitWords(spec);
            return new DracutMount(
                f.Length > 0 ? f[0] : "",
                f.Length > 1 ? f[1] : "",
                f.Length > 2 ? f[2] : "",
                f.Length > 3 ? f[3] : "");
        }
        return null;
    }

    /// <summary>
    /// kdumpctl <c>_get_dracut_arg</c>: values of one option among otherwise unknown arguments, as
    /// <c>getopt -q -o X: --long name:</c> finds them (unknown options skipped, long-name prefixes
    /// accepted, <c>--</c> ends the scan).
    /// </summary>
    public static IReadOnlyList<string> GetOptionValues(IReadOnlyList<string> argv, char? shortName, string? longName)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var values = new List<string>();
        for (var i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--") break;
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (longName is null) continue;
                var eq = a.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? a[2..] : a[2..eq];
                if (name.Length == 0 || !longName.StartsWith(name, StringComparison.Ordinal)) continue;
                if (eq >= 0) values.Add(a[(eq + 1)..]);
                else if (i + 1 < argv.Count) values.Add(argv[++i]);
                continue;
            }
            if (a.Length < 2 || a[0] != '-' || shortName is not { } s) continue;
            for (var j = 1; j < a.Length; j++)
            {
                if (a[j] != s) continue;
                if (j + 1 < a.Length) values.Add(a[(j + 1)..]);
                else if (i + 1 < argv.Count) values.Add(argv[++i]);
                break;
            }
        }
        return values;
    }

    /// <summary>kdumpctl <c>is_dracut_mod_omitted</c>: the module appears in a <c>-o/--omit</c> value.</summary>
    public static bool IsModuleOmitted(IReadOnlyList<string> argv, string module)
    {
        var omitted = GetOptionValues(argv, 'o', "omit").SelectMany(ShellChars.SplitWords);
        return omitted.Contains(module, StringComparer.Ordinal);
    }

    /// <summary><c>have_compression_in_dracut_args</c> and friends need the argv; nfs mounts add a driver (mkdumprd).</summary>
    public static bool MountIsNfs(DracutMount mount) =>
        mount.FsType.StartsWith("nfs", StringComparison.Ordinal);
}
