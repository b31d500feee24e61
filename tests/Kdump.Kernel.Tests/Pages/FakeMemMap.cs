using Kdump.Kernel.Pages;
using Kdump.Kernel.Tests.Synthetic;

namespace Kdump.Kernel.Tests.Pages;

/// <summary>
/// A struct page array in fake memory behind a SPARSEMEM_EXTREME mem_section (one root page),
/// with the VMCOREINFO a kernel of the chosen era would export. Sections are 512 pages
/// (SECTION_SIZE_BITS 21) so a few sections fit in little fake memory; struct page is 64 bytes
/// laid out as on x86_64 6.1 (flags 0, compound_head 8, mapping 24, private 40, _mapcount 48).
/// </summary>
internal sealed class FakeMemMap
{
    public const int PageStruct = 64;
    public const int PagesPerSection = 512;
    public const ulong PageSize = 4096;

    private readonly SyntheticKernel _kernel = new();
    private readonly ulong _memMapVa;
    private readonly List<string> _eraLines;

    public FakeMemMap(KernelEra era, int sections = 4, int? absentSection = null)
    {
        Era = era;
        MaxMapNr = (ulong)(sections * PagesPerSection);
        _memMapVa = _kernel.AllocDirect((int)MaxMapNr * PageStruct);
        // Every struct page starts as an ordinary in-use page: mapcount -1, no flags.
        for (ulong pfn = 0; pfn < MaxMapNr; pfn++) SetMapcount(pfn, uint.MaxValue);

        var rootArray = _kernel.AllocDirect(4096);
        var sectionPage = _kernel.AllocDirect(4096);
        _kernel.WriteVirtualU64(rootArray, sectionPage);
        for (var nr = 0; nr < sections; nr++)
        {
            if (nr == absentSection) continue;
            // section_mem_map: mem_map minus start_pfn * sizeof(struct page), low bits PRESENT | HAS_MEM_MAP.
            var encoded = _memMapVa + ((ulong)nr * PagesPerSection * PageStruct) - ((ulong)nr * PagesPerSection * PageStruct) + 0x3;
            _kernel.WriteVirtualU64(sectionPage + ((ulong)nr * 32), encoded);
        }
        _eraLines = EraLines(era);
        foreach (var line in new[]
        {
            $"SYMBOL(mem_section)={rootArray:x}",
            "LENGTH(mem_section)=262144",
            "SIZE(mem_section)=32",
            "OFFSET(mem_section.section_mem_map)=0",
            "NUMBER(SECTION_SIZE_BITS)=21",
            "NUMBER(MAX_PHYSMEM_BITS)=46",
            "SIZE(page)=64",
            "OFFSET(page.flags)=0",
            "OFFSET(page._refcount)=52",
            "OFFSET(page.mapping)=24",
            "OFFSET(page.lru)=8",
            "OFFSET(page._mapcount)=48",
            "OFFSET(page.private)=40",
            "OFFSET(page.compound_head)=8",
            "OFFSET(list_head.next)=0",
            "OFFSET(list_head.prev)=8",
            "LENGTH(zone.free_area)=11",
        }) _eraLines.Add(line);
    }

    public KernelEra Era { get; }

    /// <summary>The era's and the mem_section VMCOREINFO lines, editable so that a test can damage them.</summary>
    public IList<string> InfoLines => _eraLines;

    public ulong MaxMapNr { get; }

    /// <summary>The era's PG_* numbers as a test sets flags.</summary>
    public int PgLru => Era >= KernelEra.V6_12 ? 5 : 4;

    public int PgPrivate => Era >= KernelEra.V6_12 ? 14 : 13;

    public static int PgSlab => 9;

    public int PgHwPoison => Era >= KernelEra.V6_12 ? 20 : 23;

    public ulong HeadMask => Era >= KernelEra.V6_12 ? 64UL : 65536UL;

    public int BuddyMapcount => Era switch
    {
        KernelEra.V4_17 => -128,
        KernelEra.V6_12 => unchecked((int)0xf0000000),
        _ => -129,
    };

    public int OfflineMapcount => Era == KernelEra.V6_12 ? unchecked((int)0xf1000000) : -257;

    public void SetFlags(ulong pfn, ulong flags) => _kernel.WriteVirtualU64(Va(pfn), flags);

    public void SetCompoundHead(ulong pfn, ulong value) => _kernel.WriteVirtualU64(Va(pfn) + 8, value);

    public void SetMapping(ulong pfn, ulong mapping) => _kernel.WriteVirtualU64(Va(pfn) + 24, mapping);

    public void SetPrivate(ulong pfn, ulong value) => _kernel.WriteVirtualU64(Va(pfn) + 40, value);

    public void SetMapcount(ulong pfn, uint value) => _kernel.WriteVirtualU32(Va(pfn) + 48, value);

    public void SetByte(ulong pfn, int offset, byte value) => _kernel.WriteVirtual(Va(pfn) + (ulong)offset, [value]);

    /// <summary>A free buddy block of 2^order pages at <paramref name="pfn"/>.</summary>
    public void Buddy(ulong pfn, int order)
    {
        SetMapcount(pfn, unchecked((uint)BuddyMapcount));
        SetPrivate(pfn, (ulong)order);
    }

