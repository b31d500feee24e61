using System.Text.RegularExpressions;
using Kdump.Config.Shell;

namespace Kdump.Capture;

/// <summary>What the collector writes to.</summary>
public enum CollectorTarget
{
    FileSystem,
    Raw,
    Ssh,
}

/// <summary>kdump.sh <c>get_kdump_confs</c>' core_collector handling (kdump-reference §5.6).</summary>
public static partial class CoreCollector
{
    /// <summary>kdump.sh's <c>CORE_COLLECTOR</c> default.</summary>
    public const string Default = "makedumpfile -l --message-level 7 -d 31";

    /// <summary>
    /// The collector command line for a target: with makedumpfile, every <c>-F</c> substring removed
    /// and <c> -F</c> appended for ssh and raw; <c> --num-threads=N</c> appended when more than one
    /// CPU is online and the line has neither <c>-F</c> nor <c>-E</c>.
    /// </summary>
    public static string Translate(string? configured, CollectorTarget target, int onlineCpus)
    {
        var cc = string.IsNullOrEmpty(configured) ? Default : configured;
        if (!cc.Contains("makedumpfile", StringComparison.Ordinal)) return cc;
        cc = cc.Replace("-F", "", StringComparison.Ordinal);
        if (target is CollectorTarget.Ssh or CollectorTarget.Raw) cc += " -F";
        if (onlineCpus > 1 && !cc.Contains("-F", StringComparison.Ordinal) && !cc.Contains("-E", StringComparison.Ordinal))
            cc += " --num-threads=" + onlineCpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return cc;
    }

    /// <summary>The argv of a collector line (the shell's word splitting, quotes honoured; no expansion).</summary>
    public static IReadOnlyList<string> ToArgv(string line) => ShellChars.SplitWords(line);

    public static bool IsScp(string line) => ToArgv(line) is [var first, ..] && first == "scp";

    public static bool IsMakedumpfile(string line) => line.Contains("makedumpfile", StringComparison.Ordinal);

    /// <summary>
    /// A collector the capture program runs in-process: makedumpfile named without a path, as the
    /// default and the stock kdump.conf name it (the image's /usr/sbin/makedumpfile is the same
    /// engine). A path (<c>/usr/sbin/makedumpfile</c>) or any other program runs as a process.
    /// </summary>
    public static bool IsBuiltIn(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        return argv is ["makedumpfile", ..];
    }
}
