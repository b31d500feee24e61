namespace Kdump.Config.Sysconfig;

/// <summary>/proc/cpuinfo facts used by the capture command line.</summary>
public static class CpuInfo
{
    /// <summary>
    /// kdump-lib.sh <c>get_bootcpu_apicid</c>: the last field of the first <c>apicid</c> line while
    /// the current <c>processor : N</c> is 0; null when absent (non-x86).
    /// </summary>
    public static string? BootCpuApicId(string cpuinfo)
    {
        ArgumentNullException.ThrowIfNull(cpuinfo);
        var cpu = "-1";
        foreach (var line in TextLines.Split(cpuinfo))
        {
            var f = Shell.ShellChars.SplitWords(line);
            if (f.Length >= 2 && f[0] == "processor" && f[1] == ":") cpu = f[^1];
            if (cpu == "0" && line.StartsWith("apicid", StringComparison.Ordinal) && f.Length > 0) return f[^1];
        }
        return null;
    }
}
