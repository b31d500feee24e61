using System.Globalization;
using Kdump.Formats.Dwarf;
using Kdump.Formats.Elf;
using Kdump.Primitives;

namespace Kdump.Makedumpfile.Vmlinux;

/// <summary>
/// VMCOREINFO made from a vmlinux's symbols and DWARF, as makedumpfile's -g writes it
/// (generate_vmcoreinfo: get_symbol_info, get_structure_info, get_srcfile_info, then
/// write_vmcoreinfo_data for x86_64): the same lines in the same order, each only when found.
/// </summary>
/// <remarks>
/// Upstream quirks kept because the file is compared and read by other tools: SIZE(pageflags) is
/// never written (get_structure_size is asked for a typedef named pageflags, not the enum),
/// LENGTH(node_data) is FOUND_ARRAY_TYPE (LONG_MAX - 1) for an array of unknown length, and a
/// symbol whose value is 0 counts as absent.
/// </remarks>
internal sealed class VmlinuxVmcoreInfo
{
    private readonly ElfObject _elf;
    private readonly DebugInfoSearch _search;
    private readonly List<string> _lines = [];

    private VmlinuxVmcoreInfo(ElfObject elf, DebugInfoSearch search)
    {
        _elf = elf;
        _search = search;
    }

    /// <summary>The symbols write_vmcoreinfo_data writes, in its order.</summary>
    private static readonly string[] Symbols =
    [
        "mem_map", "vmem_map", "mem_section", "pkmap_count", "pkmap_count_next", "system_utsname", "init_uts_ns", "_stext",
        "swapper_pg_dir", "init_level4_pgt", "level4_kernel_pgt", "init_top_pgt", "vmlist", "vmap_area_list", "node_online_map",
        "node_states", "node_data", "pgdat_list", "contig_page_data", "prb", "clear_seq", "log_buf", "log_buf_len", "log_end",
        "log_first_idx", "clear_idx", "log_next_idx", "max_pfn", "high_memory", "node_remap_start_vaddr", "node_remap_end_vaddr",
        "node_remap_start_pfn", "vmemmap_list", "mmu_psize_defs", "mmu_vmemmap_psize", "cpu_pgd", "demote_segment_4k",
        "cur_cpu_spec", "free_huge_page",
    ];

    /// <summary>Structure and typedef names, variables and members looked up (for the index).</summary>
    private static readonly string[] Names =
    [
        "page", "folio", "mem_section", "pglist_data", "zone", "free_area", "list_head", "node_memblk_s", "vm_struct", "vmap_area",
        "nodemask_t", "pageflags", "printk_log", "printk_ringbuffer", "prb_desc_ring", "prb_desc", "prb_data_blk_lpos",
        "prb_data_ring", "printk_info", "atomic_long_t", "latched_seq", "log", "vmemmap_backing", "mmu_psize_def", "cpu_spec",
        "uts_namespace", "pud_t", "node_data", "pgdat_list", "node_memblk", "node_remap_start_pfn",
    ];

    private static readonly string[] Enumerators =
    [
        "NR_FREE_PAGES", "N_ONLINE", "pgtable_l5_enabled", "PG_lru", "PG_private", "PG_swapcache", "PG_swapbacked", "PG_buddy",
        "PG_slab", "PG_hwpoison", "PG_hugetlb", "PG_head_mask", "PG_head", "PG_compound", "HUGETLB_PAGE_DTOR",
    ];

    /// <summary>The struct utsname of init_uts_ns: six fields of 65 bytes (sysname, nodename, release, …).</summary>
    private const int UtsFieldLength = 65;

