using Kdump.Kernel.Pages;
using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Tests.Pages;

/// <summary>
/// Free pages from the zones' free lists (FreeLists, makedumpfile's exclude_free_page) on a made-up
/// node: what the lists hold is free, whatever struct page says; broken or looping lists are errors.
/// </summary>
public class FreeListsTests
{
    private static readonly (ulong Pfn, int Order, int Type)[] Blocks =
    [
        (16, 4, 0), (600, 0, 1), (601, 0, 1), (1024, 9, 0), (3, 0, 0), (2000, 2, 1),
    ];

    private static HashSet<ulong> FreePfns(IEnumerable<(ulong Pfn, int Order, int Type)> blocks) =>
        [.. blocks.SelectMany(b => Enumerable.Range(0, 1 << b.Order).Select(i => b.Pfn + (ulong)i))];

    [Theory]
    [InlineData(0)]      // one window
    [InlineData(100)]    // windows that cut blocks
    public void The_pages_of_every_listed_block_are_free_and_no_other(int window)
    {
        var map = new FakeMemMap(KernelEra.V6_1);
        // A buddy mark on a page in no list means nothing without PAGE_BUDDY_MAPCOUNT_VALUE.
        map.Buddy(1500, 3);
        map.UseFreeLists(Blocks);
        var categories = map.ClassifyAll(DumpLevel.Free, window);
        var free = FreePfns(Blocks);
        Assert.Equal(512 + 16 + 2 + 1 + 4, free.Count);
        for (ulong pfn = 0; pfn < map.MaxMapNr; pfn++)
            Assert.True((categories[pfn] == PageCategory.Free) == free.Contains(pfn), $"pfn {pfn}: {categories[pfn]}");
    }

    [Fact]
    public void Free_lists_are_read_only_for_level_16()
    {
        var map = new FakeMemMap(KernelEra.V6_1);
        map.UseFreeLists(Blocks);
        Assert.All(map.ClassifyAll(DumpLevel.Zero | DumpLevel.User), c => Assert.NotEqual(PageCategory.Free, c));
    }

    [Fact]
    public void A_prev_link_that_does_not_point_back_is_upstreams_broken_list()
    {
        var map = new FakeMemMap(KernelEra.V6_1);
        map.UseFreeLists(Blocks);
        // The second entry of the order-0, type-1 list (pfn 601) names a prev other than pfn 600.
        map.WriteU64(map.LruOf(601) + 8, map.LruOf(3));
        var e = Assert.ThrowsAny<KdumpException>(() => map.ClassifyAll(DumpLevel.Free));
        Assert.Contains("The free list is broken.", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A list that loops back past its head: the node met again has another predecessor, so the prev
    /// check stops the walk (the bound on entries is the backstop for a damaged check).
    /// </summary>
    [Fact]
    public void A_list_that_loops_without_its_head_ends_with_an_error()
    {
        var map = new FakeMemMap(KernelEra.V6_1);
        map.UseFreeLists(Blocks);
        map.WriteU64(map.LruOf(601), map.LruOf(600));
        var e = Assert.ThrowsAny<KdumpException>(() => map.ClassifyAll(DumpLevel.Free));
        Assert.Contains("The free list is broken.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_free_list_entry_outside_every_mem_map_is_upstreams_page_to_pfn_error()
    {
        var map = new FakeMemMap(KernelEra.V6_1);
        var heads = map.UseFreeLists([(5, 0, 0)]);
        var stray = 0xffff888000000000UL + 0x10_0000UL;
        map.WriteU64(heads[(0, 0)], stray + 8);
        var e = Assert.ThrowsAny<KdumpException>(() => map.ClassifyAll(DumpLevel.Free));
        Assert.Contains("Can't convert the address of page descriptor", e.Message, StringComparison.Ordinal);
    }
}
