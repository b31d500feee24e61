using System.Buffers;

namespace Kdump.Compression;

/// <summary>
/// A bounds-checked LZO1X decoder. Every read of the input and every write or look-back in the
/// output is checked before it happens, so a hostile page can only produce a status.
/// </summary>
/// <remarks>
/// The stream is a sequence of instructions. After each one a "state" (0–4) tells how the next
/// byte below 16 is read:
/// <list type="bullet">
/// <item>first byte &gt; 17: copy (byte − 17) literals; fewer than 4 → state = that count, else state 4.</item>
/// <item>0–15, state 0: literal run of 3 + L bytes (L = low nibble, or 15 + a zero-extended count when 0) → state 4.</item>
/// <item>0–15, state 1–3: 2-byte match, distance (next byte &lt;&lt; 2) + ((b &gt;&gt; 2) &amp; 3) + 1.</item>
/// <item>0–15, state 4: 3-byte match, distance (next byte &lt;&lt; 2) + ((b &gt;&gt; 2) &amp; 3) + 2049.</item>
/// <item>16–31 (0001HLLL): length L + 2 (extended from 7), distance 16384 + (H &lt;&lt; 14) + (LE16 &gt;&gt; 2);
///   distance exactly 16384 ends the stream.</item>
/// <item>32–63 (001LLLLL): length L + 2 (extended from 31), distance (LE16 &gt;&gt; 2) + 1.</item>
/// <item>64–255: length (b &gt;&gt; 5) + 1, distance (next byte &lt;&lt; 3) + ((b &gt;&gt; 2) &amp; 7) + 1.</item>
/// </list>
/// Each match leaves S = the low two bits of its last distance byte (or of the instruction for the
/// short forms): S literals follow, and the state becomes S.
/// </remarks>
public static class Lzo1xDecoder
{
    private const int M2MaxOffset = 0x0800;
    private const int M4Base = 0x4000;

    public static OperationStatus Decompress(ReadOnlySpan<byte> src, Span<byte> dst, out int written)
    {
        var ip = 0;
        var op = 0;
        written = 0;
        if (src.Length == 0) return OperationStatus.NeedMoreData;

        int state;
        int t = src[0];
        if (t > 17)
        {
            ip = 1;
            t -= 17;
            if (!CopyLiterals(src, ref ip, dst, ref op, t, out var status))
                return Fail(status, op, out written);
            state = t < 4 ? t : 4;
        }
        else
        {
            state = 0;
        }

        while (true)
        {
            if (ip >= src.Length) return Fail(OperationStatus.NeedMoreData, op, out written);
            t = src[ip++];
            int length;
            int distance;
            int trailing;
            if (t < 16)
            {
                if (state == 0)
                {
                    length = t;
                    if (length == 0 && !ReadExtendedLength(src, ref ip, 15, out length))
                        return Fail(OperationStatus.NeedMoreData, op, out written);
                    if (!CopyLiterals(src, ref ip, dst, ref op, length + 3, out var status))
                        return Fail(status, op, out written);
                    state = 4;
                    continue;
                }
                if (ip >= src.Length) return Fail(OperationStatus.NeedMoreData, op, out written);
                distance = (src[ip++] << 2) + (t >> 2) + 1;
                if (state == 4)
                {
                    distance += M2MaxOffset;
                    length = 3;
                }
                else
                {
                    length = 2;
                }
                trailing = t & 3;
            }
            else if (t >= 64)
            {
                if (ip >= src.Length) return Fail(OperationStatus.NeedMoreData, op, out written);
                distance = (src[ip++] << 3) + ((t >> 2) & 7) + 1;
                length = (t >> 5) + 1;
                trailing = t & 3;
            }
            else if (t >= 32)
            {
                length = t & 31;
                if (length == 0 && !ReadExtendedLength(src, ref ip, 31, out length))
                    return Fail(OperationStatus.NeedMoreData, op, out written);
                if (src.Length - ip < 2) return Fail(OperationStatus.NeedMoreData, op, out written);
                var d = src[ip] | (src[ip + 1] << 8);
                ip += 2;
                distance = (d >> 2) + 1;
                length += 2;
                trailing = d & 3;
            }
            else
            {
                length = t & 7;
                if (length == 0 && !ReadExtendedLength(src, ref ip, 7, out length))
                    return Fail(OperationStatus.NeedMoreData, op, out written);
                if (src.Length - ip < 2) return Fail(OperationStatus.NeedMoreData, op, out written);
                var d = src[ip] | (src[ip + 1] << 8);
                ip += 2;
                distance = ((t & 8) << 11) + (d >> 2);
                if (distance == 0)
                {
                    // End of stream. liblzo reports leftover input as an error too (LZO_E_INPUT_NOT_CONSUMED).
                    written = op;
                    return ip == src.Length ? OperationStatus.Done : OperationStatus.InvalidData;
                }
                distance += M4Base;
                length += 2;
                trailing = d & 3;
            }

            if (distance > op) return Fail(OperationStatus.InvalidData, op, out written);
            if (length > dst.Length - op) return Fail(OperationStatus.DestinationTooSmall, op, out written);
            CopyMatch(dst, op, distance, length);
            op += length;

            if (trailing > 0)
            {
                if (!CopyLiterals(src, ref ip, dst, ref op, trailing, out var status))
                    return Fail(status, op, out written);
            }
            state = trailing;
        }
    }

    private static OperationStatus Fail(OperationStatus status, int op, out int written)
    {
        written = op;
        return status;
    }

    /// <summary>A zero length byte means: 255 per further zero byte, plus the first non-zero byte, plus <paramref name="bias"/>.</summary>
    private static bool ReadExtendedLength(ReadOnlySpan<byte> src, ref int ip, int bias, out int length)
    {
        var zeros = 0;
        while (ip < src.Length && src[ip] == 0)
        {
            zeros++;
            ip++;
        }
        if (ip >= src.Length)
        {
            length = 0;
            return false;
        }
        // zeros < src.Length ≤ int.MaxValue / 255 is not guaranteed: compute in long and clamp,
        // an over-long length then fails the destination check.
        var value = (long)zeros * 255 + bias + src[ip++];
        length = (int)Math.Min(value, int.MaxValue / 2);
        return true;
    }

    private static bool CopyLiterals(ReadOnlySpan<byte> src, ref int ip, Span<byte> dst, ref int op, int count, out OperationStatus status)
    {
        if (count > src.Length - ip)
        {
            status = OperationStatus.NeedMoreData;
            return false;
        }
        if (count > dst.Length - op)
        {
            status = OperationStatus.DestinationTooSmall;
            return false;
        }
        src.Slice(ip, count).CopyTo(dst[op..]);
        ip += count;
        op += count;
        status = OperationStatus.Done;
        return true;
    }

    /// <summary>Copies forward one byte at a time where source and destination overlap (run-length matches).</summary>
    private static void CopyMatch(Span<byte> dst, int op, int distance, int length)
    {
        var from = op - distance;
        if (distance >= length)
        {
            dst.Slice(from, length).CopyTo(dst[op..]);
            return;
        }
        for (var i = 0; i < length; i++)
            dst[op + i] = dst[from + i];
    }
}
