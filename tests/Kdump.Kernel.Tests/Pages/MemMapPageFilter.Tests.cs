using Kdump.Kernel.Pages;

namespace Kdump.Kernel.Tests.Pages;

public sealed class MemMapPageFilterTests
{
    public static TheoryData<KernelEra> Eras => [KernelEra.V4_17, KernelEra.V6_1, KernelEra.V6_6, KernelEra.V6_12];

    [Theory]
    [MemberData(nameof(Eras))]
    public void Each_predicate_maps_to_its_category(KernelEra era)
    {
        var m = new FakeMemMap(era);
        m.SetFlags(10, 1UL << m.PgLru);                                   // page cache
        m.SetFlags(11, (1UL << m.PgLru) | (1UL << m.PgPrivate));          // page cache with buffers
        m.SetMapping(12, 0xffff888001234001);                              // anonymous
        m.SetFlags(13, 1UL << m.PgHwPoison);
        m.Buddy(16, 2);
        if (era != KernelEra.V4_17) m.SetMapcount(20, unchecked((uint)m.OfflineMapcount));

        var all = m.ClassifyAll(DumpLevel.All);
        Assert.Equal(PageCategory.NonPrivateCache, all[10]);
        Assert.Equal(PageCategory.PrivateCache, all[11]);
        Assert.Equal(PageCategory.User, all[12]);
        Assert.Equal(PageCategory.HwPoison, all[13]);
        Assert.All(all[16..20], c => Assert.Equal(PageCategory.Free, c));
        Assert.Equal(era == KernelEra.V4_17 ? PageCategory.Dumpable : PageCategory.Offline, all[20]);
        Assert.Equal(PageCategory.Dumpable, all[21]);

        // -d 2 keeps private cache; hwpoison and offline go whatever the level.
        var d2 = m.ClassifyAll(DumpLevel.CacheWithoutPrivate);
        Assert.Equal(PageCategory.NonPrivateCache, d2[10]);
        Assert.Equal(PageCategory.Dumpable, d2[11]);
        Assert.Equal(PageCategory.Dumpable, d2[12]);
        Assert.Equal(PageCategory.HwPoison, d2[13]);
        Assert.Equal(PageCategory.Dumpable, d2[16]);
    }

    [Fact]
    public void Slab_pages_are_never_anonymous_nor_free()
    {
        var m = new FakeMemMap(KernelEra.V6_1);
        m.SetFlags(30, 1UL << FakeMemMap.PgSlab);
        m.SetMapping(30, 0xffff888001234001);
        m.SetFlags(31, 1UL << FakeMemMap.PgSlab);
        m.Buddy(31, 0);
        var all = m.ClassifyAll(DumpLevel.All);
        Assert.Equal(PageCategory.Dumpable, all[30]);
        Assert.Equal(PageCategory.Dumpable, all[31]);
    }

