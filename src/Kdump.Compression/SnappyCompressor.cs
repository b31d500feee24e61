using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Kdump.Compression;

/// <summary>
/// A raw snappy encoder for one page at a time, written for this project from the block format
/// (google/snappy format_description.txt): a varint of the input length, then literal and copy
/// elements. Greedy like snappy's own compressor: 4-byte matches found through a hash table of
/// positions, the lookup step growing by one every 32 bytes without a match, the last 15 bytes
/// never searched. Any snappy decoder reads it; the bytes need not equal libsnappy's.
/// </summary>
/// <remarks>
/// Why not Snappier's <c>Snappy.TryCompress</c>: it makes a compressor object per call, and a
/// million pages of such garbage let the GC's gen-0 budget grow the process by ~20 MiB on a 4 GiB
/// dump (eng/bench/run-4g.sh); this one allocates nothing per call. The table is tagged with a
/// generation (<see cref="PositionTable"/>) instead of being cleared for every page.
/// Not thread-safe: one instance per thread.
/// </remarks>
public sealed unsafe class SnappyCompressor
{
    private const int TableBits = 12;
    private const uint HashMultiplier = 0x1e35a7bd;
    private const int InputMargin = 15;        // snappy's kInputMarginBytes: no search in the last 15 bytes
    private const int MinSearchLength = 17;    // shorter inputs are one literal (snappy: kInputMarginBytes + 2)

    /// <summary>Inputs up to this size: one page of the largest kind makedumpfile writes with snappy.</summary>
    public const int MaxInput = PositionTable.Span;

    private const byte TagLiteral = 0, TagCopy1 = 1, TagCopy2 = 2;

    private readonly PositionTable _table = new(TableBits);

    /// <summary>snappy's MaxCompressedLength: 32 + n + n/6.</summary>
    public static int MaxCompressedLength(int length) => checked(32 + length + length / 6);

    /// <summary>
    /// Compresses <paramref name="source"/> (at most <see cref="MaxInput"/> bytes) into
    /// <paramref name="destination"/>; <see cref="OperationStatus.DestinationTooSmall"/> if it may not fit.
    /// </summary>
    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        if (source.Length > MaxInput) throw new ArgumentOutOfRangeException(nameof(source), $"one page at a time (≤ {MaxInput} bytes)");
        if (destination.Length < MaxCompressedLength(source.Length)) return OperationStatus.DestinationTooSmall;