    /// <summary>A compound page of 2^order pages; the order where this era keeps it.</summary>
    public void Compound(ulong head, int order, ulong headFlags = 0, bool hugetlb = false)
    {
        SetFlags(head, headFlags | HeadMask);
        for (ulong i = 1; i < 1UL << order; i++) SetCompoundHead(head + i, Va(head) | 1);
        var tail = head + 1;
        switch (Era)
        {
            case KernelEra.V6_12:
                SetFlags(tail, (ulong)order);
                if (hugetlb) SetMapcount(head, 0xf4000000);
                break;
            case KernelEra.V6_6:
                SetFlags(tail, (uint)order | (hugetlb ? 1UL << 20 : 0UL));
                break;
            default:
                SetByte(tail, 17, (byte)order);   // compound_order
                SetByte(tail, 16, hugetlb ? (byte)2 : (byte)1);   // compound_dtor: HUGETLB_PAGE_DTOR = 2
                break;
        }
    }

    /// <summary>Layout of the made-up pglist_data/zone/free_area used by <see cref="UseFreeLists"/> (exported through VMCOREINFO like a kernel's).</summary>
    public static class FreeListLayout
    {
        public const int NrZones = 4096;          // pglist_data.nr_zones (node_zones at 0)
        public const int Zone = 1536;             // SIZE(zone)
        public const int SpannedPages = 16;       // zone.spanned_pages
        public const int FreeArea = 64;           // zone.free_area
        public const int FreeAreaSize = 40;       // SIZE(free_area): two list_heads and nr_free
        public const int VmStat = 1280;           // zone.vm_stat (only looked for)
        public const int Orders = 11;
        public const int MigrateTypes = 2;
        public const int Lru = 8;                 // page.lru
    }

    /// <summary>
    /// Free pages told only by the zones' free lists (a VMCOREINFO without
    /// PAGE_BUDDY_MAPCOUNT_VALUE, as from a vmlinux): one online node whose pgdat has an empty first
    /// zone (its lists left as garbage, as upstream never reads them) and a second zone holding
    /// <paramref name="blocks"/> linked through page.lru in the given order. Returns the list head
    /// address of each (order, migrate type), for tests that damage the links.
    /// </summary>
    public Dictionary<(int Order, int Type), ulong> UseFreeLists(IReadOnlyList<(ulong Pfn, int Order, int Type)> blocks)
    {
        const int zones = 2;
        var pgdat = _kernel.AllocDirect(FreeListLayout.NrZones + 8);
        _kernel.WriteVirtualU32(pgdat + FreeListLayout.NrZones, zones);
        var zone = pgdat + FreeListLayout.Zone;   // node_zones[1]
        _kernel.WriteVirtualU64(pgdat + FreeListLayout.SpannedPages, 0);
        _kernel.WriteVirtual(pgdat + FreeListLayout.FreeArea, Enumerable.Repeat((byte)0xee, 16).ToArray());
        _kernel.WriteVirtualU64(zone + FreeListLayout.SpannedPages, MaxMapNr);
        var heads = new Dictionary<(int, int), ulong>();
        for (var order = 0; order < FreeListLayout.Orders; order++)
        {
            for (var type = 0; type < FreeListLayout.MigrateTypes; type++)
            {
                var head = zone + FreeListLayout.FreeArea + (ulong)(order * FreeListLayout.FreeAreaSize) + (ulong)(type * 16);
                _kernel.WriteVirtualU64(head, head);
                _kernel.WriteVirtualU64(head + 8, head);
                heads[(order, type)] = head;
            }
        }
        foreach (var (pfn, order, type) in blocks)
        {
            // list_add_tail
            var head = heads[(order, type)];
            var entry = Va(pfn) + FreeListLayout.Lru;
            var tail = ReadU64(head + 8);
            _kernel.WriteVirtualU64(entry, head);
            _kernel.WriteVirtualU64(entry + 8, tail);
            _kernel.WriteVirtualU64(tail, entry);
            _kernel.WriteVirtualU64(head + 8, entry);
        }
        var nodeData = _kernel.AllocDirect(8);
        _kernel.WriteVirtualU64(nodeData, pgdat);
        var online = _kernel.AllocDirect(8);
        _kernel.WriteVirtualU64(online, 1);
        _eraLines.Remove(_eraLines.Single(l => l.StartsWith("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=", StringComparison.Ordinal)));
        foreach (var line in new[]
        {
            $"SYMBOL(node_data)={nodeData:x}", "LENGTH(node_data)=1", $"SYMBOL(node_online_map)={online:x}", "SIZE(nodemask_t)=8",
            "OFFSET(pglist_data.node_zones)=0", $"OFFSET(pglist_data.nr_zones)={FreeListLayout.NrZones}", $"SIZE(zone)={FreeListLayout.Zone}",
            $"OFFSET(zone.spanned_pages)={FreeListLayout.SpannedPages}", $"OFFSET(zone.free_area)={FreeListLayout.FreeArea}",
            $"SIZE(free_area)={FreeListLayout.FreeAreaSize}", "OFFSET(free_area.free_list)=0", "SIZE(list_head)=16",
            $"OFFSET(zone.vm_stat)={FreeListLayout.VmStat}", $"LENGTH(free_area.free_list)={FreeListLayout.MigrateTypes}",
        }) _eraLines.Add(line);
        return heads;
    }

