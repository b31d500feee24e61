using System.Text;
using Kdump.Kernel.Arch.X64;
using Kdump.Memory;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Tests.Synthetic;

/// <summary>
/// A tiny x86_64 kernel address space built in fake physical memory: page tables rooted at
/// <c>init_top_pgt</c> (4 or 5 levels) mapping the kernel image with 2 MiB pages, the direct map
/// with 1 GiB pages and a vmalloc window with 4 KiB pages, plus a VMCOREINFO text builder.
/// </summary>
internal sealed class SyntheticKernel
{
    public const ulong StartKernelMap = X64AddressLayout.StartKernelMap;
    public const ulong KernelImageVa = 0xffffffff81000000;
    public const ulong VmallocVa = 0xffffc90000000000;

    private ulong _nextTablePage = 0x100000;   // page-table pages from 1 MiB up
    private ulong _nextDataVa;                 // kernel .data allocations
    private ulong _nextDirectPa = 0x20000000;  // direct-map allocations from 512 MiB up
    private readonly StringBuilder _vmcoreInfo = new();

    public SyntheticKernel(int levels = 4, ulong physBase = 0x1000000, ulong? pageOffset = null)
    {
        Levels = levels;
        PhysBase = physBase;
        PageOffset = pageOffset ?? (levels == 5 ? X64AddressLayout.FiveLevel.PageOffset : X64AddressLayout.FourLevel.PageOffset);
        // The root table lives in the kernel image, as init_top_pgt does.
        InitTopPgt = StartKernelMap + 0x2000000;
        Root = InitTopPgt - StartKernelMap + PhysBase;
        Physical.Write(Root, new byte[4096]);
        MapKernelImage(64 << 20);
        MapDirect(4);
        _nextDataVa = StartKernelMap + 0x2400000;
        Line("OSRELEASE=6.1.0-synthetic");
        Line("PAGESIZE=4096");
        Line($"SYMBOL(init_top_pgt)={InitTopPgt:x}");
        Line($"NUMBER(phys_base)={PhysBase}");
        Line($"NUMBER(pgtable_l5_enabled)={(levels == 5 ? 1 : 0)}");
        Line("KERNELOFFSET=0");
    }

    public FakePhysicalMemory Physical { get; } = new();

    public int Levels { get; }

    public ulong PhysBase { get; }

    public ulong PageOffset { get; }

    public ulong InitTopPgt { get; }

    public ulong Root { get; }

    public string VmcoreInfo => _vmcoreInfo.ToString();

    public void Line(string line) => _vmcoreInfo.Append(line).Append('\n');

    public FakeDump ToDump(IReadOnlyList<KernelSegment>? segments = null, string? vmcoreInfo = null) =>
        new(Physical, vmcoreInfo ?? VmcoreInfo, segments);

    /// <summary>The PT_LOADs a /proc/vmcore of this kernel would have: kernel text then the direct map.</summary>
    public IReadOnlyList<KernelSegment> ProcVmcoreSegments() =>
    [
        new(new VirtAddr(StartKernelMap), new PhysAddr(PhysBase), 64 << 20),
        new(new VirtAddr(PageOffset), new PhysAddr(0), 4UL << 30),
    ];

    /// <summary>Reserves <paramref name="bytes"/> of kernel .data (a global variable) and returns its address.</summary>
    public ulong AllocKernelData(int bytes)
    {
        var va = _nextDataVa;
        _nextDataVa += (ulong)((bytes + 63) & ~63);
        return va;
    }

    /// <summary>Reserves <paramref name="bytes"/> in the direct map (a kmalloc'ed buffer) and returns its virtual address.</summary>
    public ulong AllocDirect(int bytes)
    {
        var pa = _nextDirectPa;
        _nextDirectPa += (ulong)((bytes + 4095) & ~4095);
        return PageOffset + pa;
    }

    public ulong KernelVaToPa(ulong va) =>
        va >= StartKernelMap ? va - StartKernelMap + PhysBase
        : va >= VmallocVa && va < VmallocVa + (1UL << 30) ? throw new InvalidOperationException("vmalloc is page-mapped")
        : va - PageOffset;

    public void WriteVirtual(ulong va, ReadOnlySpan<byte> data) => Physical.Write(KernelVaToPa(va), data);

    public void WriteVirtualU64(ulong va, ulong value) => WriteVirtual(va, BitConverter.GetBytes(value));

    public void WriteVirtualU32(ulong va, uint value) => WriteVirtual(va, BitConverter.GetBytes(value));

    /// <summary>Maps one 4 KiB page at <paramref name="va"/> to <paramref name="pa"/> through a PTE.</summary>
    public void Map4K(ulong va, ulong pa) => SetEntry(va, 12, pa | 0x63);

    /// <summary>Maps one 2 MiB page at <paramref name="va"/> to <paramref name="pa"/> through a PSE PMD entry.</summary>
    public void Map2M(ulong va, ulong pa) => SetEntry(va, 21, pa | 0xe3);

    /// <summary>Clears the present bit of the leaf entry mapping <paramref name="va"/> at <paramref name="shift"/>.</summary>
    public void ClearLeaf(ulong va, int shift) => SetEntry(va, shift, 0);

    private void MapKernelImage(ulong bytes)
    {
        for (ulong off = 0; off < bytes; off += 1 << 21)
            SetEntry(StartKernelMap + off, 21, (PhysBase + off) | 0xe3);   // present, rw, PSE
    }

    private void MapDirect(int gigabytes)
    {
        for (ulong g = 0; g < (ulong)gigabytes; g++)
            SetEntry(PageOffset + (g << 30), 30, (g << 30) | 0xe3);
    }

    /// <summary>Sets the entry for <paramref name="va"/> at level <paramref name="leafShift"/>, creating tables above it.</summary>
    private void SetEntry(ulong va, int leafShift, ulong entry)
    {
        var table = Root;
        Span<byte> b = stackalloc byte[8];
        for (var shift = Levels == 5 ? 48 : 39; ; shift -= 9)
        {
            var slot = table + ((va >> shift) & 511) * 8;
            if (shift == leafShift)
            {
                Physical.WriteU64(slot, entry);
                return;
            }
            if (Physical.TryRead(new PhysAddr(slot), b) != Formats.PageReadStatus.Ok || (BitConverter.ToUInt64(b) & 1) == 0)
            {
                var next = AllocTable();
                Physical.WriteU64(slot, next | 0x63);
                table = next;
            }
            else
            {
                table = BitConverter.ToUInt64(b) & 0x000ffffffffff000;
            }
        }
    }

    private ulong AllocTable()
    {
        var pa = _nextTablePage;
        _nextTablePage += 4096;
        Physical.Write(pa, new byte[4096]);
        return pa;
    }
}