        fixed (byte* src = source)
        fixed (byte* dst = destination)
        fixed (ushort* table = _table.Entries)
        {
            var op = dst;
            // The preamble: the uncompressed length as a little-endian base-128 varint.
            var n = (uint)source.Length;
            for (; n >= 0x80; n >>= 7) *op++ = (byte)((n & 0x7f) | 0x80);
            *op++ = (byte)n;

            var emitted = 0;
            if (source.Length >= MinSearchLength)
                emitted = CompressCore(src, source.Length, table, _table.NextBias(source.Length), ref op);
            if (emitted < source.Length) op = EmitLiteral(op, src + emitted, source.Length - emitted);
            written = (int)(op - dst);
        }
        return OperationStatus.Done;
    }

    /// <summary>Matches in <c>[1, length - 15)</c>; returns how many leading bytes are emitted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CompressCore(byte* src, int length, ushort* table, int bias, ref byte* op)
    {
        unchecked
        {
            var limit = src + length - InputMargin;
            var nextEmit = src;
            var ip = src + 1;
            while (true)
            {
                // Step 1: find a 4-byte match, looking less often the longer none is found.
                var skip = 32;
                byte* candidate;
                while (true)
                {
                    var word = Unsafe.ReadUnaligned<uint>(ip);
                    var slot = (word * HashMultiplier) >> (32 - TableBits);
                    var at = table[slot] - bias;
                    table[slot] = (ushort)(ip - src + bias);
                    // An entry of an earlier generation (negative here) reads as position 0, what a
                    // cleared entry means to snappy; without a branch, as its pattern is random.
                    candidate = src + (at & ~(at >> 31));
                    if (Unsafe.ReadUnaligned<uint>(candidate) == word) break;
                    ip += skip++ >> 5;
                    if (ip >= limit) return (int)(nextEmit - src);
                }

                // Step 2: the literals before the match, then copies while the next position matches too.
                var literals = (int)(ip - nextEmit);
                if (literals <= 16)
                {
                    // Short literals (most of them) as one 16-byte copy: the input has ≥ 15 bytes after ip,
                    // and the output bound leaves room for the bytes written past the literal.
                    *op = (byte)((literals - 1) << 2);
                    Unsafe.WriteUnaligned(op + 1, Unsafe.ReadUnaligned<Vector128<byte>>(nextEmit));
                    op += 1 + literals;
                }
                else
                {
                    op = EmitLiteral(op, nextEmit, literals);
                }
                do
                {
                    var len = 4 + MatchLength(ip + 4, candidate + 4, src + length);
                    op = EmitCopy(op, (int)(ip - candidate), len);
                    ip += len;
                    nextEmit = ip;
                    if (ip >= limit) return (int)(nextEmit - src);
                    // The position before ip goes in the table; ip itself is the next candidate.
                    var before = Unsafe.ReadUnaligned<uint>(ip - 1);
                    table[(before * HashMultiplier) >> (32 - TableBits)] = (ushort)(ip - 1 - src + bias);
                    var word = Unsafe.ReadUnaligned<uint>(ip);
                    var slot = (word * HashMultiplier) >> (32 - TableBits);
                    var at = table[slot] - bias;
                    table[slot] = (ushort)(ip - src + bias);
                    candidate = src + (at & ~(at >> 31));
                    if (Unsafe.ReadUnaligned<uint>(candidate) != word) break;
                }
                while (true);
                ip++;
            }
        }
    }

    /// <summary>Equal bytes of <paramref name="a"/> and <paramref name="b"/> (b &lt; a) before <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MatchLength(byte* a, byte* b, byte* end)
    {
        var start = a;
        while (a + 8 <= end)
        {
            var diff = Unsafe.ReadUnaligned<ulong>(a) ^ Unsafe.ReadUnaligned<ulong>(b);
            if (diff != 0) return (int)(a - start) + (BitOperations.TrailingZeroCount(diff) >> 3);
            a += 8;
            b += 8;
        }
        while (a < end && *a == *b) { a++; b++; }
        return (int)(a - start);
    }

    /// <summary>A literal element: length − 1 in the tag (≤ 60) or in 1–2 following bytes (pages are ≤ 64 KiB).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* EmitLiteral(byte* op, byte* from, int length)
    {
        if (length == 0) return op;
        var n = length - 1;
        if (n < 60)
        {
            *op++ = (byte)(TagLiteral | (n << 2));
        }
        else if (n < 256)
        {
            *op++ = TagLiteral | (60 << 2);
            *op++ = (byte)n;
        }
        else
        {
            *op++ = TagLiteral | (61 << 2);
            *op++ = (byte)(n & 0xff);
            *op++ = (byte)(n >> 8);
        }
        Unsafe.CopyBlockUnaligned(op, from, (uint)length);
        return op + length;
    }

    /// <summary>Copy elements for a match: pieces of 64 (leaving ≥ 4), then one of 4–11 bytes within 2 KiB as copy-1, else copy-2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* EmitCopy(byte* op, int offset, int length)
    {
        while (length >= 68)
        {
            op = EmitCopy2(op, offset, 64);
            length -= 64;
        }
        if (length > 64)
        {
            op = EmitCopy2(op, offset, 60);
            length -= 60;
        }
        if (length < 12 && offset < 2048)
        {
            *op++ = (byte)(TagCopy1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            *op++ = (byte)(offset & 0xff);
            return op;
        }
        return EmitCopy2(op, offset, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* EmitCopy2(byte* op, int offset, int length)
    {
        *op++ = (byte)(TagCopy2 | ((length - 1) << 2));
        *op++ = (byte)(offset & 0xff);
        *op++ = (byte)(offset >> 8);
        return op;
    }
}
