using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Pages;

/// <summary>
/// Classifies pages from the dumped kernel's <c>struct page</c> array exactly as makedumpfile
/// 1.7.8 does (<c>__exclude_unnecessary_pages</c>): sections in pfn order, pfns outside the dump's
/// PT_LOADs not examined, struct pages read in 512-page batches, a multi-page exclusion (free
/// buddy block, compound page) marking all its pages and skipping over them within its section.
/// Memory is one batch buffer whatever the dump size. Windows are cheapest in increasing order;
/// a window that does not continue the previous one rescans from pfn 0.
/// </summary>
public sealed class MemMapPageFilter : IPageFilter
{
    /// <summary>makedumpfile's PGMM_CACHED: struct pages read per batch, aligned on pfn.</summary>
    private const int BatchPages = 512;

    private readonly KernelView _kernel;
    private readonly StructPageLayout _layout;
    private readonly PageClassifier _classifier;
    private readonly CompoundPageDecoder _compound;
    private readonly IReadOnlyList<MemMapSection> _sections;
    private readonly DumpPfnMap _pfns;
    private readonly Action<string>? _warning;
    private readonly byte[] _batch;
    private readonly DataLayout _dataLayout;

    // Batch cache: struct pages of pfns [_batchStart, _batchEnd) sit at slot pfn % 512.
    private ulong _batchStart;
    private ulong _batchEnd;

    // Scan state carried between windows.
    private int _sectionIndex;
    private ulong _evalPfn;
    // Blocks found in earlier windows that reach past them, oldest first, ends strictly decreasing:
    // replayed in that order, a later block overwrites an earlier one as in a single pass, so the
    // categories do not depend on the windows. At most one per section.
    private readonly List<(ulong End, PageCategory Category)> _pending = [];
    private ulong _nextWindow;

    // Free pages from the zones' free lists, when struct page cannot tell them (exclude_free_page).
    private readonly FreeLists? _freeLists;

    private MemMapPageFilter(KernelView kernel, DumpPfnMap pfns, DumpLevel level, Action<string>? warning, string? dumpName, bool buddyFromRelease)
    {
        DumpName = dumpName ?? "vmcore";
        _kernel = kernel;
        _pfns = pfns;
        _warning = warning;
        _dataLayout = kernel.Memory.Layout;
        var info = kernel.VmcoreInfo;
        var version = LinuxVersion.Parse(info.OsRelease);
        _layout = StructPageLayout.FromVmcoreInfo(info, DumpName);
        var flags = PageFlagNumbers.FromVmcoreInfo(info);
        var types = PageTypeValues.FromVmcoreInfo(info, buddyFromRelease ? version : null);
        _compound = CompoundPageDecoders.Select(info, _layout, flags, types, version);
        _classifier = new PageClassifier(level, flags, types,
            info.TryGetLength("zone.free_area", out var fa) ? fa : null,
            info.TryGetNumber("HUGETLB_PAGE_DTOR", out var dtor) ? dtor : null,
            info.TryGetSymbol("free_huge_page", out var fhp) ? fhp.Value : null,
            _layout.Private is not null, _layout.Mapcount is not null);
        Level = level;
        // setup_page_is_buddy found no handler: upstream follows the zones' free lists instead.
        var freeLists = (level & DumpLevel.Free) != 0 && !_classifier.CanDetectBuddy;
        _sections = _classifier.IsActive || freeLists ? SparseMemMap.Discover(kernel, pfns.MaxMapNr, DumpName).Sections : [];
        if (freeLists) _freeLists = FreeLists.Open(kernel, _sections, (ulong)_layout.Size, pfns.MaxMapNr, DumpName);
        _batch = new byte[BatchPages * _layout.Size];
        Reset();
    }

    public DumpLevel Level { get; }

    /// <summary>The pfn map the filter examines.</summary>
    public DumpPfnMap Pfns => _pfns;

    /// <summary>Present sections and their struct-page arrays (empty when the struct-page pass does not run).</summary>
    public IReadOnlyList<MemMapSection> Sections => _sections;

    /// <summary>Which era's compound-page encoding was detected (for -D style diagnostics).</summary>
    public string CompoundEra => _compound.Era;

    /// <summary>False when makedumpfile would not examine struct pages at all for this level and kernel.</summary>
    public bool ExaminesStructPages => _classifier.IsActive;

    private string DumpName { get; }

    /// <summary>
    /// Builds the filter for <paramref name="dump"/> seen through <paramref name="kernel"/> (which must
    /// translate vmemmap addresses: open it with <see cref="TranslationStrategy.PageTables"/>).
    /// </summary>
    /// <param name="warning">Receives upstream's per-page warnings (invalid free page order).</param>
    public static MemMapPageFilter Create(KernelView kernel, IDump dump, DumpLevel level, Action<string>? warning = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(dump);
        var pageSize = kernel.VmcoreInfo.PageSize is { } ps and > 0 and <= 1 << 20 ? (int)ps : dump.Physical.PageSize;
        return Create(kernel, DumpPfnMap.FromDump(dump, pageSize), level, warning, dump.Name);
    }

