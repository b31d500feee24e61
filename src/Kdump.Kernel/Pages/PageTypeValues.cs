namespace Kdump.Kernel.Pages;

/// <summary>
/// The <c>_mapcount</c> / <c>page_type</c> values that mark a page's type, as 32-bit patterns
/// compared for exact equality (makedumpfile commit 72c3414, "fix detection of typed (compound)
/// pages (Linux 6.12)"). The encodings differ by era but are always read from VMCOREINFO:
/// <list type="bullet">
/// <item>2.6.38–4.17: special <c>_mapcount</c> values (buddy -128; -2 on 2.6.38 only), the defaults
/// used when VMCOREINFO lacks the number.</item>
/// <item>4.18–6.11: Linux commit 6e292b9be7f4 ("mm: split page_type out from _mapcount") (v4.18):
/// a page type is a cleared bit in a word that is otherwise all ones, exported as <c>~PG_x</c>
/// (buddy -129, offline -257).</item>
/// <item>6.12+: Linux commit 4ffca5a96678 ("mm: support only one page_type per page") (v6.12):
/// the top byte holds a PGTY value, exported as <c>PGTY_x &lt;&lt; 24</c> (buddy 0xf0000000).</item>
/// </list>
/// </summary>
internal sealed record PageTypeValues
{
    public required int? Buddy { get; init; }

    /// <summary>Linux commit 46df8e73a4a3 ("mm: free up PG_slab") (v6.10) made slab a page type.</summary>
    public required int? Slab { get; init; }

    /// <summary>Logically offline pages (balloon, virtio-mem), exported since v5.0.</summary>
    public required int? Offline { get; init; }

    /// <summary>Linux commit d99e3140a4d3 ("mm: turn folio_test_hugetlb into a PageType") (v6.9).</summary>
    public required int? Hugetlb { get; init; }

    /// <summary>Unaccepted memory of confidential VMs, exported since v6.16.</summary>
    public required int? Unaccepted { get; init; }

    private const int BuddyV2638 = -2;
    private const int BuddyFrom2639 = -128;

    /// <param name="version">The release, when known before the values are read (see MemMapPageFilter.Create); null: no defaults.</param>
    public static PageTypeValues FromVmcoreInfo(VmcoreInfo info, LinuxVersion? version)
    {
        int? buddy = Number(info, "PAGE_BUDDY_MAPCOUNT_VALUE");
        if (buddy is null && version is { } v)
        {
            if (v == new LinuxVersion(2, 6, 38)) buddy = BuddyV2638;
            else if (v >= new LinuxVersion(2, 6, 39)) buddy = BuddyFrom2639;
        }
        return new PageTypeValues
        {
            Buddy = buddy,
            Slab = Number(info, "PAGE_SLAB_MAPCOUNT_VALUE"),
            Offline = Number(info, "PAGE_OFFLINE_MAPCOUNT_VALUE"),
            Hugetlb = Number(info, "PAGE_HUGETLB_MAPCOUNT_VALUE"),
            Unaccepted = Number(info, "PAGE_UNACCEPTED_MAPCOUNT_VALUE"),
        };
    }

    // makedumpfile casts the NUMBER to int: 6.12's 4026531840 and -268435456 are the same pattern.
    private static int? Number(VmcoreInfo info, string name) => info.TryGetNumber(name, out var v) ? unchecked((int)v) : null;
}
