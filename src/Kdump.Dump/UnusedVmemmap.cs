using Kdump.Kernel.Pages;

namespace Kdump.Dump;

/// <summary>
/// makedumpfile -e (find_unused_vmemmap_pages): the backing pages of struct pages that describe only
/// pages left out are left out too. The 1st and 2nd bitmaps are read in blocks of 4096 bytes, as
/// upstream reads its bitmap files; within a block, each stretch of two or more 64-bit words where
/// every page exists and none is kept is looked up in the vmemmap's runs. A stretch never crosses a
/// block, which is what makes the answer upstream's.
/// </summary>
public sealed class UnusedVmemmap(VmemmapBacking backing, int maxRanges = UnusedVmemmap.MaxRanges)
{
    /// <summary>upstream's BUFSIZE_BITMAP, whatever the page size.</summary>
    public const int BlockBytes = 4096;

    private const int WordBytes = 8;

    /// <summary>
    /// At most this many separate ranges are held (16 bytes each, 16 MiB): past it the remaining
    /// struct pages are kept (<see cref="Capped"/>), so memory stays bounded and nothing kept is lost.
    /// Upstream keeps its list in a --work-dir file.
    /// </summary>
    public const int MaxRanges = 1 << 20;

    private readonly List<PfnRange> _ranges = [];

    /// <summary>Backing pages found so far (upstream's "Excluded N unused vmemmap pages").</summary>
    public long Pages { get; private set; }

    /// <summary>More separate ranges were found than are held; the ones past the limit are kept.</summary>
    public bool Capped { get; private set; }

    /// <summary>
    /// Scans bitmaps of pfns from <paramref name="firstPfn"/> (a multiple of a block's 32768 pfns);
    /// both spans have the same length, a multiple of <see cref="BlockBytes"/>.
    /// </summary>
    public void Scan(ulong firstPfn, ReadOnlySpan<byte> inMemory, ReadOnlySpan<byte> kept)
    {
        if (inMemory.Length != kept.Length || inMemory.Length % BlockBytes != 0 || firstPfn % (BlockBytes * 8) != 0)
            throw new ArgumentException("bitmaps must be whole, aligned 4096-byte blocks of equal length");
        for (var block = 0; block < inMemory.Length; block += BlockBytes)
        {
            var blockPfn = firstPfn + (ulong)block * 8;
            var start = -1;
            var words = BlockBytes / WordBytes;
            for (var i = 0; i < words; i++)
            {
                var at = block + i * WordBytes;
                var unused = BitConverter.ToUInt64(inMemory[at..]) == ulong.MaxValue && BitConverter.ToUInt64(kept[at..]) == 0;
                if (unused)
                {
                    if (start < 0) start = i;
                    continue;
                }
                if (start >= 0) Found(blockPfn, start, i);
                start = -1;
            }
            if (start >= 0) Found(blockPfn, start, words);
        }
    }

    /// <summary>Words [<paramref name="start"/>, <paramref name="end"/>) of a block: one word is 64 struct pages, less than a backing page, so it takes two.</summary>
    private void Found(ulong blockPfn, int start, int end)
    {
        if (end - start < 2) return;
        var first = blockPfn + (ulong)start * 64;
        var last = first + (ulong)(end - start) * 64 - 1;
        if (!backing.TryFindBackingPages(first, last, out var backingPfn, out var count)) return;
        if (_ranges.Count > 0 && _ranges[^1].End == backingPfn)
        {
            _ranges[^1] = _ranges[^1] with { End = backingPfn + count };
        }
        else if (_ranges.Count >= maxRanges)
        {
            Capped = true;
            return;
        }
        else
        {
            _ranges.Add(new PfnRange(backingPfn, backingPfn + count));
        }
        Pages += (long)count;
    }

    /// <summary>The backing pages to leave out, sorted and merged.</summary>
    public PfnRange[] Ranges() => PfnRange.SortAndMerge(_ranges);

    /// <summary>Clears, in a bitmap of pfns from <paramref name="firstPfn"/>, the bits of <paramref name="ranges"/> (sorted) that fall inside it.</summary>
    public static void Clear(ReadOnlySpan<PfnRange> ranges, ulong firstPfn, Span<byte> bitmap)
    {
        var end = firstPfn + (ulong)bitmap.Length * 8;
        // The first range ending after firstPfn.
        int lo = 0, hi = ranges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (ranges[mid].End <= firstPfn) lo = mid + 1;
            else hi = mid;
        }
        for (var k = lo; k < ranges.Length && ranges[k].Start < end; k++)
        {
            for (var pfn = Math.Max(ranges[k].Start, firstPfn); pfn < Math.Min(ranges[k].End, end); pfn++)
            {
                var bit = pfn - firstPfn;
                bitmap[(int)(bit >> 3)] &= unchecked((byte)~(1 << (int)(bit & 7)));
            }
        }
    }
}
