namespace Kdump.Kernel.Pages;

/// <summary>
/// Page-flag bit numbers from <c>NUMBER(PG_*)</c>, with makedumpfile's fallbacks for kernels that
/// do not export them (<c>get_value_for_old_linux</c>: the 2.6.25 enum values).
/// </summary>
internal sealed record PageFlagNumbers
{
    public required long Lru { get; init; }

    public required long Private { get; init; }

    public required long SwapCache { get; init; }

    /// <summary>Null on kernels before 4.10, where PG_swapcache alone marks swap cache.</summary>
    public required long? SwapBacked { get; init; }

    /// <summary>Since Linux commit 46df8e73a4a3 ("mm: free up PG_slab") (v6.10) slab is a page type and PG_slab is no longer exported; upstream then tests the 2.6.25 bit 7.</summary>
    public required long Slab { get; init; }

    public required long? HwPoison { get; init; }

    public required ulong HeadMask { get; init; }

    /// <summary>6.6–6.8 only: hugetlb folios carry PG_hugetlb in their first tail page.</summary>
    public required long? Hugetlb { get; init; }

    /// <summary>2.6.17–2.6.37: free pages had a flag.</summary>
    public required long? Buddy { get; init; }

    private const long LruOriginal = 5;
    private const long SlabOriginal = 7;
    private const long PrivateOriginal = 11;
    private const long CompoundOriginal = 14;
    private const long SwapCacheOriginal = 15;

    public static PageFlagNumbers FromVmcoreInfo(VmcoreInfo info)
    {
        var lru = Number(info, "PG_lru") ?? LruOriginal;
        var priv = Number(info, "PG_private") ?? PrivateOriginal;
        var swapCache = Number(info, "PG_swapcache") ?? SwapCacheOriginal;
        var swapBacked = Number(info, "PG_swapbacked") ?? (swapCache < priv ? unchecked(priv + 6) : null);
        ulong headMask;
        if (Number(info, "PG_head_mask") is { } mask) headMask = unchecked((ulong)mask);
        else if ((Number(info, "PG_head") ?? Number(info, "PG_compound")) is { } head) headMask = Bit(head);
        else headMask = Bit(CompoundOriginal);
        return new PageFlagNumbers
        {
            Lru = lru,
            Private = priv,
            SwapCache = swapCache,
            SwapBacked = swapBacked,
            Slab = Number(info, "PG_slab") ?? SlabOriginal,
            HwPoison = Number(info, "PG_hwpoison"),
            HeadMask = headMask,
            Hugetlb = Number(info, "PG_hugetlb"),
            Buddy = Number(info, "PG_buddy"),
        };
    }

    /// <summary>
    /// makedumpfile's <c>test_bit</c>: an <c>int</c> mask of bit <c>nr &amp; 31</c>, sign-extended
    /// against the 64-bit flags (so bit 31 also tests the upper half).
    /// </summary>
    public static bool TestBit(long nr, ulong flags) =>
        (unchecked((ulong)(long)(1 << (int)(nr & 31))) & flags) != 0;

    /// <summary><c>1UL &lt;&lt; nr</c> as x86_64 shifts: the count is taken modulo 64.</summary>
    public static ulong Bit(long nr) => 1UL << (int)(nr & 63);

    private static long? Number(VmcoreInfo info, string name) => info.TryGetNumber(name, out var v) ? v : null;
}
