using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Pages;

/// <summary>
/// Free pages found through the zones' buddy free lists, as makedumpfile's exclude_free_page does
/// when struct page cannot tell them (no NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) nor NUMBER(PG_buddy) in
/// VMCOREINFO, as with a vmlinux or an old kernel): for each online node's pgdat, each zone with
/// spanned pages, each order from the highest down and each migrate type, the list of free blocks
/// linked through page.lru. The filter walks them once per cycle of pfns, as upstream, into a bitmap
/// of that cycle (MemMapPageFilter.MarkFreeLists), so memory does not grow with the lists.
/// </summary>
internal sealed class FreeLists
{
    private readonly KernelView _kernel;
    private readonly IReadOnlyList<MemMapSection> _sections;
    private readonly ulong _pageStructSize;
    private readonly ulong _maxMapNr;
    private readonly string _dumpName;
    private readonly ulong[] _pgdats;
    private readonly Fields _f;
    private readonly int _orders, _migrateTypes;

    /// <summary>The VMCOREINFO offsets and sizes the walk reads (exclude_free_page's list).</summary>
    private readonly record struct Fields(
        ulong NodeZones, ulong NrZones, ulong ZoneSize, ulong SpannedPages, ulong FreeArea, ulong FreeAreaSize,
        ulong FreeList, ulong ListHeadSize, ulong Next, ulong Prev, ulong Lru);

    private FreeLists(KernelView kernel, IReadOnlyList<MemMapSection> sections, ulong pageStructSize, ulong maxMapNr, string dumpName, ulong[] pgdats, Fields fields, int orders, int migrateTypes)
    {
        _kernel = kernel;
        _sections = sections;
        _pageStructSize = pageStructSize;
        _maxMapNr = maxMapNr;
        _dumpName = dumpName;
        _pgdats = pgdats;
        _f = fields;
        _orders = orders;
        _migrateTypes = migrateTypes;
    }

    /// <summary>
    /// exclude_free_page's checks and the online nodes' pgdat addresses (get_nodes_online,
    /// next_online_node, next_online_pgdat); a missing piece is upstream's error.
    /// </summary>
    public static FreeLists Open(KernelView kernel, IReadOnlyList<MemMapSection> sections, ulong pageStructSize, ulong maxMapNr, string dumpName)
    {
        var info = kernel.VmcoreInfo;
        bool Symbol(string name, out ulong address)
        {
            var found = info.TryGetSymbol(name, out var a);
            address = found ? a.Value : 0;
            return found && address != 0;
        }
        if (!Symbol("node_data", out _) && !Symbol("pgdat_list", out _) && !Symbol("contig_page_data", out _))
            throw Fail(dumpName, "exclude_free_page", "Can't get necessary symbols for excluding free pages.");
        ulong Offset(string field) => info.TryGetOffset(field, out var v) ? v : throw Fail(dumpName, "exclude_free_page", "Can't get necessary structures for excluding free pages.");
        ulong Size(string type) => info.TryGetSize(type, out var v) ? v : throw Fail(dumpName, "exclude_free_page", "Can't get necessary structures for excluding free pages.");
        var fields = new Fields(
            Offset("pglist_data.node_zones"), Offset("pglist_data.nr_zones"), Size("zone"), Offset("zone.spanned_pages"),
            Offset("zone.free_area"), Size("free_area"), Offset("free_area.free_list"), Size("list_head"),
            Offset("list_head.next"), Offset("list_head.prev"), Offset("page.lru"));
        // upstream also wants zone.free_pages or zone.vm_stat, for a count it only compares in debug output.
        if ((!info.TryGetOffset("zone.free_pages", out _) && !info.TryGetOffset("zone.vm_stat", out _))
            || !info.TryGetLength("zone.free_area", out var orders) || orders is 0 or > 64)
            throw Fail(dumpName, "exclude_free_page", "Can't get necessary structures for excluding free pages.");
        // Before 2.6.24 a free area had one list; LENGTH(free_area.free_list) counts the migrate types.
        var migrateTypes = info.TryGetLength("free_area.free_list", out var mt) ? mt : 1;
        if (migrateTypes is 0 or > 64) throw DumpErrors.Corrupt(dumpName, "LENGTH(free_area.free_list)", migrateTypes.ToString(), null, "is not a number of migrate types (1-64)");
        return new FreeLists(kernel, sections, pageStructSize, maxMapNr, dumpName, OnlinePgdats(kernel, dumpName), fields, (int)orders, (int)migrateTypes);
    }

    private static DumpCorruptException Fail(string dumpName, string function, string message) =>
        new($"'{dumpName}': {function}: {message}") { FilePath = dumpName };