    /// <summary>
    /// The VMCOREINFO text and the kernel release read from the vmlinux's init_uts_ns, or null
    /// after <paramref name="error"/> has had upstream's message.
    /// </summary>
    /// <param name="forGenerate">
    /// -g: the release must be read from the vmlinux's data and a memory model found (generate_vmcoreinfo);
    /// else -x, where initial() needs neither (the dump's VMCOREINFO and memory fill in).
    /// </param>
    /// <param name="forget">Told file ranges of .debug_info already indexed, which a mapped file may drop from memory.</param>
    public static (string Text, string Release)? Generate(ElfObject elf, DwarfFile dwarf, long pageSize, Action<string, string> error,
        bool forGenerate, Action<long, long>? forget = null)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentNullException.ThrowIfNull(dwarf);
        ArgumentNullException.ThrowIfNull(error);
        var search = new DebugInfoSearch(dwarf, Names, Enumerators, error, DebugInfoSearch.ReleaseIndexed(elf, forget));
        return new VmlinuxVmcoreInfo(elf, search).Build(pageSize, error, forGenerate);
    }

    private (string Text, string Release)? Build(long pageSize, Action<string, string> error, bool forGenerate)
    {
        var s = _search;
        ulong Symbol(string name) => name == "pkmap_count_next"
            ? _elf.Symbols.ContainsKey("pkmap_count") ? _elf.NextSymbolValue("pkmap_count") ?? 0 : 0
            : _elf.Symbols.GetValueOrDefault(name);

        // get_str_osrelease_from_vmlinux: -g needs it; -x (initial()) does not read it and takes the
        // dump's OSRELEASE, so there a vmlinux without its data (a separate debuginfo file) is fine.
        var utsname = Symbol("system_utsname");
        if (utsname == 0 && Symbol("init_uts_ns") is var init and not 0)
        {
            var nameOffset = s.MemberOffset("uts_namespace", "name");
            utsname = unchecked(init + (ulong)(nameOffset != DebugInfoSearch.NotFound ? nameOffset : sizeof(int)));
        }
        if (utsname == 0 && forGenerate)
        {
            error("generate_vmcoreinfo", "Can't get the symbol of system_utsname.");
            return null;
        }
        var release = utsname == 0 ? null : ReadRelease(utsname, forGenerate ? error : (_, _) => { });
        if (release is null && forGenerate) return null;

        // get_mem_type's requirement; -g stops here without a memory model.
        var refcount = s.MemberOffset("page", "_refcount");
        var useCount = refcount == DebugInfoSearch.NotFound;
        if (useCount) refcount = s.MemberOffset("page", "_count");
        var mapping = s.MemberOffset("page", "mapping");
        if (mapping == DebugInfoSearch.NotFound)
        {
            // Some vmlinux lack page.mapping: upstream assumes it follows an unsigned long in the first union.
            mapping = s.FirstUnionOffset("page");
            if (mapping != DebugInfoSearch.NotFound) mapping = unchecked(mapping + 8);
        }
        if (forGenerate && !HasMemoryModel(Symbol, refcount, mapping))
        {
            error("generate_vmcoreinfo", "Can't find the memory type.");
            return null;
        }

        if (release is not null) Add("OSRELEASE=" + release);
        Add("PAGESIZE=" + pageSize.ToString(CultureInfo.InvariantCulture));
        foreach (var name in Symbols)
            if (Symbol(name) is var v and not 0) Add($"SYMBOL({name})={v:x}");

        Size("page", s.StructureSize("page"));
        Size("mem_section", s.StructureSize("mem_section"));
        Size("pglist_data", s.StructureSize("pglist_data"));
        Size("zone", s.StructureSize("zone"));
        Size("free_area", s.StructureSize("free_area"));
        Size("list_head", s.StructureSize("list_head"));
        Size("node_memblk_s", s.StructureSize("node_memblk_s"));
        Size("nodemask_t", s.TypedefSize("nodemask_t"));
        // ENUM_TYPE_SIZE_INIT(pageflags) ends up looking for a typedef (see the remarks).
        Size("pageflags", s.TypedefSize("pageflags"));
        var printk = PrintkKind();
        switch (printk)
        {
            case Printk.RingBuffer:
                Size("printk_ringbuffer", s.StructureSize("printk_ringbuffer"));
                Size("prb_desc", s.StructureSize("prb_desc"));
                Size("printk_info", s.StructureSize("printk_info"));
                Size("latched_seq", s.StructureSize("latched_seq"));
                break;
            case Printk.PrintkLog:
                Size("printk_log", s.StructureSize("printk_log"));
                break;
            default:
                Size("log", s.StructureSize("log"));
                break;
        }
        Size("vmemmap_backing", s.StructureSize("vmemmap_backing"));
        Size("mmu_psize_def", s.StructureSize("mmu_psize_def"));

        Offset("page.flags", s.MemberOffset("page", "flags"));
        Offset(useCount ? "page._count" : "page._refcount", refcount);
        Offset("page.mapping", mapping);
        Offset("page.lru", s.MemberOffset("page", "lru"));
        Offset("page._mapcount", s.MemberOffset("page", "_mapcount"));
        Offset("page.private", s.MemberOffset("page", "private"));
        Offset("page.compound_dtor", s.MemberOffset("page", "compound_dtor"));
        Offset("page.compound_order", s.MemberOffset("page", "compound_order"));
        Offset("page.compound_head", s.MemberOffset("page", "compound_head"));
        Offset("folio._folio_dtor", s.MemberOffset("folio", "_folio_dtor"));
        Offset("folio._folio_order", s.MemberOffset("folio", "_folio_order"));
        Offsets("mem_section", "section_mem_map");
        Offsets("pglist_data", "node_zones", "nr_zones", "node_mem_map", "node_start_pfn", "node_spanned_pages", "pgdat_next");
        Offsets("zone", "free_pages", "free_area", "vm_stat", "spanned_pages");
        Offsets("free_area", "free_list");
        Offsets("list_head", "next", "prev");
        Offsets("node_memblk_s", "start_paddr", "size", "nid");
        Offsets("vm_struct", "addr");
        Offsets("vmap_area", "va_start", "list");
        switch (printk)
        {
            case Printk.RingBuffer:
                Offsets("printk_ringbuffer", "desc_ring", "text_data_ring");
                Offsets("prb_desc_ring", "count_bits", "descs", "infos", "head_id", "tail_id");
                Offsets("prb_desc", "state_var", "text_blk_lpos");
                Offsets("prb_data_blk_lpos", "begin", "next");
                Offsets("prb_data_ring", "size_bits", "data");
                Offsets("printk_info", "ts_nsec", "text_len", "caller_id");
                Offsets("atomic_long_t", "counter");
                Offsets("latched_seq", "val");
                break;
            case Printk.PrintkLog:
                Offsets("printk_log", "ts_nsec", "len", "text_len", "caller_id");
                break;
            default:
                // Before 3.11 the record was struct log (written under that name, without caller_id).
                Offsets("log", "ts_nsec", "len", "text_len");
                break;
        }
        Offsets("vmemmap_backing", "phys", "virt_addr", "list");
        Offsets("mmu_psize_def", "shift");
        Offsets("cpu_spec", "mmu_features");
        Offsets("uts_namespace", "name");

        if (Symbol("node_data") != 0) Length("node_data", s.SymbolArrayType("node_data"));
        foreach (var name in (string[])["pgdat_list", "mem_section", "node_memblk", "node_remap_start_pfn"])
            if (Symbol(name) != 0) Length(name, s.SymbolArrayLength(name));
        Length("zone.free_area", s.MemberArrayLength("zone", "free_area"));
        Length("free_area.free_list", s.MemberArrayLength("free_area", "free_list"));

        foreach (var name in (string[])["NR_FREE_PAGES", "N_ONLINE", "pgtable_l5_enabled"]) Number(name, s.EnumNumber(name));
        // NUMBER(sme_mask) comes from a dump only.
        Number("PG_lru", s.EnumNumber("PG_lru"));
        Number("PG_private", s.EnumNumber("PG_private"));
        Number("PG_head_mask", HeadMask());
        foreach (var name in (string[])["PG_swapcache", "PG_swapbacked", "PG_buddy", "PG_slab", "PG_hwpoison", "PG_hugetlb"])
            Number(name, s.EnumNumber(name));
        // PAGE_*_MAPCOUNT_VALUE, phys_base and KERNEL_IMAGE_SIZE are macros or run-time values: no DWARF has them.
        Number("HUGETLB_PAGE_DTOR", s.EnumNumber("HUGETLB_PAGE_DTOR"));

        if (s.TypedefSourceFile("pud_t") is { Length: > 0 } file) Add($"SRCFILE(pud_t)={file}");
        return (string.Concat(_lines.Select(l => l + "\n")), release ?? "");
    }

    private enum Printk
    {
        RingBuffer,   // Linux 5.10+: struct printk_ringbuffer
        PrintkLog,    // 3.11–5.9: struct printk_log
        Log,          // before 3.11: struct log
    }

    private Printk PrintkKind() =>
        _search.StructureSize("printk_ringbuffer") != DebugInfoSearch.NotFound ? Printk.RingBuffer
        : _search.StructureSize("printk_log") != DebugInfoSearch.NotFound ? Printk.PrintkLog
        : Printk.Log;

    /// <summary>NUMBER(PG_head_mask): the enumerator, else 1 &lt;&lt; PG_head (or PG_compound before 2.6.26).</summary>
    private long HeadMask()
    {
        var mask = _search.EnumNumber("PG_head_mask");
        if (mask != DebugInfoSearch.NotFound) return mask;
        var head = _search.EnumNumber("PG_head");
        if (head == DebugInfoSearch.NotFound) head = _search.EnumNumber("PG_compound");
        return head == DebugInfoSearch.NotFound ? DebugInfoSearch.NotFound : unchecked(1L << (int)head);
    }

    /// <summary>
    /// get_mem_type is not NOT_FOUND_MEMTYPE: struct page's basic members, and one of the memory
    /// models (discontig node lists, SPARSEMEM mem_section, or a FLATMEM mem_map).
    /// </summary>
    private bool HasMemoryModel(Func<string, ulong> symbol, long refcount, long mapping)
    {
        var s = _search;
        if (s.StructureSize("page") == DebugInfoSearch.NotFound || s.MemberOffset("page", "flags") == DebugInfoSearch.NotFound
            || refcount == DebugInfoSearch.NotFound || mapping == DebugInfoSearch.NotFound)
            return false;
        const long notFound = DebugInfoSearch.NotFound;
        var nodes = (symbol("node_data") != 0 && s.SymbolArrayType("node_data") != notFound)
            || (symbol("pgdat_list") != 0 && s.MemberOffset("pglist_data", "pgdat_next") != notFound)
            || (symbol("pgdat_list") != 0 && s.SymbolArrayLength("pgdat_list") != notFound);
        if (nodes && s.StructureSize("pglist_data") != notFound && s.MemberOffset("pglist_data", "node_mem_map") != notFound
            && s.MemberOffset("pglist_data", "node_start_pfn") != notFound && s.MemberOffset("pglist_data", "node_spanned_pages") != notFound)
            return true;
        if (symbol("mem_section") != 0 && s.StructureSize("mem_section") != notFound && s.MemberOffset("mem_section", "section_mem_map") != notFound)
            return true;
        return symbol("mem_map") != 0;
    }

    /// <summary>utsname.release from the vmlinux's data at <paramref name="address"/> (vaddr_to_offset_slow, then a read of struct utsname).</summary>
    private string? ReadRelease(ulong address, Action<string, string> error)
    {
        var offset = _elf.FileOffsetOf(address);
        if (offset is null or 0)
        {
            error("get_str_osrelease_from_vmlinux", $"Can't convert vaddr ({address:x}) of utsname to an offset.");
            return null;
        }
        var file = _elf.File.Span;
        if (offset.Value > (ulong)file.Length || (ulong)file.Length - offset.Value < 6 * UtsFieldLength)
        {
            error("get_str_osrelease_from_vmlinux", $"Can't read {_elf.FileName}. Success");
            return null;
        }
        return NulTerminated.Latin1(file.Slice((int)offset.Value + (2 * UtsFieldLength), UtsFieldLength));
    }

    private void Add(string line) => _lines.Add(line);

    private void Size(string name, long value)
    {
        if (value != DebugInfoSearch.NotFound) Add($"SIZE({name})={value}");
    }

    private void Offset(string name, long value)
    {
        if (value != DebugInfoSearch.NotFound) Add($"OFFSET({name})={value}");
    }

    private void Offsets(string structure, params string[] members)
    {
        foreach (var m in members) Offset($"{structure}.{m}", _search.MemberOffset(structure, m));
    }

    private void Length(string name, long value)
    {
        if (value != DebugInfoSearch.NotFound) Add($"LENGTH({name})={value}");
    }

    private void Number(string name, long value)
    {
        if (value != DebugInfoSearch.NotFound) Add($"NUMBER({name})={value}");
    }
}
