using Kdump.Kernel.Arch;
using Kdump.Kernel.Arch.X64;
using Kdump.Kernel.Pages;
using Kdump.Kernel.Tests.Synthetic;

namespace Kdump.Kernel.Tests;

/// <summary>
/// -e's view of the vmemmap, on synthetic page tables. The expected runs follow makedumpfile's
/// find_vmemmap_x86_64 by hand; the lab's real vmcores are compared with 1.7.8 in the compat tests.
/// </summary>
public class X64VmemmapWalkTests
{
    private const ulong Vmemmap = 0xffffea0000000000;
    private const ulong Huge = 2UL << 20;

    /// <summary>Pfns whose struct pages (64 bytes) one 2 MiB vmemmap page holds.</summary>
    private const ulong PfnsPerHuge = Huge / 64;

    private static X64PageTableWalker Tables(SyntheticKernel k)
    {
        var info = VmcoreInfo.Parse(System.Text.Encoding.ASCII.GetBytes(k.VmcoreInfo));
        return (X64PageTableWalker)KernelArchitectures.Detect(info)!.CreatePageTableTranslator(info, k.Physical, []);
    }

    private static VmemmapBacking? Walk(SyntheticKernel k, int hugePages, out string? error) =>
        X64VmemmapWalk.Find(k.Physical, Tables(k), Vmemmap, 64, (ulong)hugePages * PfnsPerHuge * 4096, out error);

    [Fact]
    public void A_hole_closes_a_run_and_each_run_ends_at_the_first_pfn_of_the_entry_after_it()
    {
        var k = new SyntheticKernel();
        k.Map2M(Vmemmap, 0x10000000);
        k.Map2M(Vmemmap + Huge, 0x10200000);      // contiguous with the first
        // Vmemmap + 2 * Huge is a hole (a memory hole needs no struct pages).
        k.Map2M(Vmemmap + 3 * Huge, 0x20000000);
        var backing = Walk(k, 4, out var error);
        Assert.Null(error);
        Assert.Equal(
            [new VmemmapRun(0x10000, 0x10200, 0, 2 * PfnsPerHuge), new VmemmapRun(0x20000, 0x20000, 3 * PfnsPerHuge, 3 * PfnsPerHuge)],
            backing!.Runs);
    }

    [Fact]
    public void A_jump_in_backing_addresses_closes_a_run()
    {
        var k = new SyntheticKernel();
        k.Map2M(Vmemmap, 0x10000000);
        k.Map2M(Vmemmap + Huge, 0x30000000);
        var backing = Walk(k, 2, out _);
        Assert.Equal(
            [new VmemmapRun(0x10000, 0x10000, 0, PfnsPerHuge), new VmemmapRun(0x30000, 0x30000, PfnsPerHuge, PfnsPerHuge)],
            backing!.Runs);
    }

    [Fact]
    public void The_walk_stops_at_the_struct_page_of_the_highest_address()
    {
        var k = new SyntheticKernel();
        for (ulong i = 0; i < 4; i++) k.Map2M(Vmemmap + i * Huge, 0x10000000 + i * Huge);
        var backing = Walk(k, 2, out _);
        Assert.Equal([new VmemmapRun(0x10000, 0x10200, 0, PfnsPerHuge)], backing!.Runs);
    }

    [Fact]
    public void Trailing_holes_end_the_last_run_where_upstream_ends_it()
    {
        var k = new SyntheticKernel();
        k.Map2M(Vmemmap, 0x10000000);
        k.Map2M(Vmemmap + Huge, 0x10200000);
        // Entries 2 and 3 are holes up to the highest address.
        var backing = Walk(k, 4, out _);
        Assert.Equal(
            [new VmemmapRun(0x10000, 0x10200, 0, 2 * PfnsPerHuge), new VmemmapRun(0x10200, 0x10200, 2 * PfnsPerHuge, 3 * PfnsPerHuge)],
            backing!.Runs);
    }

    [Fact]
    public void Absent_PUD_entries_are_skipped_without_counting()
    {
        var k = new SyntheticKernel();
        // The vmemmap starts in the PUD slot after an empty one (a randomised base): the walk
        // starts at the PUD page's first entry, as upstream, and counts only present ones.
        k.Map2M(Vmemmap + (1UL << 30), 0x10000000);
        var backing = Walk(k, 1, out var error);
        Assert.Null(error);
        Assert.Equal([new VmemmapRun(0x10000, 0x10000, 0, 0)], backing!.Runs);
    }

    [Fact]
    public void A_backing_page_below_2MiB_wraps_as_upstream_instead_of_throwing()
    {
        var k = new SyntheticKernel();
        k.Map2M(Vmemmap, 0);
        k.Map2M(Vmemmap + Huge, Huge);
        var backing = Walk(k, 2, out var error);
        Assert.Null(error);
        Assert.Equal([new VmemmapRun(0, 0x200, 0, PfnsPerHuge)], backing!.Runs);
    }

