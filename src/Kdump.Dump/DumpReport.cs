using Kdump.Kernel.Pages;

namespace Kdump.Dump;

/// <summary>What a dump run found and wrote: makedumpfile's final report numbers.</summary>
public sealed class DumpReport(DumpPfnMap pfns)
{
    /// <summary>The dump's memory map (original pages, holes, max_mapnr) as makedumpfile counts it.</summary>
    public DumpPfnMap Pfns { get; } = pfns;

    /// <summary>Excluded pages per category (zero pages found while copying included).</summary>
    public ExcludedPageCounts Counts { get; } = new();

    /// <summary>Pages with a descriptor in the file (zero pages included: they share one).</summary>
    public long DescriptorPages { get; internal set; }

    /// <summary>Bytes of the file (the end of the page data).</summary>
    public long WriteBytes { get; internal set; }

    public bool Incomplete { get; internal set; }

    /// <summary>Where the eraseinfo went (the end of the page data; write_kdump_eraseinfo's debug line), -1 before that.</summary>
    public long EraseInfoOffset { get; internal set; } = -1;

    /// <summary>Bytes of eraseinfo written (kdump) or planned for the ELF note (-E).</summary>
    public long EraseInfoSize { get; internal set; }

    /// <summary>-E: the excluded pages really left out of the ELF file (runs of 256 or more, and each segment's tail).</summary>
    public ulong? ElfExcluded { get; internal set; }

    /// <summary>-E in cycles: the memory hole as write_elf_pages_cyclic recounts it (null: the map's).</summary>
    public ulong? ElfMemoryHole { get; internal set; }

    /// <summary>The report text of makedumpfile 1.7.8 (message level 16).</summary>
    public string Format() => Counts.FormatReport(Pfns, (ulong)WriteBytes, ElfExcluded, ElfMemoryHole);
}
