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
/// 1.6.0; <c>find_vmemmap_pages</c>). A run's <c>LastPfn</c> is the first pfn of its last huge page
/// and <c>LastBackingPfn</c> that huge page's first backing pfn, as upstream records them: the
/// struct pages of a run's last 2 MiB are never left out, and scripts comparing stored pfn sets
/// with makedumpfile's depend on the same answer.
/// </summary>
public sealed class VmemmapBacking(IReadOnlyList<VmemmapRun> runs, int structPageSize, int pageSize)
{
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
        var structs = (ulong)StructPageSize;
        var page = (ulong)PageSize;
        foreach (var run in Runs)
        {
            if (firstPfn < run.FirstPfn || lastPfn > run.LastPfn) continue;
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
        return false;
    }
}