    /// <summary>get_nodes_online and next_online_pgdat for each online node, in node order.</summary>
    private static ulong[] OnlinePgdats(KernelView kernel, string dumpName)
    {
        var nodes = OnlineNodes.Read(kernel);
        // With no map upstream counts one node but cannot find it: next_online_node fails.
        if (nodes.Count == 0) throw Fail(dumpName, "_exclude_free_page", "Can't get next online node.");
        var pgdats = new ulong[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
            pgdats[i] = NextOnlinePgdat(kernel, nodes[i]) ?? throw Fail(dumpName, "_exclude_free_page", i == 0 ? "Can't get pgdat list." : $"Can't determine pgdat list (node {nodes[i]}).");
        return pgdats;
    }

    /// <summary>next_online_pgdat: node_data[node], else pgdat_list[node], else contig_page_data (FLATMEM).</summary>
    private static ulong? NextOnlinePgdat(KernelView kernel, int node)
    {
        var info = kernel.VmcoreInfo;
        ulong? Read(VirtAddr at)
        {
            try
            {
                var value = kernel.Memory.ReadWord(at);
                return IsKernelAddress(value) ? value : null;
            }
            catch (KdumpException)
            {
                return null;
            }
        }
        if (info.TryGetSymbol("node_data", out var nodeData) && nodeData.Value != 0 && info.TryGetLength("node_data", out _)
            && Read(nodeData.Add((ulong)node * 8)) is { } fromNodeData)
            return fromNodeData;
        if (info.TryGetSymbol("pgdat_list", out var list) && list.Value != 0)
        {
            var hasLength = info.TryGetLength("pgdat_list", out var length);
            if ((node == 0 || hasLength) && (!hasLength || length >= (ulong)node) && Read(list.Add((ulong)node * 8)) is { } fromList)
                return fromList;
        }
        // pgdat_next chains (2.6.16 and older) are not followed.
        return node == 0 && info.TryGetSymbol("contig_page_data", out var contig) && contig.Value != 0 ? contig.Value : null;
    }

    // is_kvaddr on x86_64: the kernel half of the address space.
    private static bool IsKernelAddress(ulong address) => address >= 0xffff_8000_0000_0000;

    /// <summary>
    /// Walks every free list and calls <paramref name="mark"/> with each free block's first pfn and
    /// page count (1 &lt;&lt; order), in upstream's order. Returns nothing; a broken list is an error.
    /// </summary>
    public void Walk(Action<ulong, ulong> mark)
    {
        var memory = _kernel.Memory;
        // Every free page is in one block: more list entries than pages means a loop.
        var budget = _maxMapNr + 1;
        foreach (var pgdat in _pgdats)
        {
            var nodeZones = unchecked(pgdat + _f.NodeZones);
            var nrZones = memory.ReadU32(new VirtAddr(unchecked(pgdat + _f.NrZones)));
            if (nrZones > 64) throw DumpErrors.Corrupt(_dumpName, "pglist_data.nr_zones", nrZones.ToString(), null, $"of the pgdat at 0x{pgdat:x} is more than 64");
            for (ulong z = 0; z < nrZones; z++)
            {
                var zone = unchecked(nodeZones + (z * _f.ZoneSize));
                if (memory.ReadWord(new VirtAddr(unchecked(zone + _f.SpannedPages))) == 0) continue;
                for (var order = _orders - 1; order >= 0; order--)
                {
                    for (var type = 0; type < _migrateTypes; type++)
                    {
                        var head = unchecked(zone + _f.FreeArea + (_f.FreeAreaSize * (ulong)order) + _f.FreeList + (_f.ListHeadSize * (ulong)type));
                        var previous = head;
                        var current = memory.ReadWord(new VirtAddr(unchecked(head + _f.Next)));
                        while (current != head)
                        {
                            if (--budget == 0)
                                throw DumpErrors.Corrupt(_dumpName, "free list", $"0x{head:x}", null, "has more entries than the dump has pages (a loop)");
                            var pfn = PageToPfn(unchecked(current - _f.Lru));
                            if (memory.ReadWord(new VirtAddr(unchecked(current + _f.Prev))) != previous)
                                throw Fail(_dumpName, "reset_bitmap_of_free_pages", "The free list is broken.");
                            mark(pfn, 1UL << order);
                            previous = current;
                            current = memory.ReadWord(new VirtAddr(unchecked(current + _f.Next)));
                        }
                    }
                }
            }
        }
    }

    private int _lastSection;

    /// <summary>page_to_pfn: the first section whose struct-page array holds <paramref name="page"/>.</summary>
    private ulong PageToPfn(ulong page)
    {
        if (TryIn(_lastSection, page, out var pfn)) return pfn;
        for (var i = 0; i < _sections.Count; i++)
        {
            if (!TryIn(i, page, out pfn)) continue;
            _lastSection = i;
            return pfn;
        }
        throw Fail(_dumpName, "page_to_pfn", $"Can't convert the address of page descriptor ({page:x}) to pfn.");
    }

    private bool TryIn(int index, ulong page, out ulong pfn)
    {
        pfn = 0;
        if (index >= _sections.Count) return false;
        var s = _sections[index];
        if (page < s.MemMap) return false;
        var i = (page - s.MemMap) / _pageStructSize;
        if (i >= s.EndPfn - s.StartPfn) return false;
        pfn = s.StartPfn + i;
        return true;
    }
}
