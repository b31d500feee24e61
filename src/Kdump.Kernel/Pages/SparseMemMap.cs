using System.Globalization;
using System.Numerics;
using Kdump.Kernel.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Pages;

/// <summary>
/// Finds every section's struct-page array from VMCOREINFO (makedumpfile's
/// <c>get_mm_sparsemem</c>): SPARSEMEM (an array of <c>struct mem_section</c>) or
/// SPARSEMEM_EXTREME (an array of root pointers, each to a page of <c>struct mem_section</c>).
/// <c>section_mem_map</c> holds the section's mem_map minus <c>start_pfn * sizeof(struct page)</c>
/// with flag bits in its low bits. SPARSEMEM_VMEMMAP needs no special case: its decoded addresses
/// are simply <c>vmemmap + pfn * sizeof(struct page)</c>.
/// </summary>
public sealed class SparseMemMap
{
    /// <summary>SECTION_MARKED_PRESENT.</summary>
    private const ulong SectionMarkedPresent = 1;

    /// <summary>makedumpfile masks the low five flag bits (SECTION_MAP_LAST_BIT = 1 &lt;&lt; 5) whatever the kernel.</summary>
    private const ulong SectionMapMask = ~0x1fUL;

    /// <summary>x86_64's kernel half starts here; decoded mem_maps below it are rejected (upstream's is_kvaddr).</summary>
    private const ulong KernelHalf = 0xffff800000000000;

    /// <summary>Bounds the root and section arrays read before allocation (2^20 sections = 128 TiB of 128 MiB sections).</summary>
    private const ulong MaxSections = 1UL << 20;

    private SparseMemMap(bool extreme, ulong pagesPerSection, IReadOnlyList<MemMapSection> sections)
    {
        IsExtreme = extreme;
        PagesPerSection = pagesPerSection;
        Sections = sections;
    }

    /// <summary>True for SPARSEMEM_EXTREME (makedumpfile prints "SPARSEMEM_EX").</summary>
    public bool IsExtreme { get; }

    public ulong PagesPerSection { get; }

    /// <summary>Present sections in pfn order, each clipped to <c>max_mapnr</c>.</summary>
    public IReadOnlyList<MemMapSection> Sections { get; }

