using Kdump.Compression;
using Kdump.Kernel.Pages;

namespace Kdump.Dump;

/// <summary>What to write: the makedumpfile options that shape a kdump-compressed dump.</summary>
public sealed record DumpOptions
{
    /// <summary>-d: what to leave out.</summary>
    public DumpLevel Level { get; init; }

    /// <summary>-c/-l/-p/-z; null stores every page raw.</summary>
    public IPageCodec? Codec { get; init; }

    /// <summary>--num-threads: compression workers besides the reading/writing thread; 0 or 1 = all on one thread.</summary>
    public int Threads { get; init; }

    /// <summary>Pfns per window (cyclic mode): bounds the bitmap and classification memory.</summary>
    public int WindowPfns { get; init; } = 1 << 20;

    /// <summary>--splitblock-size: --split balances its files by dumpable pages counted per block of this many bytes (makedumpfile's DEFAULT_SPLITBLOCK_SIZE, 1 GiB).</summary>
    public long SplitblockBytes { get; init; } = 1L << 30;

    /// <summary>-b order: each write cache holds 2^order pages (makedumpfile's default 4 = 64 KiB).</summary>
    public int CacheOrder { get; init; } = 4;

    /// <summary>Classifies pages by struct page for -d bits 2/4/8/16; null keeps every page.</summary>
    public IPageFilter? Filter { get; init; }

    /// <summary>
    /// makedumpfile would build its bitmaps in one cycle (its flag_cyclic off: re-filtering,
    /// --work-dir, -e, or bitmaps that fit its cyclic buffer). The -E report follows it: cyclic
    /// mode recounts each input PT_LOAD, so pfns under two PT_LOADs count twice; one cycle counts
    /// each pfn once. A kdump-compressed file then gets whole bitmap blocks written, which shows
    /// in a --split part without pages. (Upstream's --split report depends on it too; that is not
    /// followed.)
    /// </summary>
    public bool OneCycle { get; init; }

    /// <summary>-e: leave out the struct pages that describe only pages left out; null keeps them.</summary>
    public VmemmapBacking? UnusedVmemmap { get; init; }

    /// <summary>
    /// Called once, before the copy, with the number of vmemmap pages -e left out, and true when
    /// there were too many separate ranges to hold and the rest were kept (<see cref="UnusedVmemmap.MaxRanges"/>).
    /// </summary>
    public Action<long, bool>? UnusedVmemmapExcluded { get; init; }

    /// <summary>--config: ranges to overwrite in the stored pages and record in the eraseinfo; null erases nothing.</summary>
    public EraseList? Erase { get; init; }

    /// <summary>Called with (pages copied, pages to copy) as the copy advances.</summary>
    public Action<long, long>? Progress { get; init; }
}
