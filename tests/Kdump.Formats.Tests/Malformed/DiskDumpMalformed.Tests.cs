using System.Buffers.Binary;
using Kdump.Compression;
using Kdump.Formats.Diskdump;
using Kdump.Formats.Tests.Diskdump;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Formats.Tests.Malformed;

/// <summary>Damaged kdump-compressed files built from a generated one.</summary>
public class DiskDumpMalformedTests
{
    private const string File = "bad.kdump";

    private static byte[] Good(PageCompression codec = PageCompression.Zlib) => TestDiskDumpWriter.Standard(codec).Write();

    private static T Fails<T>(byte[] bytes, params string[] parts) where T : KdumpException
    {
        var e = Assert.Throws<T>(() => DiskDumpFile.Open(new MemoryByteSource(bytes, File)));
        Assert.Contains($"'{File}'", e.Message);
        foreach (var p in parts) Assert.Contains(p, e.Message);
        return e;
    }

    private static DiskDumpFile Open(byte[] b) => DiskDumpFile.Open(new MemoryByteSource(b, File));

    [Fact]
    public void Truncation_anywhere_is_an_error_or_a_readable_prefix()
    {
        var good = Good();
        long descriptors;
        using (var f = Open(good)) descriptors = f.DescriptorsOffset;
        var buf = new byte[4096];
        for (var len = 0; len < good.Length; len += len < descriptors + 512 ? 97 : 1999)
        {
            try
            {
                using var f = Open(good[..len]);
                // Past the headers, opening works and damaged pages are reported per page.
                foreach (var pfn in f.StoredPfns())
                {
                    var e = Record.Exception(() => f.ReadPage(pfn, buf));
                    Assert.True(e is null or DumpCorruptException or UnexpectedEndOfDumpException, $"length {len}: {e}");
                }
            }
            catch (KdumpException e)
            {
                Assert.Contains($"'{File}'", e.Message);
            }
        }
    }

