using System.Buffers;
using Kdump.Compression;
using Kdump.Tests.Shared;

namespace Kdump.Dump.Tests;

/// <summary>The managed LZO1X-1 encoder must produce liblzo2's bytes (so our dumps equal makedumpfile's).</summary>
public class LzoCompressorTests
{
    private static byte[] Managed(ReadOnlySpan<byte> page)
    {
        var dst = new byte[Lzo1xCompressor.MaxCompressedLength(page.Length)];
        Assert.Equal(OperationStatus.Done, new Lzo1xCompressor().Compress(page, dst, out var n));
        return dst[..n];
    }

    private static byte[] Native(ReadOnlySpan<byte> page)
    {
        Assert.True(NativeLzo.IsAvailable, "liblzo2.so.2 is not installed");
        var dst = new byte[Lzo1xCompressor.MaxCompressedLength(page.Length)];
        Assert.Equal(OperationStatus.Done, NativeLzo.Compress(page, dst, out var n));
        return dst[..n];
    }

    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Managed_equals_liblzo2_on_generated_pages(int seed)
    {
        var page = TestPages.Mixed(seed);
        var managed = Managed(page);
        Assert.Equal(Native(page), managed);
        var back = new byte[4096];
        Assert.Equal(OperationStatus.Done, Lzo1xDecoder.Decompress(managed, back, out var n));
        Assert.Equal(4096, n);
        Assert.Equal(page, back);
    }

    [Fact]
    public void Managed_equals_liblzo2_on_special_pages()
    {
        foreach (var page in new[] { new byte[4096], Enumerable.Repeat((byte)0xab, 4096).ToArray(), TestPages.Random(9), new byte[21], new byte[5], Array.Empty<byte>() })
            Assert.Equal(Native(page), Managed(page));
    }

    /// <summary>
    /// One encoder reused, as a dump worker does: its table carries positions of earlier pages
    /// (generations, cleared every 16 pages and after a long input), which must read as liblzo2's
    /// cleared entries. Zero and repeated pages make the stale entries match.
    /// </summary>
    [Fact]
    public void A_reused_encoder_equals_liblzo2_page_after_page()
    {
        var encoder = new Lzo1xCompressor();
        var dst = new byte[Lzo1xCompressor.MaxCompressedLength(49151)];
        for (var i = 0; i < 80; i++)
        {
            var page = (i % 7) switch
            {
                0 => new byte[4096],
                1 => TestPages.Mixed(100 + i, 8192 + i),
                2 => TestPages.Random(i),
                3 => Enumerable.Repeat((byte)(i & 0xff), 4096).ToArray(),
                4 => TestPages.Mixed(i % 3, 1000 + i),
                _ => TestPages.Mixed(i % 5),
            };
            Assert.Equal(OperationStatus.Done, encoder.Compress(page, dst, out var n));
            Assert.True(Native(page).AsSpan().SequenceEqual(dst.AsSpan(0, n)), $"page {i} ({page.Length} bytes)");
        }
    }

    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Managed_equals_liblzo2_on_real_vmcore_pages(string release)
    {
        using var f = File.OpenRead(Lab.Fixture(release, "proc-vmcore.elf"));
        var page = new byte[4096];
        var differ = 0;
        var first = -1L;
        for (long off = 0x3432000; off < f.Length && off < 0x3432000 + 16384L * 4096; off += 4096)
        {
            f.Position = off;
            f.ReadExactly(page);
            if (!Native(page).AsSpan().SequenceEqual(Managed(page)))
            {
                differ++;
                if (first < 0) first = off;
            }
        }
        Assert.True(differ == 0, $"{differ} pages differ, first at file offset 0x{first:x}");
    }
}
