namespace Kdump.Kernel.Pages;

/// <summary>
/// One physically contiguous stretch of the vmemmap: backing pages <c>[FirstBackingPfn, …]</c> hold
/// the struct pages of pfns <c>FirstPfn</c> to <c>LastPfn</c>. Both "last" values are as
/// makedumpfile's <c>struct vmap_pfns</c> records them (see <see cref="VmemmapBacking"/>).
/// </summary>
public readonly record struct VmemmapRun(ulong FirstBackingPfn, ulong LastBackingPfn, ulong FirstPfn, ulong LastPfn);

/// <summary>
/// Which physical pages hold the struct pages of which pfns: what makedumpfile <c>-e</c> needs to
/// leave out the struct pages of pages it leaves out (Cliff Wickman's large-memory work, makedumpfile
/// 1.6.0; <c>find_vmemmap_pages</c>). As upstream records them, a run's <c>LastPfn</c> is the first
/// pfn of the entry after it (a hole or the next run), and for the last run, the first pfn of its
/// own last 2 MiB: the struct pages of the last walked 2 MiB are never left out. Scripts that
/// compare stored pfn sets with makedumpfile's depend on the same answer.
/// </summary>
public sealed class VmemmapBacking(IReadOnlyList<VmemmapRun> runs, int structPageSize, int pageSize)
{
    private readonly bool _ordered = IsOrdered(runs);

    public IReadOnlyList<VmemmapRun> Runs { get; } = runs;

    public int StructPageSize { get; } = structPageSize;

    public int PageSize { get; } = pageSize;

    /// <summary>
    /// The backing pages that hold nothing but struct pages of pfns <paramref name="firstPfn"/> to
    /// <paramref name="lastPfn"/> (inclusive): the first run that covers both ends decides; false when
    /// none covers them or no whole backing page lies inside.
    /// </summary>
    public bool TryFindBackingPages(ulong firstPfn, ulong lastPfn, out ulong firstBackingPfn, out ulong count)
    {
        firstBackingPfn = 0;
        count = 0;
        if (FindRun(firstPfn, lastPfn) is not { } run) return false;
        var structs = (ulong)StructPageSize;
        var page = (ulong)PageSize;
        // The first backing page starting at or after firstPfn's struct page, the last ending at or before lastPfn's.
        var startOffset = checked((firstPfn - run.FirstPfn) * structs);
        var first = run.FirstBackingPfn + (startOffset + page - 1) / page;
        var endOffset = checked((lastPfn + 1 - run.FirstPfn) * structs);
        var end = run.FirstBackingPfn + endOffset / page;
        if (end <= first) return false;
        firstBackingPfn = first;
        count = end - first;
        return true;
    }

    /// <summary>
    /// Upstream's first run that covers both ends. The walk makes runs in pfn order, each ending
    /// where the next starts or before, so that is the last run starting at or before
    /// <paramref name="firstPfn"/> (a range of 128 pfns or more cannot fit the one pfn two runs
    /// share); runs in any other order are searched one by one.
    /// </summary>
    private VmemmapRun? FindRun(ulong firstPfn, ulong lastPfn)
    {
        if (!_ordered)
        {
            foreach (var run in Runs)
            {
                if (firstPfn >= run.FirstPfn && lastPfn <= run.LastPfn) return run;
            }
            return null;
        }
        int lo = 0, hi = Runs.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (Runs[mid].FirstPfn <= firstPfn) lo = mid + 1;
            else hi = mid;
        }
        // Runs[lo - 1] is the last starting at or before firstPfn; its predecessor may share firstPfn as its last pfn.
        for (var k = Math.Max(0, lo - 2); k < lo; k++)
        {
            if (firstPfn >= Runs[k].FirstPfn && lastPfn <= Runs[k].LastPfn) return Runs[k];
        }
        return null;
    }

    private static bool IsOrdered(IReadOnlyList<VmemmapRun> runs)
    {
        for (var k = 0; k < runs.Count; k++)
        {
            if (runs[k].LastPfn < runs[k].FirstPfn) return false;
            if (k > 0 && runs[k].FirstPfn < runs[k - 1].LastPfn) return false;
        }
        return true;
    }
}
