using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Kdump.Compression;

/// <summary>
/// An LZO1X-1 encoder written for this project from the stream format (see <see cref="Lzo1xDecoder"/>).
/// It follows liblzo2's <c>lzo1x_1_compress</c> choices so the output is the same bytes: a 2^14-entry
/// table of 16-bit positions hashed from 4 input bytes, matches of at least 4 bytes, no match search
/// and no match extension into the last 20 bytes, and a literal-skip step that grows by one every 32
/// unmatched bytes. Identical bytes matter: a kdump file made with it equals makedumpfile's.
/// </summary>
/// <remarks>
/// liblzo2 clears its 32 KiB table before every call; for inputs of at most 4 KiB (a page) this one
/// tags entries with a generation instead (<see cref="PositionTable"/>), and an entry of an older
/// generation reads as position 0, which is what a cleared entry means to liblzo2. Not thread-safe:
/// one instance per thread.
/// </remarks>
public sealed unsafe class Lzo1xCompressor
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

    private readonly PositionTable _dictionary = new(DictionaryBits);

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

        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var op = dst;
            var pending = source.Length;           // literals not yet emitted, counted back from the end
            if (source.Length > TailBytes)
            {
                var bias = _dictionary.NextBias(source.Length);
                fixed (ushort* dict = _dictionary.Entries)
                    pending = CompressCore(src, source.Length, dst, dict, bias, out op);
            }
            if (pending > 0)
            {
                var start = source.Length - pending;
                if (op == dst && pending <= 238)
                    *op++ = (byte)(17 + pending);
                else
                    op = EmitLiteralHeader(op, pending);
                Unsafe.CopyBlockUnaligned(op, src + start, (uint)pending);
                op += pending;
            }
            // End of stream: an M4 instruction with distance 0.
            op[0] = M4Marker | 1;
            op[1] = 0;
            op[2] = 0;
            op += 3;
            written = (int)(op - dst);
        }
        return OperationStatus.Done;
    }

    /// <summary>Finds matches in <c>[5, length - 20)</c>; returns how many trailing bytes are still literals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CompressCore(byte* src, int length, byte* op, ushort* dict, int bias, out byte* opEnd)
    {
        unchecked
        {
            var end = src + length - TailBytes;
            var first = op;
            var ii = src;                          // start of the pending literals
            var ip = src + 4;                      // the first 4 bytes are always literals
            while (true)
            {
                // Without a match just before, step ahead faster the longer the literal run already is.
                ip += 1 + ((ip - ii) >> 5);
            Next:
                if (ip >= end) break;
                var word = Unsafe.ReadUnaligned<uint>(ip);
                var slot = (HashMultiplier * word) >> (32 - DictionaryBits);
                var pos = (int)(ip - src);
                var candidate = dict[slot] - bias;
                dict[slot] = (ushort)(pos + bias);
                // Entries of an earlier generation (negative here) are liblzo2's cleared entries:
                // position 0. Without a branch: which one it is follows no pattern.
                candidate &= ~(candidate >> 31);
                var mp = src + candidate;
                if (word != Unsafe.ReadUnaligned<uint>(mp)) continue;

                var literals = (int)(ip - ii);
                if (literals <= 16 && op != first)
                {
                    // 0–16 literals without branches (text has a match every few bytes, and each
                    // mispredicted branch costs more than these few instructions): 1–3 ride in the
                    // low two bits of the previous match's first distance byte, 4–16 get a header
                    // byte of n − 3. Bytes written past the run are overwritten by what follows,
                    // and the output bound leaves room for them.
                    var small = (literals - 4) >> 31;                  // −1 for 0–3 literals
                    var target = op + (small & -2);                    // op − 2 for 0–3, else op (rewritten below)
                    *target |= (byte)(literals & small);
                    *op = (byte)(literals - 3);
                    var at = op + 1 + small;
                    Unsafe.WriteUnaligned(at, Unsafe.ReadUnaligned<ulong>(ii));
                    Unsafe.WriteUnaligned(at + 8, Unsafe.ReadUnaligned<ulong>(ii + 8));
                    op = at + literals;
                }
                else if (literals > 0)
                {
                    if (literals <= 3)
                    {
                        op[-2] |= (byte)literals;
                        Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<uint>(ii));
                        op += literals;
                    }
                    else
                    {
                        if (literals <= 18)
                        {
                            *op++ = (byte)(literals - 3);
                        }
                        else
                        {
                            *op++ = 0;
                            var rest = literals - 18;
                            for (; rest > 255; rest -= 255) *op++ = 0;
                            *op++ = (byte)rest;
                        }
                        // No calls in this loop: they would make the register allocator spill its state.
                        var t = literals;
                        for (; t >= 16; t -= 16)
                        {
                            Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<ulong>(ii));
                            Unsafe.WriteUnaligned(op + 8, Unsafe.ReadUnaligned<ulong>(ii + 8));
                            op += 16;
                            ii += 16;
                        }
                        for (; t > 0; t--) *op++ = *ii++;
                    }
                }

                // Match length, 8 bytes at a time as liblzo does on 64-bit little-endian machines: it
                // stops once it reaches the searched end, so a long match may run up to 7 bytes past it.
                var len = 4;
                var diff = Unsafe.ReadUnaligned<ulong>(ip + 4) ^ Unsafe.ReadUnaligned<ulong>(mp + 4);
                if (diff == 0)
                {
                    do
                    {
                        len += 8;
                        diff = Unsafe.ReadUnaligned<ulong>(ip + len) ^ Unsafe.ReadUnaligned<ulong>(mp + len);
                        if (ip + len >= end) goto LengthDone;
                    }
                    while (diff == 0);
                }
                len += BitOperations.TrailingZeroCount(diff) >> 3;
            LengthDone:
                var distance = (int)(ip - mp);
                ip += len;
                ii = ip;
                if (len <= M3MaxLength && distance <= M3MaxOffset)
                {
                    // M2 (2 bytes: length ≤ 8, distance ≤ 2 KiB) or M3 (3 bytes), chosen without a branch.
                    var d = distance - 1;
                    var m2 = (uint)(((len - 1) << 5) | ((d & 7) << 2)) | ((uint)(d >> 3) << 8);
                    var m3 = (uint)(M3Marker | (len - 2)) | ((uint)(d << 2) & 0xff) << 8 | (uint)(d >> 6) << 16;
                    var isM2 = ((len - M2MaxLength - 1) & (distance - M2MaxOffset - 1)) >> 31;   // −1 for M2
                    Unsafe.WriteUnaligned(op, (m2 & (uint)isM2) | (m3 & ~(uint)isM2));
                    op += 3 + isM2;
                }
                else if (distance <= M3MaxOffset)
                {
                    var d = distance - 1;
                    if (len <= M3MaxLength)
                    {
                        *op++ = (byte)(M3Marker | (len - 2));
                    }
                    else
                    {
                        *op++ = M3Marker;
                        var rest = len - M3MaxLength;
                        for (; rest > 255; rest -= 255) *op++ = 0;
                        *op++ = (byte)rest;
                    }
                    op[0] = (byte)(d << 2);
                    op[1] = (byte)(d >> 6);
                    op += 2;
                }
                else
                {
                    // M4: distances above 16 KiB, unreachable for 4 KiB pages, kept for larger page sizes.
                    var m4 = distance - M3MaxOffset;
                    var high = (byte)((m4 & 0x4000) >> 11);
                    if (len <= M4MaxLength)
                    {
                        *op++ = (byte)(M4Marker | high | (len - 2));
                    }
                    else
                    {
                        *op++ = (byte)(M4Marker | high);
                        var rest = len - M4MaxLength;
                        for (; rest > 255; rest -= 255) *op++ = 0;
                        *op++ = (byte)rest;
                    }
                    op[0] = (byte)(m4 << 2);
                    op[1] = (byte)(m4 >> 6);
                    op += 2;
                }
                goto Next;
            }
            opEnd = op;
            return (int)(src + length - ii);
        }
    }

    /// <summary>A literal run's header: after a match (3 &lt; count ≤ 18: one byte) or a long run.</summary>
    private static byte* EmitLiteralHeader(byte* op, int count)
    {
        unchecked
        {
            if (count <= 3)
            {
                op[-2] |= (byte)count;
                return op;
            }
            if (count <= 18)
            {
                *op = (byte)(count - 3);
                return op + 1;
            }
            *op = 0;
            return EmitExtendedCount(op + 1, count - 18);
        }
    }

    /// <summary>A count beyond an instruction's field: a zero byte per 255, then the (non-zero) rest.</summary>
    private static byte* EmitExtendedCount(byte* op, int count)
    {
        unchecked
        {
            while (count > 255)
            {
                *op++ = 0;
                count -= 255;
            }
            *op = (byte)count;
            return op + 1;
        }
    }
}
