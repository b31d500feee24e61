using System.Buffers;
using Kdump.Compression;

namespace Kdump.Dump;

/// <summary>
/// A run of pages on their way through the pipeline: read in pfn order, compressed (maybe on a
/// worker), then written in the same order. Buffers are reused, so memory is a few batches.
/// </summary>
internal sealed class PageBatch
{
    /// <summary>Stored size meaning "zero page: use the shared descriptor".</summary>
    public const int ZeroPage = -1;

    private readonly int _pageSize;
    private readonly int _slotBytes;

    public PageBatch(int capacity, int pageSize)
    {
        Capacity = capacity;
        _pageSize = pageSize;
        // Room for every codec's worst case (snappy's 32 + n + n/6 is the largest).
        _slotBytes = 2 * pageSize;
        Pfns = new ulong[capacity];
        Input = new byte[checked(capacity * pageSize)];
        Output = new byte[checked(capacity * _slotBytes)];
        Sizes = new int[capacity];
        Flags = new uint[capacity];
    }

    public int Capacity { get; }

    public int Count { get; set; }

    public ulong[] Pfns { get; }

    public byte[] Input { get; }

    public byte[] Output { get; }

    public int[] Sizes { get; }

    public uint[] Flags { get; }

    public Exception? Error { get; set; }

    public ManualResetEventSlim Done { get; } = new(false);

    public Span<byte> Page(int i) => Input.AsSpan(i * _pageSize, _pageSize);

    /// <summary>What to write for page <paramref name="i"/>: compressed bytes, or the page itself when stored raw.</summary>
    public ReadOnlySpan<byte> Stored(int i) =>
        Flags[i] == 0 ? Input.AsSpan(i * _pageSize, _pageSize) : Output.AsSpan(i * _slotBytes, Sizes[i]);

    /// <summary>
    /// Zero check then compression, page by page. A page is kept compressed only if the codec
    /// succeeded and the result is smaller than a page (makedumpfile write_kdump_pages_cyclic).
    /// </summary>
    public void Compress(IPageCodec? codec, bool excludeZero)
    {
        for (var i = 0; i < Count; i++)
        {
            var page = Page(i);
            if (excludeZero && !page.ContainsAnyExcept((byte)0))
            {
                Sizes[i] = ZeroPage;
                Flags[i] = 0;
                continue;
            }
            if (codec is not null)
            {
                var slot = Output.AsSpan(i * _slotBytes, _slotBytes);
                if (codec.Compress(page, slot, out var n) == OperationStatus.Done && n > 0 && n < _pageSize)
                {
                    Sizes[i] = n;
                    Flags[i] = (uint)codec.Flag;
                    continue;
                }
            }
            Sizes[i] = _pageSize;
            Flags[i] = 0;
        }
    }
}
