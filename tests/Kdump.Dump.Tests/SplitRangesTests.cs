namespace Kdump.Dump.Tests;

/// <summary>
/// --split's file ranges, as makedumpfile's setup_splitting computes them from its splitblock
/// table (the Compat tests show the resulting files equal 1.7.8's byte for byte on real vmcores).
/// </summary>
public sealed class SplitRangesTests
{
    [Fact]
    public void Each_file_takes_whole_blocks_until_it_holds_its_own_share()
    {
        // 30 dumpable pages, 3 files: a share of 10 each; the empty block 1 goes with file 1.
        var ranges = KdumpCompressedDumper.SplitRanges([10, 0, 10, 10], blockPfns: 100, maxMapNr: 400, dumpable: 30, files: 3);
        Assert.Equal([(0UL, 100UL), (100UL, 300UL), (300UL, 400UL)], ranges);
    }

    [Fact]
    public void Shares_are_not_cumulative_so_overshoot_is_not_paid_back()
    {
        // File 0 overshoots (15 for a share of 10); file 1 still wants a full 10.
        var ranges = KdumpCompressedDumper.SplitRanges([15, 5, 5, 5], blockPfns: 8, maxMapNr: 32, dumpable: 30, files: 3);
        Assert.Equal([(0UL, 8UL), (8UL, 24UL), (24UL, 32UL)], ranges);
    }

    [Fact]
    public void A_machine_smaller_than_a_block_puts_every_page_in_the_first_file()
    {
        // One 1 GiB splitblock on a smaller machine: upstream's table has no whole block, and the
        // first file runs to max_mapnr; the others are empty ranges there.
        var ranges = KdumpCompressedDumper.SplitRanges([0], blockPfns: 262144, maxMapNr: 200000, dumpable: 5000, files: 3);
        Assert.Equal([(0UL, 200000UL), (200000UL, 200000UL), (200000UL, 200000UL)], ranges);
    }

    [Fact]
    public void Fewer_dumpable_pages_than_files_leaves_the_first_files_empty()
    {
        var ranges = KdumpCompressedDumper.SplitRanges([1, 1], blockPfns: 64, maxMapNr: 128, dumpable: 2, files: 3);
        Assert.Equal([(0UL, 0UL), (0UL, 0UL), (0UL, 128UL)], ranges);
    }
}
