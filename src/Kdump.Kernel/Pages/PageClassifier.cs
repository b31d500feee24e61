namespace Kdump.Kernel.Pages;

/// <summary>
/// makedumpfile's per-page decision (<c>__exclude_unnecessary_pages</c>), first match wins:
/// tail page → skip; free buddy block; unaccepted block; non-private cache; cache; user (anon or
/// hugetlb); hwpoison; offline; else keep. Pure: fields in, verdict out.
/// </summary>
internal sealed class PageClassifier
{
    private readonly DumpLevel _level;
    private readonly PageFlagNumbers _flags;
    private readonly PageTypeValues _types;
    private readonly ulong? _freeAreaLength;
    private readonly long? _hugetlbDtor;
    private readonly ulong? _freeHugePage;
    private readonly bool _buddyByMapcount;

    public PageClassifier(DumpLevel level, PageFlagNumbers flags, PageTypeValues types, ulong? freeAreaLength,
        long? hugetlbDtor, ulong? freeHugePage, bool hasPrivate, bool hasMapcount)
    {
        _level = level;
        _flags = flags;
        _types = types;
        _freeAreaLength = freeAreaLength;
        _hugetlbDtor = hugetlbDtor;
        _freeHugePage = freeHugePage;
        // setup_page_is_buddy: needs page.private; a mapcount value (2.6.38+) or PG_buddy (2.6.17–2.6.37).
        if (hasPrivate && types.Buddy is not null && hasMapcount) _buddyByMapcount = true;
        else if (hasPrivate && flags.Buddy is not null && types.Buddy is null) BuddyByFlag = true;
    }

    /// <summary>True when free pages can be told from struct page alone (else free lists would have to be walked).</summary>
    public bool CanDetectBuddy => _buddyByMapcount || BuddyByFlag;

    private bool BuddyByFlag { get; }

    /// <summary>
    /// Whether the struct-page pass runs at all (<c>create_2nd_bitmap</c>): with no cache, user or
    /// buddy-free exclusion requested and no PG_hwpoison exported, even offline pages are kept.
    /// </summary>
    public bool IsActive =>
        (_level & (DumpLevel.CacheWithoutPrivate | DumpLevel.CacheWithPrivate | DumpLevel.User)) != 0
        || _flags.HwPoison is not null
        || ((_level & DumpLevel.Free) != 0 && CanDetectBuddy);

    /// <summary>
    /// The verdict for one page: <see cref="Verdict.Skip"/> for a tail page, else the category and
    /// how many pages from this one it covers (<paramref name="nrPages"/>).
    /// </summary>
    public Verdict Decide(in StructPageFields page, uint compoundOrder, ulong compoundDtor, ulong pfn, out PageCategory category, out ulong nrPages, out string? warning)
    {
        category = PageCategory.Dumpable;
        nrPages = Pages(compoundOrder);
        warning = null;
        if ((page.CompoundHead & 1) != 0) return Verdict.Skip;

        var slab = IsSlab(page);
        if ((_level & DumpLevel.Free) != 0 && IsBuddy(page, slab))
        {
            if (_freeAreaLength is { } max && page.Private >= max)
            {
                // Upstream prints ARRAY_LENGTH - 1 with %lu: a damaged LENGTH(zone.free_area)=0 wraps.
                warning = $"WARNING: Invalid free page order: pfn={pfn:x}, order={page.Private}, max order={unchecked(max - 1)}";
                return Verdict.Keep;
            }
            nrPages = Pages(page.Private);
            category = PageCategory.Free;
        }
        else if ((_level & DumpLevel.Free) != 0 && _types.Unaccepted is { } unaccepted && page.MapcountPattern == unaccepted)
        {
            // Unaccepted memory is queued only in MAX_PAGE_ORDER blocks.
            nrPages = _freeAreaLength is { } len and > 0 ? Pages(len - 1) : 1;
            category = PageCategory.Free;
        }
        else if ((_level & DumpLevel.CacheWithoutPrivate) != 0 && IsCache(page.Flags) && !IsPrivate(page.Flags) && !IsAnon(page, slab))
        {
            category = PageCategory.NonPrivateCache;
        }
        else if ((_level & DumpLevel.CacheWithPrivate) != 0 && IsCache(page.Flags) && !IsAnon(page, slab))
        {
            category = IsPrivate(page.Flags) ? PageCategory.PrivateCache : PageCategory.NonPrivateCache;
        }
        else if ((_level & DumpLevel.User) != 0 && (IsAnon(page, slab) || IsHugetlb(compoundDtor)))
        {
            category = PageCategory.User;
        }
        else if (_flags.HwPoison is { } hwpoison && PageFlagNumbers.TestBit(hwpoison, page.Flags))
        {
            category = PageCategory.HwPoison;
        }
        else if (_types.Offline is { } offline && !slab && page.MapcountPattern == offline)
        {
            category = PageCategory.Offline;
        }
        else
        {
            return Verdict.Keep;
        }
        return Verdict.Exclude;
    }

    public bool IsCompoundHead(ulong flags) => (flags & _flags.HeadMask) != 0;

    /// <summary>check_order: an order of 64 or more, or a head not aligned to it, counts as order 0.</summary>
    public static uint CheckOrder(uint order, ulong pfn) =>
        order >= 64 || (pfn & ((1UL << (int)order) - 1)) != 0 ? 0 : order;

    // Upstream computes 1 << order in int: the shift count wraps at 32 and bit 31 is negative;
    // real orders are far below (MAX_PAGE_ORDER 10, gigantic pages 18).
    private static ulong Pages(ulong order)
    {
        var shift = (int)(order & 31);
        return shift == 31 ? 1 : 1UL << shift;
    }

    private bool IsSlab(in StructPageFields page) =>
        (_types.Slab is { } slab && page.MapcountPattern == slab) || (page.Flags & PageFlagNumbers.Bit(_flags.Slab)) != 0;

    private bool IsBuddy(in StructPageFields page, bool slab) =>
        _buddyByMapcount ? !slab && page.MapcountPattern == _types.Buddy
        : BuddyByFlag && (page.Flags & PageFlagNumbers.Bit(_flags.Buddy!.Value)) != 0;

    // PAGE_MAPPING_ANON is bit 0 of mapping (KSM's 3 matches too).
    private static bool IsAnon(in StructPageFields page, bool slab) => (page.Mapping & 1) != 0 && !slab;

    private bool IsPrivate(ulong flags) => PageFlagNumbers.TestBit(_flags.Private, flags);

    private bool IsCache(ulong flags) =>
        PageFlagNumbers.TestBit(_flags.Lru, flags)
        || ((_flags.SwapBacked is not { } swapBacked || PageFlagNumbers.TestBit(swapBacked, flags)) && PageFlagNumbers.TestBit(_flags.SwapCache, flags));

    private bool IsHugetlb(ulong dtor) =>
        dtor == CompoundPageDecoder.HugetlbMarker
        || (_hugetlbDtor is { } id && unchecked((ulong)id) == dtor)
        || (_freeHugePage is { } address && address == dtor);

    internal enum Verdict
    {
        Keep,
        Skip,
        Exclude,
    }
}