    /// <exception cref="VmcoreInfoMissingException">SYMBOL(mem_section), SIZE(mem_section) or OFFSET(mem_section.section_mem_map) is missing.</exception>
    /// <exception cref="DumpCorruptException">No section decodes to a kernel address, or sizes are absurd.</exception>
    public static SparseMemMap Discover(KernelView kernel, ulong maxMapNr, string? dumpName = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var info = kernel.VmcoreInfo;
        const string Purpose = "finding struct pages (SPARSEMEM)";
        var memSection = info.RequireSymbol("mem_section", Purpose);
        var sectionSize = info.RequireSize("mem_section", Purpose);
        var mapOffset = info.RequireOffset("mem_section.section_mem_map", Purpose);
        var pageStructSize = info.RequireSize("page", Purpose);
        var pageSizeValue = info.PageSize ?? kernel.Memory.Physical.PageSize;
        if (pageSizeValue <= 0 || !long.IsPow2(pageSizeValue))
            throw DumpErrors.Corrupt(dumpName, "VMCOREINFO PAGESIZE", pageSizeValue.ToString(CultureInfo.InvariantCulture), null, "not a power of two");
        var pageSize = (ulong)pageSizeValue;
        if (sectionSize < 8 || sectionSize > pageSize || mapOffset > sectionSize - 8)
            throw DumpErrors.Corrupt(dumpName, "VMCOREINFO SIZE(mem_section)", sectionSize.ToString(CultureInfo.InvariantCulture), null,
                $"inconsistent with PAGESIZE={pageSize} and OFFSET(mem_section.section_mem_map)={mapOffset}");
        var pageShift = BitOperations.Log2(pageSize);
        var sectionSizeBits = info.TryGetNumber("SECTION_SIZE_BITS", out var ssb) ? ssb : 27;
        // x86_64 defaults: 46 bits with 4-level paging, 52 with 5-level (arch/x86_64.c).
        var maxPhysmemBits = info.TryGetNumber("MAX_PHYSMEM_BITS", out var mpb) ? mpb
            : info.TryGetNumber("pgtable_l5_enabled", out var l5) && l5 != 0 ? 52 : 46;
        if (sectionSizeBits <= pageShift || sectionSizeBits > 40 || maxPhysmemBits < sectionSizeBits || maxPhysmemBits > 64)
            throw DumpErrors.Corrupt(dumpName, "VMCOREINFO NUMBER(SECTION_SIZE_BITS)", sectionSizeBits.ToString(CultureInfo.InvariantCulture), null,
                $"inconsistent with PAGESIZE={pageSize} and MAX_PHYSMEM_BITS={maxPhysmemBits}");

        var pagesPerSection = 1UL << (int)(sectionSizeBits - pageShift);
        var numSections = (maxMapNr + pagesPerSection - 1) / pagesPerSection;
        if (numSections > MaxSections)
            throw DumpErrors.OverLimit(dumpName, "number of SPARSEMEM sections", numSections, MaxSections, null);
        var sectionsShift = (int)(maxPhysmemBits - sectionSizeBits);
        var perRootExtreme = pageSize / sectionSize;
        var nrMemSections = sectionsShift >= 63 ? ulong.MaxValue : 1UL << sectionsShift;
        var extreme = !info.TryGetLength("mem_section", out var length)
            || length == (nrMemSections / perRootExtreme) + (nrMemSections % perRootExtreme == 0 ? 0UL : 1UL);

        var reader = new SectionReader(kernel.Memory, sectionSize, mapOffset, pageStructSize, pagesPerSection, maxMapNr, extreme, perRootExtreme, numSections);
        var sections = reader.TryDecode(memSection.Value);
        // 4.15+ with -x vmlinux: the symbol is a pointer to the root array (get_mem_section's retry).
        if (sections is null && extreme)
            sections = reader.TryDecode(kernel.Memory.ReadWord(memSection));
        return sections is null
            ? throw DumpErrors.Corrupt(dumpName, "mem_section", $"0x{memSection.Value:x}", null, "no present section decodes to a kernel address (Could not validate mem_section)")
            : new SparseMemMap(extreme, pagesPerSection, sections);
    }

    private sealed class SectionReader(KernelMemory memory, ulong sectionSize, ulong mapOffset, ulong pageStructSize,
        ulong pagesPerSection, ulong maxMapNr, bool extreme, ulong perRootExtreme, ulong numSections)
    {
        public List<MemMapSection>? TryDecode(ulong root)
        {
            var perRoot = extreme ? perRootExtreme : 1;
            var rootCount = (numSections + perRoot - 1) / perRoot;
            ulong[]? roots = null;
            if (extreme)
            {
                var bytes = memory.ReadBytes(new VirtAddr(root), checked(rootCount * 8), (int)(MaxSections * 8), "mem_section root array");
                roots = new ulong[rootCount];
                var r = new EndianReader(bytes, memory.Layout);
                for (var i = 0; i < roots.Length; i++) roots[i] = r.U64(i * 8);
            }
            var result = new List<MemMapSection>();
            var anyValid = false;
            for (ulong nr = 0; nr < numSections; nr++)
            {
                ulong section;
                if (extreme)
                {
                    var rootPtr = roots![nr / perRoot];
                    if (rootPtr == 0) continue;
                    section = unchecked(rootPtr + ((nr % perRoot) * sectionSize));
                }
                else
                {
                    section = unchecked(root + (nr * sectionSize));
                }
                if (section < KernelHalf) continue;
                var map = memory.ReadWord(new VirtAddr(section).Add(mapOffset));
                if ((map & SectionMarkedPresent) == 0) continue;
                var memMap = unchecked((map & SectionMapMask) + (nr * pagesPerSection * pageStructSize));
                if (memMap < KernelHalf) return null;
                anyValid = true;
                var start = nr * pagesPerSection;
                result.Add(new MemMapSection(nr, start, Math.Min(start + pagesPerSection, maxMapNr), memMap));
            }
            return anyValid ? result : null;
        }
    }
}
