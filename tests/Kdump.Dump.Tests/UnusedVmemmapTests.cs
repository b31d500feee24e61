using Kdump.Kernel.Pages;

namespace Kdump.Dump.Tests;

/// <summary>-e's scan of the bitmaps (makedumpfile find_unused_vmemmap_pages), on hand-made bitmaps.</summary>
public class UnusedVmemmapTests
{
    /// <summary>One run covering pfns 0..2^20 whose struct pages (64 bytes) start at backing pfn 0x1000.</summary>
    private static UnusedVmemmap Finder() => new(new VmemmapBacking([new VmemmapRun(0x1000, 0x1000, 0, 1 << 20)], 64, 4096));

    /// <summary>Two blocks of 32768 pfns, every pfn present and kept.</summary>
    private static (byte[] InMemory, byte[] Kept) Bitmaps()
    {
        var inMemory = new byte[2 * UnusedVmemmap.BlockBytes];
        var kept = new byte[2 * UnusedVmemmap.BlockBytes];
        inMemory.AsSpan().Fill(0xff);
        kept.AsSpan().Fill(0xff);
        return (inMemory, kept);
    }

    private static void Drop(byte[] kept, int firstWord, int words) => kept.AsSpan(firstWord * 8, words * 8).Clear();

    [Fact]
    public void Two_unused_words_give_the_two_backing_pages_of_their_struct_pages()
    {
        var (inMemory, kept) = Bitmaps();
        Drop(kept, 10, 2); // pfns 640..767: struct pages at bytes 40960..49151 = backing pages 10 and 11
        var f = Finder();
        f.Scan(0, inMemory, kept);
        Assert.Equal(2, f.Pages);
        Assert.Equal([new PfnRange(0x1000 + 10, 0x1000 + 12)], f.Ranges());
    }

    [Fact]
    public void One_unused_word_is_not_enough()
    {
        var (inMemory, kept) = Bitmaps();
        Drop(kept, 10, 1);
        Drop(kept, 20, 1);
        var f = Finder();
        f.Scan(0, inMemory, kept);
        Assert.Equal(0, f.Pages);
    }

    [Fact]
    public void A_stretch_stops_at_a_block_boundary_as_upstream_reads_4096_byte_blocks()
    {
        var (inMemory, kept) = Bitmaps();
        Drop(kept, 511, 2); // the last word of block 0 and the first of block 1: one word on each side
        var f = Finder();
        f.Scan(0, inMemory, kept);
        Assert.Equal(0, f.Pages);
    }

    [Fact]
    public void A_hole_in_the_first_bitmap_breaks_a_stretch()
    {
        var (inMemory, kept) = Bitmaps();
        Drop(kept, 100, 5);
        inMemory[102 * 8 + 3] = 0x7f; // one pfn of word 102 does not exist
        var f = Finder();
        f.Scan(0, inMemory, kept);
        // Words 100-101 (backing pages 100, 101) and 103-104 (103, 104); word 102 takes none.
        Assert.Equal(4, f.Pages);
        Assert.Equal([new PfnRange(0x1000 + 100, 0x1000 + 102), new PfnRange(0x1000 + 103, 0x1000 + 105)], f.Ranges());
    }

    [Fact]
    public void Clear_takes_the_ranges_out_of_a_window_of_the_second_bitmap()
    {
        var bitmap = new byte[16];
        bitmap.AsSpan().Fill(0xff);
        UnusedVmemmap.Clear([new PfnRange(10, 20), new PfnRange(1000, 1003), new PfnRange(1100, 1300)], 1000, bitmap);
        // Window pfns 1000..1127: 1000-1002 and 1100-1127 cleared.
        for (var i = 0; i < 128; i++)
        {
            var expected = !(i < 3 || i >= 100);
            Assert.Equal(expected, (bitmap[i >> 3] & (1 << (i & 7))) != 0);
        }
    }

    [Fact]
    public void Past_the_range_limit_struct_pages_are_kept_not_lost()
    {
        var (inMemory, kept) = Bitmaps();
        Drop(kept, 10, 2);
        Drop(kept, 20, 2); // a second, separate range
        var f = new UnusedVmemmap(new VmemmapBacking([new VmemmapRun(0x1000, 0x1000, 0, 1 << 20)], 64, 4096), maxRanges: 1);
        f.Scan(0, inMemory, kept);
        Assert.True(f.Capped);
        Assert.Equal(2, f.Pages);
        Assert.Equal([new PfnRange(0x1000 + 10, 0x1000 + 12)], f.Ranges());
    }
}
