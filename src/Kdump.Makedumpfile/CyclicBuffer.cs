namespace Kdump.Makedumpfile;

/// <summary>makedumpfile's cyclic bitmap buffer: its size, and whether its bitmaps are built in one cycle.</summary>
internal static class CyclicBuffer
{
    private const ulong MaximumBytes = 4UL << 20;

    /// <summary>
    /// calculate_cyclic_buffer_size without --cyclic-buffer: both bitmaps (max_mapnr * 2 / 8 bytes,
    /// rounded down, divided among the --split files), at most 4 MiB and 60 % of MemFree.
    /// </summary>
    public static ulong Bytes(ulong maxMapNr, int files, long? freeBytes)
    {
        var free = (ulong)Math.Max(0, freeBytes ?? 0);
        var limit = Math.Min((ulong)(free * 0.6), MaximumBytes);
        // Past 2^40 pfns the bitmaps are far above the 4 MiB cap; the test keeps the products exact.
        return maxMapNr > 1UL << 40 ? limit : Math.Min(limit, maxMapNr * 2 / 8 / (ulong)Math.Max(files, 1));
    }

    /// <summary>
    /// initial()'s choice without --cyclic-buffer: one cycle when both bitmaps fit the buffer of
    /// <see cref="Bytes"/>. Its rounding makes a max_mapnr that is not a multiple of 4 stay cyclic:
    /// upstream's, kept because the -E report and the bitmap bytes written depend on it. With two
    /// or more files it never fits.
    /// </summary>
    public static bool FitsOneCycle(ulong maxMapNr, int files, long? freeBytes) =>
        maxMapNr <= 1UL << 40 && Bytes(maxMapNr, files, freeBytes) * 8 >= maxMapNr * 2;
}
