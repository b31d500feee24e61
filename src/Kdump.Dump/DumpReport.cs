using Kdump.Kernel.Pages;

namespace Kdump.Dump;

/// <summary>The numbers of makedumpfile's final report (print_report).</summary>
public sealed class DumpReport
{
    private readonly long[] _excluded = new long[Enum.GetValues<PageCategory>().Length];

    /// <summary>Pfns below max_mapnr.</summary>
    public ulong TotalPages { get; internal set; }

    /// <summary>Pfns that exist (1st bitmap): max_mapnr minus holes.</summary>
    public long OriginalPages { get; internal set; }

    /// <summary>Pages with a descriptor in the file (zero pages included: they share one).</summary>
    public long DescriptorPages { get; internal set; }

    /// <summary>Bytes of the finished file (the end of the page data).</summary>
    public long WriteBytes { get; internal set; }

    public bool Incomplete { get; internal set; }

    public long Excluded(PageCategory category) => _excluded[(int)category];

    public long ExcludedTotal => _excluded.Sum() - _excluded[(int)PageCategory.Dumpable];

    public long RemainingPages => OriginalPages - ExcludedTotal;

    public long MemoryHole => (long)TotalPages - OriginalPages;

    internal void AddExcluded(PageCategory category, long count) => _excluded[(int)category] += count;
}
