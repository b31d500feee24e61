using System.Buffers;
using Kdump.Compression;
using Kdump.Tests.Shared;

namespace Kdump.Dump.Tests;

/// <summary>
/// Our snappy encoder against an independent decoder (Snappier's) and against Snappier's encoder
/// for size: any valid stream is compatible, but dumps must not grow.
/// </summary>
public class SnappyCompressorTests
{
    private static byte[] Ours(SnappyCompressor encoder, ReadOnlySpan<byte> page)
    {
        var dst = new byte[SnappyCompressor.MaxCompressedLength(page.Length)];
        Assert.Equal(OperationStatus.Done, encoder.Compress(page, dst, out var n));
        return dst[..n];
    }

    private static void AssertRoundTrip(byte[] compressed, ReadOnlySpan<byte> page, string what)
    {
        Assert.Equal(page.Length, Snappier.Snappy.GetUncompressedLength(compressed));
        var back = new byte[page.Length];
        Assert.True(Snappier.Snappy.TryDecompress(compressed, back, out var n), $"{what}: Snappier cannot decode it");
        Assert.Equal(page.Length, n);
        Assert.True(page.SequenceEqual(back), $"{what}: decoded bytes differ");
    }

    /// <summary>
    /// One encoder reused as a dump worker does: its table keeps positions of earlier pages
    /// (generations, cleared every 16 pages), which must never become matches into another page.
    /// Zero and repeated pages make stale entries collide.
    /// </summary>
    [Fact]
    public void Pages_round_trip_through_snappier_with_a_reused_encoder()
    {
        var encoder = new SnappyCompressor();
        for (var i = 0; i < 80; i++)
        {
            var page = (i % 8) switch
            {
                0 => new byte[4096],
                1 => TestPages.Mixed(100 + i),
                2 => TestPages.Random(i),
                3 => Enumerable.Repeat((byte)(i & 0xff), 4096).ToArray(),
                4 => TestPages.Mixed(i % 3, 1000 + i),
                5 => new byte[i % 20],                     // shorter than the search margin
                6 => TestPages.Mixed(i, 17 + i),
                _ => TestPages.Mixed(i % 5),
            };
            AssertRoundTrip(Ours(encoder, page), page, $"page {i} ({page.Length} bytes)");
        }
    }

    [Fact]
    public void Long_runs_use_copies_of_64_and_a_short_tail()
    {
        // 4096 equal bytes: one literal, then copies of offset 1 (64-byte pieces, the rest ≥ 4).
        var page = Enumerable.Repeat((byte)0x5a, 4096).ToArray();
        var c = Ours(new SnappyCompressor(), page);
        Assert.Equal([0x80, 0x20, 0x00, 0x5a], c[..4]);      // varint 4096, literal of 1 byte
        Assert.True(c.Length < 4096 / 64 * 3 + 16, $"{c.Length} bytes");
        AssertRoundTrip(c, page, "run");
    }

    [Fact]
    public void A_page_too_small_for_the_bound_is_refused_and_a_large_one_rejected()
    {
        var page = TestPages.Random(3);
        Assert.Equal(OperationStatus.DestinationTooSmall, new SnappyCompressor().Compress(page, new byte[4096], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnappyCompressor().Compress(new byte[8192], new byte[16384], out _));
    }

    /// <summary>On real kernel memory: every page decodes, and the total is within 1% of Snappier's (or smaller).</summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Real_vmcore_pages_round_trip_and_compress_as_well_as_snappier(string release)
    {
        using var f = File.OpenRead(Lab.Fixture(release, "proc-vmcore.elf"));
        var encoder = new SnappyCompressor();
        var page = new byte[4096];
        var theirs = new byte[Snappier.Snappy.GetMaxCompressedLength(4096)];
        long ours = 0, snappier = 0;
        for (long off = 0x3432000; off < f.Length && off < 0x3432000 + 8192L * 4096; off += 4096)
        {
            f.Position = off;
            f.ReadExactly(page);
            var c = Ours(encoder, page);
            AssertRoundTrip(c, page, $"file offset 0x{off:x}");
            Assert.True(Snappier.Snappy.TryCompress(page, theirs, out var n));
            ours += Math.Min(c.Length, 4096);
            snappier += Math.Min(n, 4096);
        }
        Assert.True(ours <= snappier * 1.01, $"ours {ours} bytes, Snappier {snappier}");
    }
}
