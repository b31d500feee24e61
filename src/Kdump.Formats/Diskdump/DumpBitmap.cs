using System.Numerics;

namespace Kdump.Formats.Diskdump;

/// <summary>
/// A page bitmap: bit (pfn &amp; 7) of byte (pfn &gt;&gt; 3), least significant first. Keeps a rank
/// table (1-bits before every 512-bit block) so the descriptor index of a pfn is O(1).
/// </summary>
public sealed class DumpBitmap
{
    private const int WordsPerBlock = 8;
    private readonly byte[] _bytes;
    private readonly long[] _blockRanks;

    public DumpBitmap(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
        var blockBytes = WordsPerBlock * 8;
        _blockRanks = new long[(bytes.Length + blockBytes - 1) / blockBytes + 1];
        long rank = 0;
        for (var b = 0; b < _blockRanks.Length - 1; b++)
        {
            _blockRanks[b] = rank;
            var start = b * blockBytes;
            rank += PopCount(_bytes.AsSpan(start, Math.Min(blockBytes, _bytes.Length - start)));
        }
        _blockRanks[^1] = rank;
    }

    /// <summary>Number of pfns the bitmap can describe.</summary>
    public ulong BitCount => (ulong)_bytes.Length * 8;

    /// <summary>Number of 1 bits.</summary>
    public long SetCount => _blockRanks[^1];

    public bool IsSet(ulong pfn) => pfn < BitCount && (_bytes[pfn >> 3] & (1 << (int)(pfn & 7))) != 0;

    /// <summary>Number of 1 bits for pfns below <paramref name="pfn"/>.</summary>
    public long Rank(ulong pfn)
    {
        if (pfn >= BitCount) return SetCount;
        var byteIndex = (int)(pfn >> 3);
        var block = byteIndex / (WordsPerBlock * 8);
        var start = block * WordsPerBlock * 8;
        var rank = _blockRanks[block] + PopCount(_bytes.AsSpan(start, byteIndex - start));
        var partial = _bytes[byteIndex] & ((1 << (int)(pfn & 7)) - 1);
        return rank + BitOperations.PopCount((uint)partial);
    }

    /// <summary>Set pfns in increasing order, from <paramref name="start"/> up to (not including) <paramref name="end"/>.</summary>
    public IEnumerable<ulong> SetBits(ulong start = 0, ulong end = ulong.MaxValue)
    {
        end = Math.Min(end, BitCount);
        for (var pfn = start; pfn < end; pfn++)
        {
            if ((pfn & 7) == 0 && _bytes[pfn >> 3] == 0)
            {
                pfn += 7;
                continue;
            }
            if (IsSet(pfn)) yield return pfn;
        }
    }

    private static long PopCount(ReadOnlySpan<byte> s)
    {
        long n = 0;
        var i = 0;
        for (; i + 8 <= s.Length; i += 8)
            n += BitOperations.PopCount(BitConverter.ToUInt64(s.Slice(i, 8)));
        for (; i < s.Length; i++)
            n += BitOperations.PopCount(s[i]);
        return n;
    }
}
