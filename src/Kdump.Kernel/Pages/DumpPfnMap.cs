using Kdump.Formats.Elf;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Pages;

/// <summary>
/// Which page frames a dump holds, as makedumpfile sees them: <see cref="Present"/> are the pfns
/// whose struct page is examined (<c>is_in_segs</c>: inside a PT_LOAD's file-backed bytes),
/// <see cref="Loads"/> the per-PT_LOAD ranges that make the first bitmap (<c>[p_paddr, p_paddr +
/// p_memsz)</c> in whole pages), and <see cref="MemoryHolePages"/> the report's "Memory Hole".
/// </summary>
public sealed class DumpPfnMap
{
    private readonly PfnRange[] _present;

    private DumpPfnMap(ulong maxMapNr, PfnRange[] present, IReadOnlyList<PfnRange> loads, ulong memoryHolePages)
    {
        MaxMapNr = maxMapNr;
        _present = present;
        Loads = loads;
        MemoryHolePages = memoryHolePages;
    }

    /// <summary>One past the highest pfn of the dump (makedumpfile's <c>max_mapnr</c>).</summary>
    public ulong MaxMapNr { get; }

    /// <summary>Sorted, merged pfn runs whose struct page is examined.</summary>
    public IReadOnlyList<PfnRange> Present => _present;

    /// <summary>The first bitmap's ranges, one per PT_LOAD, unmerged and possibly overlapping.</summary>
    public IReadOnlyList<PfnRange> Loads { get; }

    /// <summary>
    /// <c>max_mapnr</c> minus the pages of every PT_LOAD. Overlapping PT_LOADs (the kernel-text
    /// segment of /proc/vmcore lies inside the direct map's) are subtracted twice, exactly as
    /// makedumpfile's <c>create_bitmap_from_memhole</c> counts them.
    /// </summary>
    public ulong MemoryHolePages { get; }

    /// <summary>Pages the dump holds per the report: <c>max_mapnr - Memory Hole</c> ("Original pages").</summary>
    public ulong OriginalPages => unchecked(MaxMapNr - MemoryHolePages);

    /// <summary>True when <paramref name="pfn"/> is in some PT_LOAD's page range (set in the first bitmap).</summary>
    public bool IsInMemory(ulong pfn)
    {
        foreach (var r in Loads)
        {
            if (r.Contains(pfn)) return true;
        }
        return false;
    }

