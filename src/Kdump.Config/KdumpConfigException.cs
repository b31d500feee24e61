using Kdump.Primitives.Errors;

namespace Kdump.Config;

/// <summary>
/// A configuration file (kdump.conf, /etc/sysconfig/kdump, a boot entry) or a value
/// (crashkernel=, a command line) cannot be used. The message names the file and line when known.
/// </summary>
public sealed class KdumpConfigException(string message, Exception? inner = null) : KdumpException(message, inner)
{
    /// <summary>1-based line number in <see cref="KdumpException.FilePath"/>, if known.</summary>
    public int? Line { get; init; }

    internal static KdumpConfigException At(string? file, int? line, string reason)
    {
        var where = (file, line) switch
        {
            (null, null) => "",
            (null, { } l) => $"line {l}: ",
            ({ } f, null) => $"{f}: ",
            ({ } f, { } l) => $"{f}:{l}: ",
        };
        return new KdumpConfigException(where + reason) { FilePath = file, Line = line };
    }
}
