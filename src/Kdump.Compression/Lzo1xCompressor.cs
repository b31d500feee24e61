using System.Buffers;
using System.Buffers.Binary;

namespace Kdump.Compression;

/// <summary>
/// An LZO1X-1 encoder written for this project from the stream format (see <see cref="Lzo1xDecoder"/>).
/// It follows liblzo2's <c>lzo1x_1_compress</c> choices so the output is the same bytes: a 2^14-entry
/// table of 16-bit positions hashed from 4 input bytes, matches of at least 4 bytes, no match search
/// and no match extension into the last 20 bytes, and a literal-skip step that grows by one every 32
/// unmatched bytes. Identical bytes matter: a kdump file made with it equals makedumpfile's.
/// </summary>
public sealed class Lzo1xCompressor
{
    private const int DictionaryBits = 14;
    private const uint HashMultiplier = 0x1824429d;
    private const int TailBytes = 20;          // never searched: liblzo's ip_end = in_end - 20
    private const int MaxChunk = 0xbfff;       // liblzo compresses in chunks of at most 49152 bytes

    // Instruction limits of LZO1X (lzo1x's M2/M3/M4 ranges).
    private const int M2MaxLength = 8;
    private const int M2MaxOffset = 0x0800;
    private const int M3MaxLength = 33;
    private const int M3MaxOffset = 0x4000;
    private const int M4MaxLength = 9;
    private const int M3Marker = 32;
    private const int M4Marker = 16;

    private readonly ushort[] _dictionary = new ushort[1 << DictionaryBits];

    /// <summary>Worst-case output for <paramref name="length"/> input bytes (the LZO FAQ bound, as makedumpfile sizes it).</summary>
    public static int MaxCompressedLength(int length) => checked(length + length / 16 + 64 + 3);

    /// <summary>
    /// Compresses <paramref name="source"/> (at most <see cref="MaxChunk"/> bytes: one page) into
    /// <paramref name="destination"/>; <see cref="OperationStatus.DestinationTooSmall"/> if it may not fit.
    /// </summary>
    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        if (source.Length > MaxChunk) throw new ArgumentOutOfRangeException(nameof(source), "one page at a time (≤ 49151 bytes)");
        if (destination.Length < MaxCompressedLength(source.Length)) return OperationStatus.DestinationTooSmall;

        var op = 0;
        var pending = source.Length;           // literals not yet emitted, counted back from the end
        if (source.Length > TailBytes)
        {
            Array.Clear(_dictionary);
            pending = CompressCore(source, destination, ref op);
        }
        if (pending > 0)
        {
            var start = source.Length - pending;
            if (op == 0 && pending <= 238)
                destination[op++] = (byte)(17 + pending);
            else
                EmitLiteralHeader(destination, ref op, pending);
            source.Slice(start, pending).CopyTo(destination[op..]);
            op += pending;
        }
        // End of stream: an M4 instruction with distance 0.
        destination[op++] = M4Marker | 1;
        destination[op++] = 0;
        destination[op++] = 0;
        written = op;
        return OperationStatus.Done;
    }

    /// <summary>Finds matches in <c>[5, length - 20)</c>; returns how many trailing bytes are still literals.</summary>
    private int CompressCore(ReadOnlySpan<byte> src, Span<byte> dst, ref int op)
    {
        var end = src.Length - TailBytes;
        var literalStart = 0;
        var ip = 4;                            // the first 4 bytes are always literals
        var dict = _dictionary;
        var afterMatch = false;
        while (true)
        {
            // Without a match just before, step ahead faster the longer the literal run already is.
            if (!afterMatch) ip += 1 + ((ip - literalStart) >> 5);
            afterMatch = false;
            if (ip >= end) break;
            var word = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
            var slot = (int)(unchecked(HashMultiplier * word) >> (32 - DictionaryBits));
            var candidate = dict[slot];
            dict[slot] = (ushort)ip;
            if (word != BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..])) continue;

            var literals = ip - literalStart;
            if (literals > 0)
            {
                EmitLiteralHeader(dst, ref op, literals);
                src.Slice(literalStart, literals).CopyTo(dst[op..]);
                op += literals;
            }

            var length = MatchLength(src, ip, candidate, end);
            var distance = ip - candidate;
            ip += length;
            literalStart = ip;
            EmitMatch(dst, ref op, length, distance);
            afterMatch = true;
        }
        return src.Length - literalStart;
    }

    /// <summary>
    /// Length of a match already known to cover 4 bytes, compared 8 bytes at a time as liblzo does on
    /// 64-bit little-endian machines: it stops once it reaches the searched end, so a long match may
    /// run up to 7 bytes past it (and that is what makes the bytes equal to liblzo's).
    /// </summary>
    private static int MatchLength(ReadOnlySpan<byte> src, int ip, int candidate, int end)
    {
        var length = 4;
        var diff = BinaryPrimitives.ReadUInt64LittleEndian(src[(ip + length)..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(src[(candidate + length)..]);
        while (diff == 0)
        {
            length += 8;
            diff = BinaryPrimitives.ReadUInt64LittleEndian(src[(ip + length)..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(src[(candidate + length)..]);
            if (ip + length >= end) return length;
        }
        return length + System.Numerics.BitOperations.TrailingZeroCount(diff) / 8;
    }

    /// <summary>A literal run after a match (or the first run when it is too long for the 17+n form).</summary>
    private static void EmitLiteralHeader(Span<byte> dst, ref int op, int count)
    {
        if (count <= 3)
        {
            // Short runs ride in the low two bits of the previous match's first distance byte.
            dst[op - 2] |= (byte)count;
        }
        else if (count <= 18)
        {
            dst[op++] = (byte)(count - 3);
        }
        else
        {
            dst[op++] = 0;
            EmitExtendedCount(dst, ref op, count - 18);
        }
    }

    private static void EmitMatch(Span<byte> dst, ref int op, int length, int distance)
    {
        if (length <= M2MaxLength && distance <= M2MaxOffset)
        {
            var d = distance - 1;
            dst[op++] = unchecked((byte)(((length - 1) << 5) | ((d & 7) << 2)));
            dst[op++] = unchecked((byte)(d >> 3));
            return;
        }
        if (distance <= M3MaxOffset)
        {
            var d = distance - 1;
            if (length <= M3MaxLength)
            {
                dst[op++] = (byte)(M3Marker | (length - 2));
            }
            else
            {
                dst[op++] = M3Marker;
                EmitExtendedCount(dst, ref op, length - M3MaxLength);
            }
            dst[op++] = unchecked((byte)(d << 2));
            dst[op++] = unchecked((byte)(d >> 6));
            return;
        }
        // Distances above 16 KiB: unreachable for 4 KiB pages, kept for larger page sizes.
        var m4 = distance - M3MaxOffset;
        var high = (byte)((m4 & 0x4000) >> 11);
        if (length <= M4MaxLength)
        {
            dst[op++] = (byte)(M4Marker | high | (length - 2));
        }
        else
        {
            dst[op++] = (byte)(M4Marker | high);
            EmitExtendedCount(dst, ref op, length - M4MaxLength);
        }
        dst[op++] = unchecked((byte)(m4 << 2));
        dst[op++] = unchecked((byte)(m4 >> 6));
    }

    /// <summary>A count beyond an instruction's field: a zero byte per 255, then the (non-zero) rest.</summary>
    private static void EmitExtendedCount(Span<byte> dst, ref int op, int count)
    {
        while (count > 255)
        {
            dst[op++] = 0;
            count -= 255;
        }
        dst[op++] = (byte)count;
    }
}
