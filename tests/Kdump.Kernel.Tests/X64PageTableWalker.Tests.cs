using Kdump.Kernel.Arch;
using Kdump.Kernel.Arch.X64;
using Kdump.Kernel.Memory;
using Kdump.Kernel.Tests.Synthetic;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Tests;

public class X64PageTableWalkerTests
{
    private static IVirtualTranslator Walker(SyntheticKernel k)
    {
        var info = VmcoreInfo.Parse(System.Text.Encoding.ASCII.GetBytes(k.VmcoreInfo));
        var arch = KernelArchitectures.Detect(info);
        Assert.Same(X64Architecture.Instance, arch);
        return arch!.CreatePageTableTranslator(info, k.Physical, []);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Translates_kernel_text_through_2MiB_pages(int levels)
    {
        var k = new SyntheticKernel(levels, physBase: 0x3e00000);
        var t = Walker(k).Translate(new VirtAddr(0xffffffff81234567));
        Assert.True(t.IsOk, t.Reason);
        Assert.Equal(0xffffffff81234567 - SyntheticKernel.StartKernelMap + 0x3e00000, t.Physical.Value);
        Assert.Equal((1UL << 21) - 0x34567, t.ContiguousBytes);
    }

    [Theory]
    [InlineData(4, null)]
    [InlineData(5, null)]
    [InlineData(4, 0xffff9d5f40000000UL)]   // a KASLR-randomised direct map base
    public void Translates_the_direct_map_through_1GiB_pages(int levels, ulong? pageOffset)
    {
        var k = new SyntheticKernel(levels, pageOffset: pageOffset);
        var t = Walker(k).Translate(new VirtAddr(k.PageOffset + 0x87654321));
        Assert.True(t.IsOk, t.Reason);
        Assert.Equal(0x87654321UL, t.Physical.Value);
        Assert.Equal((1UL << 30) - 0x07654321, t.ContiguousBytes);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Reads_across_4KiB_pages_that_are_not_physically_contiguous(int levels)
    {
        var k = new SyntheticKernel(levels);
        k.Map4K(SyntheticKernel.VmallocVa, 0x7000000);
        k.Map4K(SyntheticKernel.VmallocVa + 4096, 0x5000000);
        k.Physical.Write(0x7000ffc, [1, 2, 3, 4]);
        k.Physical.Write(0x5000000, [5, 6, 7, 8]);
        var memory = new KernelMemory(k.Physical, Walker(k), Primitives.DataLayout.LittleEndian64);
        var buffer = new byte[8];
        memory.Read(new VirtAddr(SyntheticKernel.VmallocVa + 4092), buffer);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], buffer);
    }

    [Fact]
    public void Not_present_entries_and_missing_table_pages_are_told_apart()
    {
        var k = new SyntheticKernel();
        k.Map4K(SyntheticKernel.VmallocVa, 0x7000000);
        k.ClearLeaf(SyntheticKernel.VmallocVa, 12);
        var walker = Walker(k);
        var notPresent = walker.Translate(new VirtAddr(SyntheticKernel.VmallocVa));
        Assert.Equal(TranslationStatus.NotMapped, notPresent.Status);
        Assert.Contains("PTE entry 0x0", notPresent.Reason, StringComparison.Ordinal);
        Assert.Contains("(vmalloc)", notPresent.Reason, StringComparison.Ordinal);

        var unmapped = walker.Translate(new VirtAddr(0xffffea0000000000));
        Assert.Equal(TranslationStatus.NotMapped, unmapped.Status);

        k.Physical.Remove(k.Root);
        Assert.Equal(TranslationStatus.TableNotStored, walker.Translate(new VirtAddr(0xffffffff81000000)).Status);
        var memory = new KernelMemory(k.Physical, walker, Primitives.DataLayout.LittleEndian64, "vmcore");
        var ex = Assert.Throws<KernelAddressNotMappedException>(() => memory.ReadU64(new VirtAddr(0xffffffff81000000)));
        Assert.Equal(0xffffffff81000000, ex.Address);
    }

