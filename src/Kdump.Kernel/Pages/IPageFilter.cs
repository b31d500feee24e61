namespace Kdump.Kernel.Pages;

/// <summary>
/// Classifies page frames by their <c>struct page</c> (never by content: zero pages are the
/// writer's business while it copies). Works on a window of pfns at a time so memory stays
/// bounded whatever the dump size (makedumpfile's cyclic mode).
/// </summary>
public interface IPageFilter
{
    /// <summary>
    /// Writes the category of pfns <c>[startPfn, startPfn + categories.Length)</c>. Pfns the
    /// filter knows nothing of (no struct page, outside every mem_map section) are
    /// <see cref="PageCategory.Dumpable"/>: the writer decides by the dump's own ranges.
    /// A multi-page exclusion (a free buddy block, a huge page) that starts before the window
    /// still marks its pages inside the window.
    /// </summary>
    void Classify(ulong startPfn, Span<PageCategory> categories);
}
