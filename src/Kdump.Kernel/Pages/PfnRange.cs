namespace Kdump.Kernel.Pages;

/// <summary>Page frames <c>[Start, End)</c>.</summary>
public readonly record struct PfnRange(ulong Start, ulong End)
{
    public ulong Count => End > Start ? End - Start : 0;

    public bool Contains(ulong pfn) => pfn >= Start && pfn < End;

    public override string ToString() => $"[0x{Start:x}, 0x{End:x})";

    /// <summary>The ranges sorted by start, overlapping and touching ones merged.</summary>
    public static PfnRange[] SortAndMerge(IEnumerable<PfnRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var merged = new List<PfnRange>();
        foreach (var r in ranges.OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && r.Start <= merged[^1].End)
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, r.End) };
            else
                merged.Add(r);
        }
        return [.. merged];
    }
}
