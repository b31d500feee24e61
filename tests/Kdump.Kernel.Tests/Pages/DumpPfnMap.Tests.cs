using Kdump.Formats.Diskdump;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Kernel.Tests.Pages;

/// <summary>The memory map of a kdump-compressed input, from its 1st bitmap, on files written here with the product writer.</summary>
public class DumpPfnMapTests
{
    private sealed class MemoryOutput : IDumpOutput
    {
        public byte[] Bytes = [];

        public string Name => "pfnmap.kdump";

        public bool IsSeekable => true;

        public void WriteAt(long offset, ReadOnlySpan<byte> data)
        {
            EnsureLength(offset + data.Length);
            data.CopyTo(Bytes.AsSpan((int)offset));
        }

        public void EnsureLength(long length)
        {
            if (Bytes.Length < length) Array.Resize(ref Bytes, (int)length);
        }

        public void Flush()
        {
        }
    }

    /// <summary>A kdump file of <paramref name="maxMapNr"/> pfns whose 1st bitmap is <paramref name="pattern"/> repeated, no pages stored.</summary>
    private static KdumpCompressedDump Make(ulong maxMapNr, byte pattern)
    {
        var layout = new KdumpCompressedLayout { BlockSize = 4096, MaxMapNr = maxMapNr, NoteBytes = 0, DescriptorCount = 0 };
        var output = new MemoryOutput();
        var writer = new KdumpCompressedWriter(output, layout, DataLayout.LittleEndian64, 4096);
        writer.WriteHeaders(
            new DiskDumpHeader
            {
                Signature = DiskDumpHeader.KdumpSignature,
                HeaderVersion = 6,
                Uts = new DiskDumpHeader.UtsName("Linux", "t", "6.1.0", "#1", "x86_64", ""),
                BlockSize = 4096,
                SubHeaderBlocks = layout.SubHeaderBlocks,
                BitmapBlocks = layout.BitmapBlocks,
                MaxMapNr = (uint)maxMapNr,
                CpuCount = 1,
            },
            new KdumpSubHeader { MaxMapNr64 = maxMapNr },
            []);
        var inMemory = new byte[layout.BitmapBytes];
        Array.Fill(inMemory, pattern);
        writer.WriteBitmaps(0, inMemory, new byte[layout.BitmapBytes]);
        writer.Finish();
        return KdumpCompressedDump.Open([new MemoryByteSource(output.Bytes, output.Name)]);
    }

    [Fact]
    public void Ranges_come_from_the_first_bitmap()
    {
        using var dump = Make(1 << 16, 0x0f);
        var map = DumpPfnMap.FromDump(dump, 4096);
        Assert.Equal(1UL << 13, (ulong)map.Loads.Count);
        Assert.True(map.IsInMemory(3) && !map.IsInMemory(4));
        Assert.Equal(1UL << 15, map.MemoryHolePages);
    }

    /// <summary>0101… would make a range per two pfns (and IsInMemory scans them all): refused, naming the file.</summary>
    [Fact]
    public void A_bitmap_of_too_many_ranges_is_refused()
    {
        using var dump = Make(1 << 20, 0x55);
        var e = Assert.Throws<DumpCorruptException>(() => DumpPfnMap.FromDump(dump, 4096));
        Assert.Contains("'pfnmap.kdump': memory ranges in the 1st bitmap 65537", e.Message, StringComparison.Ordinal);
    }
}