    /// <summary>
    /// The first present pfn at or after <paramref name="pfn"/> and the end of its run, or false
    /// when none is left.
    /// </summary>
    public bool TryGetPresentRun(ulong pfn, out PfnRange run)
    {
        var lo = 0;
        var hi = _present.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_present[mid].End <= pfn) lo = mid + 1;
            else hi = mid;
        }
        if (lo == _present.Length)
        {
            run = default;
            return false;
        }
        var r = _present[lo];
        run = new PfnRange(Math.Max(r.Start, pfn), r.End);
        return true;
    }

    /// <summary>The map of an opened dump: PT_LOADs for ELF; the first bitmap for kdump-compressed (re-filtering).</summary>
    /// <exception cref="DumpFeatureNotSupportedException">The dump's format records no physical ranges we know.</exception>
    public static DumpPfnMap FromDump(IDump dump, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(dump);
        return dump switch
        {
            // get_max_paddr and the first bitmap skip NOT_PADDR segments (/proc/kcore's vmalloc,
            // module and vmemmap views have p_paddr -1).
            ElfDump elf => FromLoads([.. elf.Core.Loads.Where(p => p.PhysicalAddress != ElfConstants.NoPhysicalAddress)
                .Select(p => new PhysicalLoad(p.PhysicalAddress, p.FileSize, p.MemorySize))], pageSize),
            KdumpCompressedDump kdump => FromKdump(kdump),
            _ => throw new DumpFeatureNotSupportedException(
                $"'{dump.Name}': page filtering needs the physical ranges of an ELF or kdump-compressed dump, not {dump.FormatName}")
            { FilePath = dump.Name },
        };
    }

    /// <summary>From PT_LOAD-like ranges (<c>p_paddr</c>, <c>p_filesz</c>, <c>p_memsz</c>).</summary>
    public static DumpPfnMap FromLoads(IReadOnlyList<PhysicalLoad> loads, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(loads);
        if (pageSize <= 0 || !ulong.IsPow2((ulong)pageSize))
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "page size must be a power of two");
        var ps = (ulong)pageSize;
        ulong maxPaddr = 0;
        var bitmapRanges = new List<PfnRange>(loads.Count);
        var present = new List<PfnRange>(loads.Count);
        foreach (var l in loads)
        {
            // Saturate: a hostile p_memsz must not wrap around the address space.
            var end = l.PhysicalAddress > ulong.MaxValue - l.MemorySize ? ulong.MaxValue : l.PhysicalAddress + l.MemorySize;
            var fileEnd = l.PhysicalAddress > ulong.MaxValue - l.FileSize ? ulong.MaxValue : l.PhysicalAddress + l.FileSize;
            maxPaddr = Math.Max(maxPaddr, end);
            bitmapRanges.Add(new PfnRange(l.PhysicalAddress / ps, end / ps));
            // is_in_segs tests the page's first byte against [p_paddr, p_paddr + p_filesz).
            var first = (l.PhysicalAddress / ps) + (l.PhysicalAddress % ps == 0 ? 0UL : 1UL);
            var last = (fileEnd / ps) + (fileEnd % ps == 0 ? 0UL : 1UL);
            if (last > first) present.Add(new PfnRange(first, last));
        }
        // get_max_mapnr: roundup(max paddr, PAGESIZE) / PAGESIZE.
        var maxMapNr = (maxPaddr / ps) + (maxPaddr % ps == 0 ? 0UL : 1UL);
        ulong hole = maxMapNr;
        foreach (var r in bitmapRanges)
        {
            var count = Math.Min(r.End, maxMapNr) - Math.Min(r.Start, Math.Min(r.End, maxMapNr));
            // Unsigned like pfn_memhole: absurd overlaps wrap as they do upstream.
            hole = unchecked(hole - count);
        }
        return new DumpPfnMap(maxMapNr, PfnRange.SortAndMerge(present), bitmapRanges, hole);
    }

    /// <summary>Memory ranges a kdump-compressed input may have: ParseLimits' default bound on ELF program headers (real dumps have tens).</summary>
    private const ulong MaxKdumpRuns = 65_536;

    private static DumpPfnMap FromKdump(KdumpCompressedDump dump)
    {
        // Re-filtering: is_in_segs and the memory holes both come from the input's first bitmap.
        var bitmap = dump.Primary.InMemoryBitmap;
        var maxMapNr = dump.Primary.MaxMapNr;
        var runs = new List<PfnRange>();
        ulong setBits = 0;
        ulong? runStart = null;
        var limit = Math.Min(maxMapNr, bitmap.BitCount);
        for (ulong pfn = 0; pfn < limit; pfn++)
        {
            if (bitmap.IsSet(pfn))
            {
                setBits++;
                runStart ??= pfn;
            }
            else if (runStart is { } s)
            {
                // A hostile first bitmap (0101…) would make a run per two bits, and IsInMemory scans
                // them per pfn: bound them like the PT_LOADs of an ELF input.
                if ((ulong)runs.Count >= MaxKdumpRuns)
                    throw DumpErrors.OverLimit(dump.Name, "memory ranges in the 1st bitmap", (ulong)runs.Count + 1, MaxKdumpRuns, null);
                runs.Add(new PfnRange(s, pfn));
                runStart = null;
            }
        }
        if (runStart is { } last) runs.Add(new PfnRange(last, limit));
        return new DumpPfnMap(maxMapNr, [.. runs], runs, maxMapNr - setBits);
    }
}

/// <summary>A PT_LOAD's physical placement: <c>p_paddr</c>, <c>p_filesz</c>, <c>p_memsz</c>.</summary>
public readonly record struct PhysicalLoad(ulong PhysicalAddress, ulong FileSize, ulong MemorySize);
