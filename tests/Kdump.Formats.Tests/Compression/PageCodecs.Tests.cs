using System.Buffers;
using Kdump.Compression;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Tests.Compression;

public class PageCodecsTests
{
    public static TheoryData<ulong> Pfns => [0, 1, 3, 5, 6, 10, 11];

    private static byte[] MixedPage(int seed, int size = 4096)
    {
        var page = new byte[size];
        var rng = new Random(seed);
        // Runs, repeats at short and long distances, and noise: exercises every LZO instruction form.
        for (var i = 0; i < size;)
        {
            var kind = rng.Next(4);
            var len = Math.Min(size - i, rng.Next(1, 300));
            switch (kind)
            {
                case 0: page.AsSpan(i, len).Fill((byte)rng.Next(256)); break;
                case 1 when i > 0:
                    var from = rng.Next(i);
                    for (var k = 0; k < len; k++) page[i + k] = page[from + k];
                    break;
                default:
                    rng.NextBytes(page.AsSpan(i, len));
                    break;
            }
            i += len;
        }
        return page;
    }

    [Theory]
    [MemberData(nameof(Pfns))]
    public void Lzo_decoder_reads_liblzo2_lzo1x_1_output(ulong pfn)
    {
        var page = TestDumps.PageContent(pfn);
        var packed = LibLzo2.Compress1(page);
        var output = new byte[4096];
        Assert.Equal(OperationStatus.Done, PageCodecs.Lzo.Decompress(packed, output, out var written));
        Assert.Equal(4096, written);
        Assert.Equal(page, output);
    }

    [Fact]
    public void Lzo_decoder_reads_liblzo2_output_for_many_shapes_and_sizes()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var size = seed % 10 == 0 ? 70000 : 1 + seed * 37 % 8192;
            var data = MixedPage(seed, size);
            foreach (var packed in new[] { LibLzo2.Compress1(data), LibLzo2.Compress999(data) })
            {
                var output = new byte[size];
                Assert.Equal(OperationStatus.Done, Lzo1xDecoder.Decompress(packed, output, out var written));
                Assert.Equal(size, written);
                Assert.Equal(data, output);
            }
        }
    }

    [Fact]
    public void Lzo_decoder_agrees_with_liblzo2_safe_decoder_on_damaged_streams()
    {
        var rng = new Random(12345);
        var mine = new byte[4096];
        var theirs = new byte[4096];
        for (var i = 0; i < 3000; i++)
        {
            var packed = LibLzo2.Compress1(MixedPage(i % 50));
            var mutant = Mutate(packed, rng);
            var status = Lzo1xDecoder.Decompress(mutant, mine, out var written);
            var (code, theirWritten) = LibLzo2.DecompressSafe(mutant, theirs);
            Assert.True((status == OperationStatus.Done) == (code == 0), $"case {i}: ours {status}, liblzo2 {code}");
            if (code == 0)
            {
                Assert.Equal(theirWritten, written);
                Assert.True(mine.AsSpan(0, written).SequenceEqual(theirs.AsSpan(0, written)), $"case {i}: output differs");
            }
        }
    }

    internal static byte[] Mutate(byte[] input, Random rng)
    {
        var m = (byte[])input.Clone();
        switch (rng.Next(4))
        {
            case 0:
                for (var k = 0; k < 1 + rng.Next(4); k++) m[rng.Next(m.Length)] = (byte)rng.Next(256);
                return m;
            case 1:
                return m.AsSpan(0, rng.Next(m.Length)).ToArray();
            case 2:
                m[rng.Next(m.Length)] ^= (byte)(1 << rng.Next(8));
                return m;
            default:
                var cut = rng.Next(m.Length);
                return [.. m.AsSpan(0, cut), .. m.AsSpan(Math.Min(m.Length, cut + rng.Next(1, 8)))];
        }
    }

    [Fact]
    public void Lzo_decoder_survives_random_bytes()
    {
        var rng = new Random(7);
        var output = new byte[4096];
        for (var i = 0; i < 20000; i++)
        {
            var junk = new byte[rng.Next(0, 300)];
            rng.NextBytes(junk);
            var status = Lzo1xDecoder.Decompress(junk, output, out var written);
            Assert.InRange(written, 0, output.Length);
            Assert.True(Enum.IsDefined(status));
        }
    }

    [Fact]
    public void Lzo_decoder_reports_a_too_small_destination()
    {
        var data = MixedPage(3);
        var packed = LibLzo2.Compress1(data);
        Assert.Equal(OperationStatus.DestinationTooSmall, Lzo1xDecoder.Decompress(packed, new byte[4095], out _));
    }

    [Theory]
    [InlineData(PageCompression.Zlib)]
    [InlineData(PageCompression.Snappy)]
    [InlineData(PageCompression.Zstd)]
    public void Codecs_round_trip_a_page_and_reject_oversized_output(PageCompression flag)
    {
        var codec = PageCodecs.Get((uint)flag);
        Assert.Equal(flag, codec.Flag);
        var page = TestDumps.PageContent(5);
        var packed = new byte[8192];
        Assert.Equal(OperationStatus.Done, codec.Compress(page, packed, out var n));
        Assert.True(n < page.Length);
        var output = new byte[4096];
        Assert.Equal(OperationStatus.Done, codec.Decompress(packed.AsSpan(0, n), output, out var written));
        Assert.Equal(4096, written);
        Assert.Equal(page, output);
        Assert.Equal(OperationStatus.DestinationTooSmall, codec.Decompress(packed.AsSpan(0, n), new byte[100], out _));
    }

    [Theory]
    [InlineData(PageCompression.Zlib)]
    [InlineData(PageCompression.Snappy)]
    [InlineData(PageCompression.Zstd)]
    public void Codecs_never_throw_on_damaged_input(PageCompression flag)
    {
        var codec = PageCodecs.Get((uint)flag);
        var packed = new byte[8192];
        Assert.Equal(OperationStatus.Done, codec.Compress(MixedPage(9), packed, out var n));
        var good = packed.AsSpan(0, n).ToArray();
        var rng = new Random(99);
        var output = new byte[4096];
        for (var i = 0; i < 500; i++)
        {
            var status = codec.Decompress(Mutate(good, rng), output, out var written);
            Assert.InRange(written, 0, output.Length);
            Assert.True(Enum.IsDefined(status));
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x03u)]
    [InlineData(0x08u)]
    [InlineData(0x40u)]
    public void Unknown_or_combined_flags_are_not_supported(uint flags)
    {
        var e = Assert.Throws<DumpFeatureNotSupportedException>(() => PageCodecs.Get(flags, "dump.kdump", 0x5000));
        Assert.Contains("'dump.kdump'", e.Message);
        Assert.Contains($"0x{flags:x}", e.Message);
        Assert.Contains("0x5000", e.Message);
    }
}
