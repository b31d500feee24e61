using System.Buffers;
using Kdump.Compression;
using Kdump.Memory;

namespace Kdump.Dump;

/// <summary>
/// Pages on their way through the pipeline: dumpable pfns of one aligned span, in pfn order, read in
/// place (a mapping of the input) or copied, then zero-checked and compressed (maybe on a worker), then
/// written in the same order. Compressed pages are packed one after another, so a batch's memory is
/// its span of input plus about a span of output, whatever the codec.
/// </summary>
internal sealed class PageBatch
{
    /// <summary>Stored size meaning "zero page: use the shared descriptor".</summary>
    public const int ZeroPage = -1;

    private readonly int _pageSize;
    private byte[]? _copy;
    private MappedView? _view;
    private byte[]? _patched;
    private int[]? _patchSlot;
    private int _patches;

    public PageBatch(int capacity, int pageSize)
    {
        Capacity = capacity;
        _pageSize = pageSize;
        Pfns = new ulong[capacity];
        // Every kept page is smaller than a page, plus room for one codec's worst case (snappy's
        // 32 + n + n/6 is the largest) at the end.
        Output = new byte[checked((capacity + 2) * pageSize)];
        Sizes = new int[capacity];
        Offsets = new int[capacity];
        Flags = new uint[capacity];
    }

    public int Capacity { get; }

    /// <summary>The most a batch of <paramref name="capacity"/> pages allocates: output, read copy and per-page arrays.</summary>
    public static long Bytes(int capacity, int pageSize) =>
        checked(((long)capacity + 2) * pageSize + (long)capacity * pageSize + capacity * (sizeof(ulong) + 2 * sizeof(int) + sizeof(uint)));

    public int Count { get; set; }

    public ulong[] Pfns { get; }

    public byte[] Output { get; }

    public int[] Sizes { get; }

    public int[] Offsets { get; }

    public uint[] Flags { get; }

    public Exception? Error { get; set; }

    public ManualResetEventSlim Done { get; } = new(false);

    /// <summary>Makes the pages readable: one mapping from the first to the last pfn, else copies run by run.</summary>
    public void Load(DumpInput input)
    {
        if (Count == 0) return;
        var spanPages = checked((int)(Pfns[Count - 1] - Pfns[0] + 1));
        _view = input.TryMapPages(Pfns[0], spanPages);
        if (_view is not null) return;
        _copy ??= new byte[checked(Capacity * _pageSize)];
        var i = 0;
        while (i < Count)
        {
            var run = 1;
            while (i + run < Count && Pfns[i + run] == Pfns[i] + (ulong)run) run++;
            input.ReadPages(Pfns[i], run, _copy.AsSpan(i * _pageSize, run * _pageSize));
            i += run;
        }
    }

    /// <summary>Drops the mapping (after the batch is written, or when it is abandoned).</summary>
    public void Release()
    {
        _view?.Dispose();
        _view = null;
        if (_patches > 0) Array.Fill(_patchSlot!, -1, 0, Count);
        _patches = 0;
        Count = 0;
    }

    /// <summary>
    /// Overwrites the erase ranges in the loaded pages, in pfn order (before the zero check, as
    /// upstream). A page with something to erase is copied first: the input stays untouched.
    /// </summary>
    public void Erase(EraseList.Pass pass)
    {
        for (var i = 0; i < Count; i++)
        {
            var paddr = checked(Pfns[i] * (ulong)_pageSize);
            if (!pass.Touches(paddr, _pageSize)) continue;
            if (_patchSlot is null)
            {
                _patchSlot = new int[Capacity];
                Array.Fill(_patchSlot, -1);
            }
            // Grown as needed: a batch seldom has more than a few pages to patch.
            if (_patched is null || _patched.Length < (_patches + 1) * _pageSize)
                Array.Resize(ref _patched, checked(Math.Min(Capacity, Math.Max(4, 2 * (_patches + 1))) * _pageSize));
            var page = _patched.AsSpan(_patches * _pageSize, _pageSize);
            Page(i).CopyTo(page);
            _patchSlot[i] = _patches++;
            pass.Apply(paddr, page);
        }
    }

    public ReadOnlySpan<byte> Page(int i) => _patches > 0 && _patchSlot![i] >= 0
        ? _patched.AsSpan(_patchSlot[i] * _pageSize, _pageSize)
        : _view is { } v
            ? v.Span.Slice(checked((int)(Pfns[i] - Pfns[0])) * _pageSize, _pageSize)
            : _copy.AsSpan(i * _pageSize, _pageSize);

    /// <summary>What to write for page <paramref name="i"/>: compressed bytes, or the page itself when stored raw.</summary>
    public ReadOnlySpan<byte> Stored(int i) => Flags[i] == 0 ? Page(i) : Output.AsSpan(Offsets[i], Sizes[i]);

    /// <summary>
    /// Zero check then compression, page by page. A page is kept compressed only if the codec
    /// succeeded and the result is smaller than a page (makedumpfile write_kdump_pages_cyclic).
    /// </summary>
    public void Compress(IPageCodec? codec, bool excludeZero)
    {
        var at = 0;
        for (var i = 0; i < Count; i++)
        {
            var page = Page(i);
            if (excludeZero && Kdump.Kernel.Pages.ZeroPage.IsZeroPage(page))
            {
                Sizes[i] = ZeroPage;
                Flags[i] = 0;
                continue;
            }
            if (codec is not null &&
                codec.Compress(page, Output.AsSpan(at), out var n) == OperationStatus.Done && n > 0 && n < _pageSize)
            {
                Offsets[i] = at;
                Sizes[i] = n;
                Flags[i] = (uint)codec.Flag;
                at += n;
                continue;
            }
            Sizes[i] = _pageSize;
            Flags[i] = 0;
        }
    }
}
