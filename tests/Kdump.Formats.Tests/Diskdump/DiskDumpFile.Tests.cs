using Kdump.Compression;
using Kdump.Formats.Diskdump;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Formats.Tests.Diskdump;

public class DiskDumpFileTests
{
    public static TheoryData<PageCompression, bool, bool> Variants
    {
        get
        {
            var d = new TheoryData<PageCompression, bool, bool>();
            foreach (var c in new[] { PageCompression.None, PageCompression.Zlib, PageCompression.Lzo, PageCompression.Snappy, PageCompression.Zstd })
            {
                d.Add(c, false, false);
                d.Add(c, true, false);
                d.Add(c, false, true);
            }
            return d;
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_stored_page_reads_back_and_excluded_pages_are_not_stored(PageCompression codec, bool shareZero, bool bigEndian)
    {
        var layout = bigEndian ? DataLayout.BigEndian64 : DataLayout.LittleEndian64;
        var w = TestDiskDumpWriter.Standard(codec, shareZero, layout);
        using var dump = DumpOpener.Open(new MemoryByteSource(w.Write(), "gen.kdump"));
        Assert.Equal("kdump-compressed", dump.FormatName);
        Assert.Equal(layout, dump.Layout);
        Assert.Equal(TestDumps.VmcoreInfoText, System.Text.Encoding.ASCII.GetString(dump.VmcoreInfo.Span));
        var kd = Assert.IsType<KdumpCompressedDump>(dump);
        Assert.Equal(w.Pages.Where(p => p.Value is not null).Select(p => p.Key), kd.StoredPfns());
        var buf = new byte[4096];
        for (ulong pfn = 0; pfn < w.MaxMapNr + 2; pfn++)
        {
            var status = dump.Physical.TryRead(new PhysAddr(pfn * 4096), buf);
            if (w.Pages.TryGetValue(pfn, out var content) && content is not null)
            {
                Assert.Equal(PageReadStatus.Ok, status);
                Assert.Equal(content, buf);
            }
            else
            {
                Assert.Equal(PageReadStatus.NotStored, status);
            }
        }
        Assert.Equal(1, kd.Primary.Notes.Count(n => n.Name == "VMCOREINFO"));
    }

    [Fact]
    public void Reads_crossing_pages_and_partial_pages_work()
    {
        var w = TestDiskDumpWriter.Standard(PageCompression.Zlib);
        using var dump = DumpOpener.Open(new MemoryByteSource(w.Write()));
        var buf = new byte[6000];
        Assert.Equal(PageReadStatus.Ok, dump.Physical.TryRead(new PhysAddr(0x11 * 4096 + 100), buf));
        Assert.Equal(w.Pages[0x11]!.AsSpan(100).ToArray(), buf.AsSpan(0, 3996).ToArray());
        Assert.Equal(w.Pages[0x12]!.AsSpan(0, 2004).ToArray(), buf.AsSpan(3996).ToArray());
        // 0x15 is stored, 0x16 too, 0x15..0x1c crosses 0x15 (excluded: 0x15 % 7 == 0).
        Assert.Equal(PageReadStatus.NotStored, dump.Physical.TryRead(new PhysAddr(0x14 * 4096 + 4000), new byte[200]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Older_header_versions_use_the_32_bit_max_mapnr(int version)
    {
        var w = TestDiskDumpWriter.Standard(PageCompression.None, version: version);
        using var f = DiskDumpFile.Open(new MemoryByteSource(w.Write()));
        Assert.Equal(w.MaxMapNr, f.MaxMapNr);
        Assert.Equal(version >= 4 ? 2 : 0, f.Notes.Count);
        var buf = new byte[4096];
        Assert.Equal(PageReadStatus.Ok, f.TryReadPage(0x11, buf));
        Assert.Equal(w.Pages[0x11], buf);
    }

    [Fact]
    public void A_split_set_reads_like_one_file_whatever_the_order()
    {
        var w = TestDiskDumpWriter.Standard(PageCompression.Snappy, shareZero: true);
        var parts = w.WriteSplit([(0, 0x30), (0x30, 0x70), (0x70, w.MaxMapNr)]);
        using var dump = KdumpCompressedDump.Open([new MemoryByteSource(parts[2], "p3"), new MemoryByteSource(parts[0], "p1"), new MemoryByteSource(parts[1], "p2")]);
        Assert.Equal(3, dump.Files.Count);
        Assert.True(dump.Files.All(f => f.IsSplit));
        Assert.Equal(w.Pages.Where(p => p.Value is not null).Select(p => p.Key), dump.StoredPfns());
        var buf = new byte[4096];
        foreach (var (pfn, content) in w.Pages.Where(p => p.Value is not null))
        {
            Assert.Equal(PageReadStatus.Ok, dump.Physical.TryRead(new PhysAddr(pfn * 4096), buf));
            Assert.Equal(content, buf);
        }
    }

    [Fact]
    public void An_incomplete_dump_reads_what_is_there()
    {
        var w = TestDiskDumpWriter.Standard(PageCompression.Lzo);
        var full = w.Write();
        using var complete = DiskDumpFile.Open(new MemoryByteSource(full));
        // Cut after the descriptors of the first few pages, zero the rest of the descriptors and
        // set DUMP_DH_COMPRESSED_INCOMPLETE, as makedumpfile does on ENOSPC.
        var keep = 10;
        var bytes = (byte[])full.Clone();
        var descEnd = complete.DescriptorsOffset + complete.DumpableBitmap.SetCount * PageDescriptor.Length;
        bytes.AsSpan((int)(complete.DescriptorsOffset + keep * PageDescriptor.Length), (int)(descEnd - complete.DescriptorsOffset - keep * PageDescriptor.Length)).Clear();
        var statusAt = DiskDumpHeader.FieldLocations.Bits64.Status;
        bytes[statusAt] |= 0x08;
        using var f = DiskDumpFile.Open(new MemoryByteSource(bytes));
        Assert.True(f.IsIncomplete);
        var buf = new byte[4096];
        var pfns = f.StoredPfns().ToList();
        for (var i = 0; i < pfns.Count; i++)
        {
            var status = f.ReadPage(pfns[i], buf);
            Assert.Equal(i < keep ? PageReadStatus.Ok : PageReadStatus.NotStored, status);
            if (i < keep) Assert.Equal(w.Pages[pfns[i]], buf);
        }
    }

    [Fact]
    public void Pages_at_or_beyond_max_mapnr_are_not_stored()
    {
        var w = TestDiskDumpWriter.Standard(PageCompression.None);
        using var f = DiskDumpFile.Open(new MemoryByteSource(w.Write()));
        var buf = new byte[4096];
        Assert.Equal(PageReadStatus.NotStored, f.TryReadPage(w.MaxMapNr, buf));
        Assert.Equal(PageReadStatus.NotStored, f.TryReadPage(ulong.MaxValue, buf));
    }
}