    /// <summary>Builds the filter over an explicit pfn map.</summary>
    /// <param name="buddyFromRelease">
    /// Let the kernel release stand in for a missing NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) (get_value_for_old_linux
    /// with a known version). Upstream knows the version there only for --mem-usage (the running kernel's);
    /// when it makes a dump the version is read later, so a VMCOREINFO without the value means free lists.
    /// </param>
    public static MemMapPageFilter Create(KernelView kernel, DumpPfnMap pfns, DumpLevel level, Action<string>? warning = null, string? dumpName = null,
        bool buddyFromRelease = false)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(pfns);
        if ((level & ~DumpLevel.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(level), level, "dump level must be 0-31");
        return new MemMapPageFilter(kernel, pfns, level, warning, dumpName, buddyFromRelease);
    }

    public void Classify(ulong startPfn, Span<PageCategory> categories)
    {
        categories.Clear(); // PageCategory.Dumpable
        if (categories.IsEmpty || _sections.Count == 0) return;
        if (_classifier.IsActive) ClassifyStructPages(startPfn, categories);
        if (_freeLists is not null) MarkFreeLists(startPfn, categories);
    }

    /// <summary>
    /// exclude_free_page for one window: the free pages of the cycle around the window (walked once
    /// per cycle into a bitmap, as upstream walks the lists once per cycle) become free where the
    /// struct-page pass kept them.
    /// </summary>
    private void MarkFreeLists(ulong startPfn, Span<PageCategory> categories)
    {
        var end = Math.Min(startPfn + (ulong)categories.Length, _pfns.MaxMapNr);
        for (var pfn = startPfn; pfn < end;)
        {
            var cycle = pfn / FreeCyclePfns * FreeCyclePfns;
            if (cycle != _freeCycle) LoadFreeCycle(cycle);
            var stop = Math.Min(end, cycle + FreeCyclePfns);
            for (; pfn < stop; pfn++)
            {
                var bit = pfn - cycle;
                if ((_freeBits![bit >> 6] >> (int)(bit & 63) & 1) != 0 && categories[(int)(pfn - startPfn)] == PageCategory.Dumpable)
                    categories[(int)(pfn - startPfn)] = PageCategory.Free;
            }
        }
    }

    /// <summary>Upstream's largest cycle: a 4 MiB bitmap (calculate_cyclic_buffer_size's cap), 32M pfns.</summary>
    private const ulong FreeCyclePfns = 1UL << 25;

    // The free pages of cycle _freeCycle, one bit per pfn: memory bounded by the cycle, not the dump.
    private ulong[]? _freeBits;
    private ulong _freeCycle = ulong.MaxValue;

    private void LoadFreeCycle(ulong cycle)
    {
        var length = Math.Min(FreeCyclePfns, _pfns.MaxMapNr - cycle);
        if (_freeBits is null || (ulong)_freeBits.Length * 64 < length) _freeBits = new ulong[(length + 63) / 64];
        else Array.Clear(_freeBits);
        var bits = _freeBits;
        var cycleEnd = cycle + length;
        _freeLists!.Walk((pfn, count) =>
        {
            var lo = Math.Max(pfn, cycle);
            var hi = pfn > ulong.MaxValue - count ? cycleEnd : Math.Min(pfn + count, cycleEnd);
            for (var p = lo; p < hi; p++) bits[(p - cycle) >> 6] |= 1UL << (int)((p - cycle) & 63);
        });
        _freeCycle = cycle;
    }

    private void ClassifyStructPages(ulong startPfn, Span<PageCategory> categories)
    {
        var end = checked(startPfn + (ulong)categories.Length);
        if (startPfn != _nextWindow)
        {
            Reset();
            Span<PageCategory> scratch = stackalloc PageCategory[4096];
            for (ulong pfn = 0; pfn < startPfn;)
            {
                var n = (int)Math.Min((ulong)scratch.Length, startPfn - pfn);
                Run(pfn, scratch[..n]);
                pfn += (ulong)n;
            }
        }
        Run(startPfn, categories);
        _nextWindow = end;
    }

    private void Reset()
    {
        _sectionIndex = 0;
        _evalPfn = _sections.Count > 0 ? _sections[0].StartPfn : 0;
        _pending.Clear();
        _batchStart = _batchEnd = 0;
        _nextWindow = 0;
    }

