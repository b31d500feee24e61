using Kdump.Config.Shell;

namespace Kdump.Config.Crashkernel;

/// <summary>
/// kdump-lib.sh <c>_crashkernel_parse</c> / <c>_crashkernel_add</c>: add a delta to every size of
/// a crashkernel value, keeping ranges and the <c>@offset</c>, <c>,high</c> or <c>,low</c> tail as written.
/// </summary>
public static class CrashkernelArithmetic
{
    /// <summary>
    /// <c>_crashkernel_add "2G-64G:256M,64G-:512M" "100M"</c> → <c>2G-64G:356M,64G-:612M</c>.
    /// Throws <see cref="KdumpConfigException"/> where upstream returns 1 (bad range or size).
    /// </summary>
    public static string Add(string crashkernel, string delta)
    {
        ArgumentNullException.ThrowIfNull(crashkernel);
        ArgumentNullException.ThrowIfNull(delta);
        var ck = crashkernel;
        var tail = "";
        var at = ck.LastIndexOf('@');
        if (at >= 0)
        {
            tail = ck[at..];
            ck = ck[..at];
        }
        else if (ck.EndsWith(",high", StringComparison.Ordinal) || ck.EndsWith(",low", StringComparison.Ordinal))
        {
            var comma = ck.LastIndexOf(',');
            tail = ck[comma..];
            ck = ck[..comma];
        }

        var parts = new List<string>();
        foreach (var entry in ck.Split(','))
        {
            if (entry.Length == 0) continue;
            string size;
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                // range=${entry%:*} (before the last ':'), size=${entry#*:} (after the first ':').
                var range = entry[..entry.LastIndexOf(':')];
                size = entry[(colon + 1)..];
                if (!IsMemRange(range)) throw new KdumpConfigException($"crashkernel: invalid range '{range}' in '{crashkernel}'");
                if (!MemorySize.IsUtilsSize(size)) throw new KdumpConfigException($"crashkernel: invalid size '{size}' in '{crashkernel}'");
                parts.Add(range + ":" + MemorySize.Add(size, delta));
            }
            else
            {
                size = entry;
                if (!MemorySize.IsUtilsSize(size)) throw new KdumpConfigException($"crashkernel: invalid size '{size}' in '{crashkernel}'");
                parts.Add(MemorySize.Add(size, delta));
            }
        }
        return string.Join(',', parts) + tail;
    }

    /// <summary>kdump-lib.sh <c>is_memrange</c>: <c>start-[end]</c>.</summary>
    public static bool IsMemRange(string range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var lastDash = range.LastIndexOf('-');
        var firstDash = range.IndexOf('-', StringComparison.Ordinal);
        var start = lastDash < 0 ? range : range[..lastDash];
        if (!MemorySize.IsUtilsSize(start)) return false;
        var end = firstDash < 0 ? range : range[(firstDash + 1)..];
        return end.Length == 0 || MemorySize.IsUtilsSize(end);
    }

    /// <summary>
    /// kdump-lib.sh <c>get_recommend_size &lt;mem GiB&gt; &lt;ck&gt;</c>: the size of the first
    /// <c>start[G|T]-[end[G|T]]:size</c> entry with <c>start &lt;= mem &lt; end</c>; <c>0M</c> when none.
    /// Units of start/end are G (or none) and T only, as in upstream's sed.
    /// </summary>
    public static string RecommendSize(ulong memGiB, string crashkernel)
    {
        ArgumentNullException.ThrowIfNull(crashkernel);
        foreach (var entry in crashkernel.Split(','))
        {
            if (!TryParseRecommendEntry(entry, out var start, out var end, out var size)) continue;
            if (memGiB >= start && memGiB < end) return size;
        }
        return "0M";
    }

    // s/\([0-9]\+\)\([GT]\?\)-\([0-9]*\)\([GT]\?\):\([0-9]\+[MG]\)/…/ ; missing end = 104857600 (102400T).
    private static bool TryParseRecommendEntry(string entry, out ulong start, out ulong end, out string size)
    {
        start = end = 0;
        size = "";
        var m = System.Text.RegularExpressions.Regex.Match(entry, "([0-9]+)([GT]?)-([0-9]*)([GT]?):([0-9]+[MG])",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        if (!m.Success) return false;
        if (!ulong.TryParse(m.Groups[1].ValueSpan, out start)) return false;
        if (m.Groups[3].Length == 0) end = 104857600;
        else if (!ulong.TryParse(m.Groups[3].ValueSpan, out end)) return false;
        try
        {
            if (m.Groups[4].Value == "T") end = checked(end * 1024);
            if (m.Groups[2].Value == "T") start = checked(start * 1024);
        }
        catch (OverflowException)
        {
            return false;
        }
        size = m.Groups[5].Value;
        return true;
    }

    /// <summary>kdump-lib.sh <c>find_nr_cpus</c>: the last valid positive <c>nr_cpus=N</c> word, default 1.</summary>
    public static int FindNrCpus(string? commandLineAppend)
    {
        var nr = 1;
        foreach (var arg in ShellChars.SplitWords(commandLineAppend))
        {
            if (!arg.StartsWith("nr_cpus=", StringComparison.Ordinal)) continue;
            var v = arg["nr_cpus=".Length..];
            if (v.Length > 0 && v[0] is >= '1' and <= '9' && v.All(char.IsAsciiDigit) && int.TryParse(v, out var n)) nr = n;
        }
        return nr;
    }
}
