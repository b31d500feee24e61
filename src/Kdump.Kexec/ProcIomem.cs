using System.Globalization;

namespace Kdump.Kexec;

/// <summary>/proc/iomem lines (<c>"  01000000-10ffffff : Crash kernel"</c>), as kexec-tools reads them.</summary>
public static class ProcIomem
{
    private const string CrashKernel = "Crash kernel";

    /// <summary>The "Crash kernel" ranges (inclusive ends), in file order; malformed lines are skipped like upstream's sscanf.</summary>
    public static IReadOnlyList<(ulong Start, ulong End)> CrashKernelRanges(string iomem)
    {
        ArgumentNullException.ThrowIfNull(iomem);
        var ranges = new List<(ulong, ulong)>();
        foreach (var raw in iomem.Split('\n'))
        {
            var colon = raw.IndexOf(" : ", StringComparison.Ordinal);
            if (colon < 0 || raw[(colon + 3)..] != CrashKernel) continue;
            var span = raw[..colon].Trim();
            var dash = span.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0) continue;
            if (ulong.TryParse(span[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(span[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
            {
                ranges.Add((start, end));
            }
        }
        return ranges;
    }
}