    /// <summary>The struct page's page.lru address (what the free lists link).</summary>
    public ulong LruOf(ulong pfn) => Va(pfn) + FreeListLayout.Lru;

    public void WriteU64(ulong va, ulong value) => _kernel.WriteVirtualU64(va, value);

    private ulong ReadU64(ulong va)
    {
        var b = new byte[8];
        Assert.Equal(Kdump.Formats.PageReadStatus.Ok, _kernel.Physical.TryRead(new Kdump.Primitives.Units.PhysAddr(_kernel.KernelVaToPa(va)), b));
        return BitConverter.ToUInt64(b);
    }

    public FakeDump ToDump() => _kernel.ToDump(vmcoreInfo: string.Join('\n', _eraLines.Prepend(_kernel.VmcoreInfo.Replace("OSRELEASE=6.1.0-synthetic\n", "", StringComparison.Ordinal))) + "\n");

    public MemMapPageFilter Filter(DumpLevel level)
    {
        var dump = ToDump();
        var view = KernelView.Open(dump, TranslationStrategy.PageTables);
        var pfns = DumpPfnMap.FromLoads([new PhysicalLoad(0, MaxMapNr * PageSize, MaxMapNr * PageSize)], (int)PageSize);
        return MemMapPageFilter.Create(view, pfns, level);
    }

    public PageCategory[] ClassifyAll(DumpLevel level, int window = 0)
    {
        var filter = Filter(level);
        var result = new PageCategory[MaxMapNr];
        if (window <= 0) window = result.Length;
        for (var start = 0; start < result.Length; start += window)
            filter.Classify((ulong)start, result.AsSpan(start, Math.Min(window, result.Length - start)));
        return result;
    }

    private ulong Va(ulong pfn) => _memMapVa + (pfn * PageStruct);

    private static List<string> EraLines(KernelEra era) => era switch
    {
        KernelEra.V4_17 =>
        [
            "OSRELEASE=4.17.0-synthetic", "PAGESIZE=4096", "NUMBER(PG_lru)=4", "NUMBER(PG_private)=13", "NUMBER(PG_swapcache)=10",
            "NUMBER(PG_swapbacked)=19", "NUMBER(PG_slab)=9", "NUMBER(PG_hwpoison)=23", "NUMBER(PG_head_mask)=65536",
            "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-128", "NUMBER(HUGETLB_PAGE_DTOR)=2", "OFFSET(page.compound_dtor)=16",
            "OFFSET(page.compound_order)=17",
        ],
        KernelEra.V6_1 =>
        [
            "OSRELEASE=6.1.0-synthetic", "PAGESIZE=4096", "NUMBER(PG_lru)=4", "NUMBER(PG_private)=13", "NUMBER(PG_swapcache)=10",
            "NUMBER(PG_swapbacked)=19", "NUMBER(PG_slab)=9", "NUMBER(PG_hwpoison)=23", "NUMBER(PG_head_mask)=65536",
            "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129", "NUMBER(HUGETLB_PAGE_DTOR)=2", "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257",
            "OFFSET(page.compound_dtor)=16", "OFFSET(page.compound_order)=17",
        ],
        KernelEra.V6_6 =>
        [
            "OSRELEASE=6.6.0-synthetic", "PAGESIZE=4096", "NUMBER(PG_lru)=4", "NUMBER(PG_private)=13", "NUMBER(PG_swapcache)=10",
            "NUMBER(PG_swapbacked)=19", "NUMBER(PG_slab)=9", "NUMBER(PG_hwpoison)=23", "NUMBER(PG_head_mask)=65536",
            "NUMBER(PG_hugetlb)=20", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129", "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257",
        ],
        _ =>
        [
            "OSRELEASE=6.12.0-synthetic", "PAGESIZE=4096", "NUMBER(PG_lru)=5", "NUMBER(PG_private)=14", "NUMBER(PG_swapcache)=10",
            "NUMBER(PG_swapbacked)=17", "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376", "NUMBER(PG_hwpoison)=20",
            "NUMBER(PG_head_mask)=64", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456",
            "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592", "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240",
        ],
    };
}

/// <summary>Kernel eras with distinct struct-page encodings.</summary>
public enum KernelEra
{
    /// <summary>Before the page_type split (4.18): buddy is _mapcount -128 (kernel/crash_core.c exports it).</summary>
    V4_17,

    /// <summary>page_type with inverted bits (-129 buddy), compound_order/compound_dtor fields.</summary>
    V6_1,

    /// <summary>PG_hugetlb in the first tail page, order in its flags' low byte.</summary>
    V6_6,

    /// <summary>PGTY values in the top byte; hugetlb and slab are page types.</summary>
    V6_12,
}
