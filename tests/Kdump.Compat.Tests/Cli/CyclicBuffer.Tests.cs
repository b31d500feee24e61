using Kdump.Makedumpfile;

namespace Kdump.Compat.Tests.Cli;

/// <summary>
/// initial()'s one-cycle choice (calculate_cyclic_buffer_size): it decides whether 1.7.8 writes whole
/// bitmap blocks and how the -E report counts. The lab's vmcores (max_mapnr 0x3ffd9) always stay
/// cyclic, so the other branches are shown here.
/// </summary>
public class CyclicBufferTests
{
    private const long Plenty = 1L << 30;

    [Fact]
    public void Bitmaps_that_fit_the_buffer_are_one_cycle()
    {
        Assert.True(CyclicBuffer.FitsOneCycle(0x40000, files: 1, Plenty));
        // The buffer is max_mapnr * 2 / 8 bytes rounded down: a max_mapnr that is not a multiple of 4 never fits.
        Assert.False(CyclicBuffer.FitsOneCycle(0x3ffd9, files: 1, Plenty));
    }

    [Fact]
    public void Split_files_share_the_buffer_so_split_is_always_cyclic()
    {
        Assert.False(CyclicBuffer.FitsOneCycle(0x40000, files: 2, Plenty));
        Assert.False(CyclicBuffer.FitsOneCycle(0x40000, files: 3, Plenty));
    }

    [Fact]
    public void The_buffer_is_at_most_4_MiB_and_60_percent_of_free_memory()
    {
        // 128 KiB of bitmaps: 100 KiB free gives a 60 KiB buffer.
        Assert.False(CyclicBuffer.FitsOneCycle(0x40000, files: 1, 100 << 10));
        Assert.True(CyclicBuffer.FitsOneCycle(0x40000, files: 1, 220 << 10));
        // 64 GiB of memory: 4 MiB of bitmaps fit exactly; one more page of pfns does not.
        Assert.True(CyclicBuffer.FitsOneCycle(16UL << 20, files: 1, Plenty));
        Assert.False(CyclicBuffer.FitsOneCycle((16UL << 20) + 4, files: 1, Plenty));
        Assert.False(CyclicBuffer.FitsOneCycle(0x40000, files: 1, null));
    }
}
