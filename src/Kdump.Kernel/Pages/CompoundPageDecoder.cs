using Kdump.Primitives;

namespace Kdump.Kernel.Pages;

/// <summary>
/// How one kernel era records a compound page's order and whether it is a hugetlb page, read from
/// the head's first tail page (<c>page[1]</c>). Chosen once per dump by
/// <see cref="CompoundPageDecoders.Select"/> from VMCOREINFO keys.
/// </summary>
internal abstract class CompoundPageDecoder
{
    /// <summary>makedumpfile's <c>IS_HUGETLB</c>: the destructor value that means "hugetlb" for eras without destructors.</summary>
    public const ulong HugetlbMarker = ulong.MaxValue;

    public abstract string Era { get; }

    /// <summary>Order and destructor id of a compound head, from its first tail page.</summary>
    public abstract (uint Order, ulong Dtor) Decode(EndianReader firstTail, int headMapcount);
}

/// <summary>
/// 6.9+: Linux commit d99e3140a4d3 ("mm: turn folio_test_hugetlb into a PageType") (v6.9):
/// hugetlb is the head's page type; the order is the low byte of <c>folio._flags_1</c> (the tail's flags).
/// </summary>
internal sealed class HugetlbPageTypeDecoder(int flagsOffset, int hugetlbValue) : CompoundPageDecoder
{
    public override string Era => "6.9+ (hugetlb page type, order in _flags_1)";

    public override (uint Order, ulong Dtor) Decode(EndianReader firstTail, int headMapcount) =>
        ((uint)(firstTail.Word(flagsOffset) & 0xff), headMapcount == hugetlbValue ? HugetlbMarker : 0);
}

/// <summary>
/// 6.6–6.8: Linux commit 9c5ccf2db04b ("mm: remove HUGETLB_PAGE_DTOR") (v6.6): PG_hugetlb in the
/// first tail page's flags, the order in their low byte (Linux commit ebc1baf5c9b4, "mm: free up a
/// word in the first tail page").
/// </summary>
internal sealed class HugetlbFlagDecoder(int flagsOffset, long pgHugetlb) : CompoundPageDecoder
{
    public override string Era => "6.6-6.8 (PG_hugetlb, order in _flags_1)";

    public override (uint Order, ulong Dtor) Decode(EndianReader firstTail, int headMapcount)
    {
        var flags1 = firstTail.Word(flagsOffset);
        return ((uint)(flags1 & 0xff), (flags1 & PageFlagNumbers.Bit(pgHugetlb)) != 0 ? HugetlbMarker : 0);
    }
}

/// <summary>
/// Up to 6.5: order and destructor id are fields of the first tail page —
/// <c>folio._folio_order/_folio_dtor</c> (6.3–6.5, Linux commit 1c5509be58f6 "mm: remove 'First tail
/// page' members from struct page"), <c>page.compound_order/compound_dtor</c> (4.4–6.2), or the
/// <c>lru</c> list pointers before 4.4. One byte wide from 4.16, two bytes before (and the
/// destructor a function address before 4.4). An offset of 0 means "unknown", as upstream.
/// </summary>
internal sealed class DescriptorDecoder(int orderOffset, int orderWidth, int dtorOffset, int dtorWidth) : CompoundPageDecoder
{
    public override string Era => $"descriptor fields (order @{orderOffset}/{orderWidth}, dtor @{dtorOffset}/{dtorWidth})";

    public override (uint Order, ulong Dtor) Decode(EndianReader firstTail, int headMapcount)
    {
        uint order = 0;
        ulong dtor = 0;
        if (orderOffset != 0 && orderOffset + orderWidth <= firstTail.Length)
            order = (uint)firstTail.UIntOfWidth(orderOffset, orderWidth);
        if (dtorOffset != 0 && dtorOffset + dtorWidth <= firstTail.Length)
            dtor = firstTail.UIntOfWidth(dtorOffset, dtorWidth);
        return (order, dtor);
    }
}

/// <summary>The probe table: the first era whose VMCOREINFO key is present wins, newest first.</summary>
internal static class CompoundPageDecoders
{
    public static CompoundPageDecoder Select(VmcoreInfo info, StructPageLayout layout, PageFlagNumbers flags, PageTypeValues types, LinuxVersion version)
    {
        if (types.Hugetlb is { } hugetlb)
            return new HugetlbPageTypeDecoder(layout.Flags, hugetlb);
        if (flags.Hugetlb is { } pgHugetlb)
            return new HugetlbFlagDecoder(layout.Flags, pgHugetlb);

        var pageSize = (long)layout.Size;
        var wordBytes = 8;
        long? order;
        if (info.TryGetOffset("folio._folio_order", out var folioOrder)) order = Offset(folioOrder) - pageSize;
        else if (info.TryGetOffset("page.compound_order", out var pageOrder)) order = Offset(pageOrder);
        else if (version < new LinuxVersion(4, 4, 0) && info.TryGetOffset("page.lru", out var lru) && info.TryGetOffset("list_head.prev", out var prev)) order = Offset(lru) + Offset(prev);
        else order = null;

        long? dtor;
        if (info.TryGetOffset("folio._folio_dtor", out var folioDtor)) dtor = Offset(folioDtor) - pageSize;
        else if (info.TryGetOffset("page.compound_dtor", out var pageDtor)) dtor = Offset(pageDtor);
        else if (version < new LinuxVersion(4, 4, 0) && info.TryGetOffset("page.lru", out var lru) && info.TryGetOffset("list_head.next", out var next)) dtor = Offset(lru) + Offset(next);
        else dtor = null;

        var narrow = version >= new LinuxVersion(4, 16, 0);
        var orderWidth = narrow ? 1 : 2;
        var dtorWidth = narrow ? 1 : version >= new LinuxVersion(4, 4, 0) ? 2 : wordBytes;
        return new DescriptorDecoder(Usable(order, orderWidth, pageSize), orderWidth, Usable(dtor, dtorWidth, pageSize), dtorWidth);
    }

    /// <summary>A VMCOREINFO offset as a number, or null when it is too large to be one (a damaged dump).</summary>
    private static long? Offset(ulong value) => value <= int.MaxValue ? (long)value : null;

    /// <summary>Offsets outside the tail page are unusable: 0 means unknown (as upstream's) rather than a read beyond it.</summary>
    private static int Usable(long? offset, int width, long pageSize) =>
        offset is { } o && o > 0 && o + width <= pageSize ? (int)o : 0;
}
