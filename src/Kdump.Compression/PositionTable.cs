namespace Kdump.Compression;

/// <summary>
/// The hash table of input positions a greedy LZ encoder (LZO1X-1, snappy) keeps, reused page after
/// page without clearing it for every page: an input of at most <see cref="Span"/> bytes stores
/// <c>position + bias</c>, with a bias one <see cref="Span"/> higher per call (16 calls fit 16 bits),
/// so an entry of an earlier call reads as a negative position — what a cleared entry means to the
/// encoder. Pinned, so the encoder can hold a pointer into it. Not thread-safe.
/// </summary>
internal sealed class PositionTable
{
    /// <summary>Inputs up to this size use generations; longer ones get a cleared table.</summary>
    public const int Span = 4096;

    private const int Generations = 65536 / Span;

    // Generation of the next call; Generations means "clear first".
    private int _generation = Generations;

    public PositionTable(int bits) => Entries = GC.AllocateArray<ushort>(1 << bits, pinned: true);

    public ushort[] Entries { get; }

    /// <summary>What this call adds to positions; clears the table when generations run out or the input is long.</summary>
    public int NextBias(int length)
    {
        if (length > Span || _generation >= Generations)
        {
            Array.Clear(Entries);
            // A long input fills all 16 bits: the next call starts from a clear table again.
            _generation = length > Span ? Generations : 1;
            return 0;
        }
        return _generation++ * Span;
    }
}
