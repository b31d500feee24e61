namespace Kdump.Makedumpfile;

/// <summary>makedumpfile's cyclic bitmap buffer: whether its bitmaps are built in one cycle.</summary>
internal static class CyclicBuffer
{
    private const ulong MaximumBytes = 4UL << 20;

    /// <summary>
    /// initial()'s choice without --cyclic-buffer: one cycle when both bitmaps fit the buffer that
    /// calculate_cyclic_buffer_size picks (at most 4 MiB and 60 % of MemFree, divided among the
    /// --split files). The buffer is max_mapnr * 2 / 8 bytes rounded down, so a max_mapnr that is
    /// not a multiple of 4 stays cyclic: upstream's rounding, kept because the -E report and the
    /// bitmap bytes written depend on it. With two or more files it never fits.
    /// </summary>
    public static bool FitsOneCycle(ulong maxMapNr, int files, long? freeBytes)
    {
        if (maxMapNr > 1UL << 40) return false; // far past the 4 MiB buffer; keeps the products exact
        var bitmaps = maxMapNr * 2 / 8 / (ulong)Math.Max(files, 1);
        var free = (ulong)Math.Max(0, freeBytes ?? 0);
        var buffer = Math.Min(Math.Min((ulong)(free * 0.6), MaximumBytes), bitmaps);
        return buffer * 8 >= maxMapNr * 2;
    }
}