    [Fact]
    public void The_sme_mask_is_cleared_from_entries()
    {
        var k = new SyntheticKernel();
        const ulong CBit = 1UL << 47;
        k.Map4K(SyntheticKernel.VmallocVa, 0x7000000 | CBit);
        var info = VmcoreInfo.Parse(System.Text.Encoding.ASCII.GetBytes(k.VmcoreInfo + $"NUMBER(sme_mask)={CBit}\n"));
        var t = X64Architecture.Instance.CreatePageTableTranslator(info, k.Physical, []).Translate(new VirtAddr(SyntheticKernel.VmallocVa + 5));
        Assert.Equal(0x7000005UL, t.Physical.Value);
    }

    [Fact]
    public void Phys_base_falls_back_to_the_kernel_text_segment()
    {
        var info = VmcoreInfo.Parse("SYMBOL(init_top_pgt)=ffffffff82000000\n"u8);
        var segments = new[] { new Kdump.Memory.KernelSegment(new VirtAddr(0xffffffff81000000), new PhysAddr(0x5000000), 1 << 24) };
        Assert.Equal(0x4000000UL, X64Architecture.GetPhysBase(info, segments));
        Assert.Equal(0UL, X64Architecture.GetPhysBase(info, []));
    }

    [Fact]
    public void Phys_base_skips_a_kernel_text_segment_without_a_physical_address()
    {
        // kexec-tools writes p_paddr -1 for a segment it has no physical address for; upstream's
        // get_phys_base_x86_64 passes over it (NOT_PADDR).
        var info = VmcoreInfo.Parse("SYMBOL(init_top_pgt)=ffffffff82000000\n"u8);
        var segments = new[]
        {
            new Kdump.Memory.KernelSegment(new VirtAddr(0xffffffffa0000000), new PhysAddr(ulong.MaxValue), 1 << 20),
            new Kdump.Memory.KernelSegment(new VirtAddr(0xffffffff81000000), new PhysAddr(0x5000000), 1 << 24),
        };
        Assert.Equal(0x4000000UL, X64Architecture.GetPhysBase(info, segments, out var source));
        Assert.Equal(PhysBaseSource.PtLoad, source);
        Assert.Equal(0UL, X64Architecture.GetPhysBase(info, segments[..1], out source));
        Assert.Equal(PhysBaseSource.Default, source);
        var withNumber = VmcoreInfo.Parse("SYMBOL(init_top_pgt)=ffffffff82000000\nNUMBER(phys_base)=16777216\n"u8);
        Assert.Equal(0x1000000UL, X64Architecture.GetPhysBase(withNumber, segments, out source));
        Assert.Equal(PhysBaseSource.VmcoreInfo, source);
    }

    [Fact]
    public void A_root_symbol_below_the_kernel_map_is_corrupt()
    {
        var info = VmcoreInfo.Parse("SYMBOL(init_top_pgt)=1000\n"u8);
        Assert.Throws<DumpCorruptException>(() => X64Architecture.Instance.CreatePageTableTranslator(info, new FakePhysicalMemory(), []));
    }

    [Fact]
    public void Segment_translation_takes_the_first_covering_segment_like_kexec_tools()
    {
        var segments = new[]
        {
            new Kdump.Memory.KernelSegment(new VirtAddr(0xffffffff81000000), new PhysAddr(0x1000000), 0x2000000),
            new Kdump.Memory.KernelSegment(new VirtAddr(0xffffffff81000000), new PhysAddr(0x9000000), 0x1000),
        };
        var t = new SegmentTranslator(segments).Translate(new VirtAddr(0xffffffff81000010));
        Assert.Equal(0x1000010UL, t.Physical.Value);
        var miss = new SegmentTranslator(segments).Translate(new VirtAddr(0xffff888000000000));
        Assert.Equal("No program header covering vaddr 0xffff888000000000 found", miss.Reason);
    }
}