    [Fact]
    public void No_mapped_entry_is_an_error_not_a_run_from_pfn_0()
    {
        var k = new SyntheticKernel();
        k.Map2M(Vmemmap + (1UL << 39), 0x10000000); // mapped, but under the next PGD entry
        Assert.Null(Walk(k, 1, out var error));
        Assert.Equal($"no 2 MiB vmemmap mapping was found from 0x{Vmemmap:x}", error);
    }

    [Fact]
    public void A_vmemmap_mapped_by_4KiB_pages_is_refused_with_upstreams_words()
    {
        var k = new SyntheticKernel();
        k.Map4K(Vmemmap, 0x10000000);
        Assert.Null(Walk(k, 1, out var error));
        Assert.Equal(X64VmemmapWalk.NotHuge, error);
    }

    [Fact]
    public void A_missing_table_page_is_named()
    {
        var k = new SyntheticKernel();
        k.Map2M(Vmemmap, 0x10000000);
        var tables = Tables(k);
        var pgd = BitConverter.ToUInt64(Read(k, tables.RootTable.Value + ((Vmemmap >> 39) & 511) * 8)) & 0x000ffffffffff000;
        k.Physical.Remove(pgd);
        Assert.Null(Walk(k, 1, out var error));
        Assert.Equal($"the pud table at physical 0x{pgd:x} is not in the dump", error);
    }

    private static byte[] Read(SyntheticKernel k, ulong address)
    {
        var b = new byte[8];
        Assert.Equal(Formats.PageReadStatus.Ok, k.Physical.TryRead(new Primitives.Units.PhysAddr(address), b));
        return b;
    }

    [Theory]
    [InlineData(128, 255, 2, 2)]    // whole backing pages: struct pages 128..255 are bytes 8192..16383
    [InlineData(64, 191, 1, 2)]
    [InlineData(32, 159, 1, 1)]     // a partial first page is kept (rounded up), a partial last one too (rounded down)
    [InlineData(32, 95, 0, 0)]      // no whole page inside
    public void Backing_pages_hold_only_the_range_s_struct_pages(ulong first, ulong last, ulong firstPage, ulong pages)
    {
        var backing = new VmemmapBacking([new VmemmapRun(0x1000, 0x1000, 0, PfnsPerHuge)], 64, 4096);
        var found = backing.TryFindBackingPages(first, last, out var pfn, out var count);
        Assert.Equal(pages != 0, found);
        if (found) Assert.Equal((0x1000 + firstPage, pages), (pfn, count));
    }

    [Fact]
    public void The_first_covering_run_decides_even_when_it_holds_no_whole_page()
    {
        // Both runs cover pfns 40..103; in the first their struct pages straddle two backing pages,
        // in the second they fill one. Upstream stops at the first.
        var backing = new VmemmapBacking([new VmemmapRun(0x1000, 0x1000, 20, 200), new VmemmapRun(0x2000, 0x2000, 40, 300)], 64, 4096);
        Assert.False(backing.TryFindBackingPages(40, 103, out _, out _));
        Assert.True(new VmemmapBacking([new VmemmapRun(0x2000, 0x2000, 40, 300)], 64, 4096).TryFindBackingPages(40, 103, out _, out var one));
        Assert.Equal(1UL, one);
    }

    [Theory]
    [InlineData(1000, 1127, 0x2000, 2)]   // starts on the pfn the first run ends on
    [InlineData(2500, 2627, 0x3008, 1)]
    [InlineData(10, 137, 0x1001, 1)]
    public void Runs_in_walk_order_are_searched_by_their_first_pfn(ulong first, ulong last, ulong backingPfn, ulong pages)
    {
        var backing = new VmemmapBacking(
            [new VmemmapRun(0x1000, 0x1000, 0, 1000), new VmemmapRun(0x2000, 0x2000, 1000, 2000), new VmemmapRun(0x3000, 0x3000, 2000, 3000)], 64, 4096);
        Assert.True(backing.TryFindBackingPages(first, last, out var pfn, out var count));
        Assert.Equal((backingPfn, pages), (pfn, count));
    }

    [Fact]
    public void A_range_past_a_run_s_end_is_not_looked_up_elsewhere()
    {
        var backing = new VmemmapBacking([new VmemmapRun(0x1000, 0x1000, 0, 1000), new VmemmapRun(0x2000, 0x2000, 900, 5000)], 64, 4096);
        Assert.True(backing.TryFindBackingPages(900, 1100, out var pfn, out _));
        Assert.Equal(0x2000UL, pfn);
    }
}