    private void Run(ulong start, Span<PageCategory> window)
    {
        var end = start + (ulong)window.Length;
        window.Clear(); // PageCategory.Dumpable
        var kept = 0;
        for (var i = 0; i < _pending.Count; i++)
        {
            var (pendingEnd, category) = _pending[i];
            Mark(start, window, start, pendingEnd, category);
            if (pendingEnd > end) _pending[kept++] = _pending[i];
        }
        _pending.RemoveRange(kept, _pending.Count - kept);

        while (_sectionIndex < _sections.Count)
        {
            var section = _sections[_sectionIndex];
            if (_evalPfn >= section.EndPfn)
            {
                // Each section's loop starts at its own first pfn, even if a block from the previous one reached into it.
                _sectionIndex++;
                if (_sectionIndex < _sections.Count) _evalPfn = _sections[_sectionIndex].StartPfn;
                continue;
            }
            if (_evalPfn >= end) break;
            var stop = Math.Min(section.EndPfn, end);
            while (_evalPfn < stop)
            {
                if (!_pfns.TryGetPresentRun(_evalPfn, out var run) || run.Start >= stop)
                {
                    _evalPfn = stop;
                    break;
                }
                _evalPfn = run.Start;
                var runStop = Math.Min(run.End, stop);
                while (_evalPfn < runStop)
                    _evalPfn = Evaluate(section, _evalPfn, start, window);
            }
        }
    }

    /// <summary>Examines one pfn and returns the next pfn to examine.</summary>
    private ulong Evaluate(MemMapSection section, ulong pfn, ulong windowStart, Span<PageCategory> window)
    {
        var slot = (int)(pfn % BatchPages);
        if (pfn < _batchStart || pfn >= _batchEnd) Fill(section, pfn, slot);
        var size = _layout.Size;
        var page = new EndianReader(_batch.AsSpan(slot * size, size), _dataLayout);
        var fields = new StructPageFields(
            page.Word(_layout.Flags),
            page.Word(_layout.Mapping),
            _layout.Mapcount is { } mc ? page.U32(mc) : 0,
            _layout.Private is { } pr ? page.Word(pr) : 0,
            _layout.CompoundHead is { } ch ? page.Word(ch) : 0);

        uint order = 0;
        ulong dtor = 0;
        // A head in the batch's last slot, or the section's last pfn, has no first tail page at hand: order 0.
        if (slot < BatchPages - 1 && pfn + 1 < _batchEnd && _classifier.IsCompoundHead(fields.Flags))
        {
            var tail = new EndianReader(_batch.AsSpan((slot + 1) * size, size), _dataLayout);
            (order, dtor) = _compound.Decode(tail, fields.MapcountPattern);
            order = PageClassifier.CheckOrder(order, pfn);
        }

        var verdict = _classifier.Decide(fields, order, dtor, pfn, out var category, out var nr, out var warning);
        if (warning is not null) _warning?.Invoke(warning);
        if (verdict != PageClassifier.Verdict.Exclude) return pfn + 1;

        var blockEnd = pfn > ulong.MaxValue - nr ? ulong.MaxValue : pfn + nr;
        Mark(windowStart, window, pfn, blockEnd, category);
        var windowEnd = windowStart + (ulong)window.Length;
        var clipped = Math.Min(blockEnd, _pfns.MaxMapNr);
        if (clipped > windowEnd)
        {
            // An older block that ends no later is overwritten by this one wherever it still reaches.
            while (_pending.Count > 0 && _pending[^1].End <= clipped) _pending.RemoveAt(_pending.Count - 1);
            _pending.Add((clipped, category));
        }
        return blockEnd;
    }

    private void Mark(ulong windowStart, Span<PageCategory> window, ulong from, ulong to, PageCategory category)
    {
        var windowEnd = windowStart + (ulong)window.Length;
        var lo = Math.Max(from, windowStart);
        var hi = Math.Min(Math.Min(to, windowEnd), _pfns.MaxMapNr);
        if (hi > lo) window.Slice((int)(lo - windowStart), (int)(hi - lo)).Fill(category);
    }

    private void Fill(MemMapSection section, ulong pfn, int slot)
    {
        // As upstream: read from pfn to the end of its 512-aligned batch or of the section.
        var batchEnd = pfn - (ulong)slot + BatchPages;
        var count = batchEnd < section.EndPfn ? (ulong)(BatchPages - slot) : section.EndPfn - pfn;
        var size = (ulong)_layout.Size;
        // section_mem_map is read from the dump: a damaged one wraps and then fails to translate.
        var address = new VirtAddr(section.MemMap).Add((pfn - section.StartPfn) * size);
        _kernel.Memory.Read(address, _batch.AsSpan(slot * (int)size, (int)(count * size)));
        _batchStart = pfn;
        _batchEnd = pfn + count;
    }
}