    [Fact]
    public void On_6_12_slab_is_a_page_type_and_bit_7_is_upstreams_pg_slab_fallback()
    {
        var m = new FakeMemMap(KernelEra.V6_12);
        m.SetMapping(40, 0xffff888001234001);
        m.SetMapcount(40, 0xf5000000);                 // PGTY_slab
        m.SetMapping(41, 0xffff888001234001);
        m.SetFlags(41, 1UL << 7);                      // PG_waiters, read as PG_slab (2.6.25's bit 7)
        m.SetMapping(42, 0xffff888001234001);
        var all = m.ClassifyAll(DumpLevel.User);
        Assert.Equal(PageCategory.Dumpable, all[40]);
        Assert.Equal(PageCategory.Dumpable, all[41]);
        Assert.Equal(PageCategory.User, all[42]);
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void Compound_pages_exclude_head_and_tails_and_hugetlb_is_user(KernelEra era)
    {
        var m = new FakeMemMap(era);
        m.Compound(64, 3, headFlags: 1UL << m.PgLru);          // a page-cache folio of 8 pages
        m.Compound(128, 4, hugetlb: true);                     // a hugetlb page of 16 pages
        m.Compound(256, 2);                                    // a kernel compound page: kept
        var cache = m.ClassifyAll(DumpLevel.CacheWithoutPrivate);
        Assert.All(cache[64..72], c => Assert.Equal(PageCategory.NonPrivateCache, c));
        Assert.Equal(PageCategory.Dumpable, cache[72]);

        var user = m.ClassifyAll(DumpLevel.User);
        Assert.All(user[128..144], c => Assert.Equal(PageCategory.User, c));
        Assert.Equal(PageCategory.Dumpable, user[144]);
        Assert.All(user[256..260], c => Assert.Equal(PageCategory.Dumpable, c));
    }

    [Fact]
    public void A_misaligned_compound_head_counts_as_order_0()
    {
        var m = new FakeMemMap(KernelEra.V6_1);
        m.Compound(66, 3, headFlags: 1UL << m.PgLru);
        var all = m.ClassifyAll(DumpLevel.CacheWithoutPrivate);
        Assert.Equal(PageCategory.NonPrivateCache, all[66]);
        Assert.Equal(PageCategory.Dumpable, all[67]);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(512)]
    [InlineData(7)]
    public void A_buddy_block_spanning_windows_marks_every_page_once(int window)
    {
        var m = new FakeMemMap(KernelEra.V6_1);
        m.Buddy(512, 9);           // a whole section
        m.Buddy(1088, 6);          // 64 pages from mid-section
        var whole = m.ClassifyAll(DumpLevel.Free);
        Assert.All(whole[512..1024], c => Assert.Equal(PageCategory.Free, c));
        Assert.All(whole[1088..1152], c => Assert.Equal(PageCategory.Free, c));
        Assert.Equal(576, whole.Count(c => c == PageCategory.Free));
        Assert.Equal(whole, m.ClassifyAll(DumpLevel.Free, window));
    }

    [Theory]
    [InlineData(800)]
    [InlineData(100)]
    [InlineData(2048)]
    public void Overlapping_blocks_that_reach_past_a_window_are_replayed_in_order(int window)
    {
        // Only a damaged mem_map overlaps blocks: a free block of section 0 reaching into section 1,
        // whose own scan then finds a poisoned compound page inside it. One pass writes the later
        // block over the earlier one; a window that ends inside both must give the same categories.
        var m = new FakeMemMap(KernelEra.V6_1);
        m.Buddy(0, 10);
        m.Compound(768, 6, headFlags: 1UL << m.PgHwPoison);
        var all = m.ClassifyAll(DumpLevel.Free, window);
        Assert.All(all[..768], c => Assert.Equal(PageCategory.Free, c));
        Assert.All(all[768..832], c => Assert.Equal(PageCategory.HwPoison, c));
        Assert.All(all[832..1024], c => Assert.Equal(PageCategory.Free, c));
        Assert.All(all[1024..], c => Assert.Equal(PageCategory.Dumpable, c));
    }

    [Fact]
    public void Windows_out_of_order_rescan_and_agree()
    {
        var m = new FakeMemMap(KernelEra.V6_1);
        m.Buddy(1024, 8);
        var filter = m.Filter(DumpLevel.Free);
        var late = new PageCategory[100];
        filter.Classify(1100, late);
        Assert.All(late, c => Assert.Equal(PageCategory.Free, c));
        var early = new PageCategory[100];
        filter.Classify(1000, early);
        Assert.All(early[..24], c => Assert.Equal(PageCategory.Dumpable, c));
        Assert.All(early[24..], c => Assert.Equal(PageCategory.Free, c));
    }

    [Fact]
    public void An_invalid_free_order_is_kept()
    {
        var m = new FakeMemMap(KernelEra.V6_1);
        m.Buddy(0, 11);
        var all = m.ClassifyAll(DumpLevel.Free);
        Assert.Equal(PageCategory.Dumpable, all[0]);
    }

    [Fact]
    public void Absent_sections_are_not_examined()
    {
        var m = new FakeMemMap(KernelEra.V6_1, absentSection: 1);
        m.SetMapping(600, 0xffff888001234001);
        m.SetMapping(100, 0xffff888001234001);
        var filter = m.Filter(DumpLevel.User);
        Assert.Equal([0UL, 1024UL, 1536UL], filter.Sections.Select(s => s.StartPfn));
        var all = m.ClassifyAll(DumpLevel.User);
        Assert.Equal(PageCategory.User, all[100]);
        Assert.Equal(PageCategory.Dumpable, all[600]);
    }

    [Fact]
    public void Level_zero_without_hwpoison_examines_nothing()
    {
        var m = new FakeMemMap(KernelEra.V6_1);
        Assert.True(m.Filter(DumpLevel.None).ExaminesStructPages);   // PG_hwpoison is exported
        Assert.Equal(PageCategory.HwPoison, Set(m, 5, 1UL << m.PgHwPoison)[5]);
    }

    private static PageCategory[] Set(FakeMemMap m, ulong pfn, ulong flags)
    {
        m.SetFlags(pfn, flags);
        return m.ClassifyAll(DumpLevel.None);
    }
}