    /// <summary>max_mapnr_64 of 2^64 − 1 (a fuzz mutant in CI): the bitmap size is a corrupt field, not an overflow.</summary>
    [Fact]
    public void Max_mapnr_at_the_top_of_the_range_is_corrupt_not_an_overflow()
    {
        var b = Good();
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4096 + KdumpSubHeader.FieldLocations.Bits64.MaxMapNr64), ulong.MaxValue);
        Fails<DumpCorruptException>(b, "bitmap_blocks", "max_mapnr 0xffffffffffffffff");
    }

    [Fact]
    public void Truncated_bitmaps_name_the_bitmap_and_its_offset() =>
        Fails<UnexpectedEndOfDumpException>(Good()[..(3 * 4096)], "bitmaps (2 blocks)", "at offset 0x2000", "0x3000");

    /// <summary>
    /// makedumpfile writes the bitmap bytes that hold pfns below max_mapnr and no more: its --split
    /// part without pages ends there. That opens (the rest reads as zeros); one byte less does not.
    /// </summary>
    [Fact]
    public void A_file_ending_after_the_bitmap_bytes_max_mapnr_needs_opens()
    {
        var good = Good();
        var maxMapNr = BinaryPrimitives.ReadUInt64LittleEndian(good.AsSpan(4096 + KdumpSubHeader.FieldLocations.Bits64.MaxMapNr64));
        var end = 2 * 4096 + 4096 + (int)((maxMapNr + 7) / 8);     // the second of two 1-block bitmaps
        Assert.True(end < 4 * 4096, "the generated file's bitmap must have slack for this test");
        using (var f = Open(good[..end]))
        {
            using var whole = Open(good);
            Assert.Equal(whole.StoredPfns(), f.StoredPfns());
        }
        Fails<UnexpectedEndOfDumpException>(good[..(end - 1)], "bitmaps (2 blocks)", "at offset 0x2000");
    }

    [Fact]
    public void Implausible_block_size_is_corrupt()
    {
        var b = Good();
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(DiskDumpHeader.FieldLocations.Bits64.BlockSize), 12345);
        Fails<DumpCorruptException>(b, "block_size 12345", "at offset 0x1ac");
    }

    [Theory]
    [InlineData(0, typeof(DumpCorruptException))]
    [InlineData(7, typeof(DumpFeatureNotSupportedException))]
    public void Unknown_header_versions_are_refused(int version, Type expected)
    {
        var b = Good();
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), version);
        var e = Assert.Throws(expected, () => Open(b));
        Assert.Contains($"'{File}': header_version {version} at offset 0x8", e.Message);
    }

    [Fact]
    public void A_bitmap_too_small_for_max_mapnr_is_corrupt()
    {
        var b = Good();
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4096 + 96), 1UL << 40);
        Fails<DumpCorruptException>(b, "bitmap_blocks 2", "max_mapnr 0x10000000000", "at offset 0x1b4");
    }

    [Fact]
    public void A_huge_bitmap_is_refused_before_allocation()
    {
        var b = Good();
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(DiskDumpHeader.FieldLocations.Bits64.BitmapBlocks), 0x100000);
        var e = Assert.Throws<DumpCorruptException>(() => DiskDumpFile.Open(new MemoryByteSource(b, File), new ParseLimits { MaxInMemoryTableBytes = 1 << 20 }));
        Assert.Contains("'bad.kdump': bitmap_blocks × block_size 4294967296 at offset 0x1b4: exceeds the maximum of 1048576", e.Message);
    }

    [Fact]
    public void Note_offsets_past_the_end_and_huge_note_sizes_are_named()
    {
        var b = Good();
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4096 + 48), 0x7000_0000);
        Fails<UnexpectedEndOfDumpException>(b, "offset_note/size_note 0x70000000+", "at offset 0x1030");
        b = Good();
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4096 + 56), 1UL << 40);
        Fails<DumpCorruptException>(b, "offset_note/size_note size 1099511627776", "exceeds the maximum", "at offset 0x1030");
    }

    [Fact]
    public void Split_ranges_outside_max_mapnr_are_corrupt()
    {
        var parts = TestDiskDumpWriter.Standard(PageCompression.None).WriteSplit([(0, 0x40), (0x40, 0x400)]);
        var b = parts[1];
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(4096 + 88), 0x500);
        Fails<DumpCorruptException>(b, "start_pfn/end_pfn 0x40-0x500", "max_mapnr 0x400");
    }

    private static (byte[] Bytes, long DescAt, ulong Pfn) WithFirstDescriptor(Action<Span<byte>> edit)
    {
        var b = Good();
        long at;
        ulong pfn;
        using (var f = Open(b))
        {
            at = f.DescriptorsOffset;
            pfn = f.StoredPfns().First();
        }
        edit(b.AsSpan((int)at, PageDescriptor.Length));
        return (b, at, pfn);
    }

    [Theory]
    [InlineData(0u, "page_desc.size 0")]
    [InlineData(4097u, "page_desc.size 4097")]
    public void Bad_descriptor_sizes_are_corrupt_pages(uint size, string text)
    {
        var (b, at, pfn) = WithFirstDescriptor(d => BinaryPrimitives.WriteUInt32LittleEndian(d[8..], size));
        using var f = Open(b);
        Assert.Equal(PageReadStatus.Corrupt, f.TryReadPage(pfn, new byte[4096]));
        var e = Assert.Throws<DumpCorruptException>(() => f.ReadPage(pfn, new byte[4096]));
        Assert.Contains($"'{File}': {text} at offset 0x{at:x}", e.Message);
        using var dump = DumpOpener.Open(new MemoryByteSource(b, File));
        Assert.Equal(PageReadStatus.Corrupt, dump.Physical.TryRead(new(pfn * 4096), new byte[8]));
    }

    [Fact]
    public void Descriptor_offsets_past_the_end_are_corrupt_pages()
    {
        var (b, at, pfn) = WithFirstDescriptor(d => BinaryPrimitives.WriteInt64LittleEndian(d, 0x7fff_ffff_0000));
        using var f = Open(b);
        var e = Assert.Throws<DumpCorruptException>(() => f.ReadPage(pfn, new byte[4096]));
        Assert.Contains($"'{File}': page_desc.offset 0x7fffffff0000 at offset 0x{at:x}", e.Message);
    }

    [Fact]
    public void Undecodable_page_data_is_corrupt_and_names_the_codec()
    {
        var b = Good();
        ulong pfn;
        using (var f = Open(b))
        {
            // The first page stored compressed (half-random pages may be stored raw).
            var index = 0;
            PageDescriptor pd;
            while ((pd = PageDescriptor.ReadCore(b.AsSpan((int)f.DescriptorsOffset + index * 24, 24), DataLayout.LittleEndian64)).Flags == 0) index++;
            pfn = f.StoredPfns().ElementAt(index);
            b.AsSpan((int)pd.Offset, (int)pd.Size).Fill(0xee);
        }
        using var g = Open(b);
        var e = Assert.Throws<DumpCorruptException>(() => g.ReadPage(pfn, new byte[4096]));
        Assert.Contains("page data (zlib,", e.Message);
        Assert.Contains($"pfn 0x{pfn:x}", e.Message);
    }

    [Fact]
    public void Unknown_page_codec_flag_is_not_supported()
    {
        var (b, at, pfn) = WithFirstDescriptor(d => BinaryPrimitives.WriteUInt32LittleEndian(d[12..], 0x40));
        using var f = Open(b);
        var e = Assert.Throws<DumpFeatureNotSupportedException>(() => f.TryReadPage(pfn, new byte[4096]));
        Assert.Contains($"'{File}': page_desc.flags 0x40 at offset 0x{at + 12:x}", e.Message);
    }
}
