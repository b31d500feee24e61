using System.Buffers;
using Kdump.Compression;
using Kdump.Formats.Diskdump;
using Kdump.Formats.Elf;
using Kdump.Primitives;

namespace Kdump.Formats.Tests.Diskdump;

/// <summary>
/// Writes kdump-compressed files the way makedumpfile lays them out (docs/formats/diskdump.md):
/// header, sub header + notes, two bitmaps, descriptors, packed data. A test generator, not the
/// product writer (that is A2's): it uses the header/descriptor structs but computes the layout itself.
/// </summary>
internal sealed class TestDiskDumpWriter
{
    public const int BlockSize = 4096;

    public DataLayout Layout { get; init; } = DataLayout.LittleEndian64;
    public int HeaderVersion { get; init; } = 6;
    public PageCompression Codec { get; init; } = PageCompression.None;
    /// <summary>-d bit 1: all-zero pages share one stored zero page.</summary>
    public bool ShareZeroPage { get; init; }
    public ulong MaxMapNr { get; init; } = 0x400;
    /// <summary>pfns present in RAM (1st bitmap) and their content; null content = excluded (2nd bitmap 0).</summary>
    public SortedDictionary<ulong, byte[]?> Pages { get; } = [];
    public byte[] Notes { get; init; } = [];
    public DiskDumpStatus ExtraStatus { get; init; }

    public static byte[] VmcoreInfoNotes(DataLayout layout)
    {
        var note = new ElfNote("VMCOREINFO", 0, System.Text.Encoding.ASCII.GetBytes(TestDumps.VmcoreInfoText), 0);
        var core = new ElfNote("CORE", ElfConstants.NtPrstatus, new byte[336], 0);
        var bytes = new byte[core.EncodedSize + note.EncodedSize];
        var n = core.WriteCore(bytes, layout);
        note.WriteCore(bytes.AsSpan(n), layout);
        return bytes;
    }

    public byte[] Write() => WriteSplit([(0, MaxMapNr)])[0];

    /// <summary>One file per pfn range, like makedumpfile --split (full bitmaps, own descriptors only).</summary>
    public List<byte[]> WriteSplit(IReadOnlyList<(ulong Start, ulong End)> ranges)
    {
        var split = ranges.Count > 1;
        var files = new List<byte[]>();
        var bitmapHalfBlocks = (int)(((MaxMapNr + 7) / 8 + BlockSize - 1) / BlockSize);
        var subHdrBlocks = (KdumpSubHeader.Size64 + Notes.Length + BlockSize - 1) / BlockSize;
        var stored = Pages.Where(p => p.Value is not null).Select(p => p.Key).ToList();
        long descStart = (1L + subHdrBlocks + 2 * bitmapHalfBlocks) * BlockSize;
        long dataStart = descStart + (long)PageDescriptor.Length * stored.Count;
        foreach (var (start, end) in ranges)
        {
            using var ms = new MemoryStream();
            var headBlocks = new byte[descStart];
            var status = (DiskDumpStatus)(uint)Codec | ExtraStatus;
            new DiskDumpHeader
            {
                Signature = DiskDumpHeader.KdumpSignature,
                HeaderVersion = HeaderVersion,
                Uts = new DiskDumpHeader.UtsName("Linux", "lab", "6.1.0-test", "#1 SMP", "x86_64", "(none)"),
                TimestampSeconds = 1700000000,
                Status = status,
                BlockSize = BlockSize,
                SubHeaderBlocks = subHdrBlocks,
                BitmapBlocks = (uint)(2 * bitmapHalfBlocks),
                MaxMapNr = (uint)Math.Min(MaxMapNr, uint.MaxValue),
                CpuCount = 1,
            }.WriteCore(headBlocks, Layout);
            var noteOffset = BlockSize + KdumpSubHeader.Size64;
            Notes.CopyTo(headBlocks, noteOffset);
            var vmcoreinfoAt = Notes.Length > 0 ? FindVmcoreInfo(Notes) : -1;
            new KdumpSubHeader
            {
                PhysBase = 0x1000000,
                DumpLevel = ShareZeroPage ? 31 : 0,
                Split = split ? 1 : 0,
                StartPfn32 = split ? start : 0,
                EndPfn32 = split ? end : 0,
                OffsetVmcoreInfo = vmcoreinfoAt >= 0 ? (ulong)(noteOffset + vmcoreinfoAt) : 0,
                SizeVmcoreInfo = vmcoreinfoAt >= 0 ? (ulong)TestDumps.VmcoreInfoText.Length : 0,
                OffsetNote = Notes.Length > 0 ? (ulong)noteOffset : 0,
                SizeNote = (ulong)Notes.Length,
                StartPfn64 = split ? start : 0,
                EndPfn64 = split ? end : 0,
                MaxMapNr64 = MaxMapNr,
            }.WriteCore(headBlocks.AsSpan(BlockSize), Layout);
            var bm1 = headBlocks.AsSpan((1 + subHdrBlocks) * BlockSize, bitmapHalfBlocks * BlockSize);
            var bm2 = headBlocks.AsSpan((1 + subHdrBlocks + bitmapHalfBlocks) * BlockSize, bitmapHalfBlocks * BlockSize);
            foreach (var (pfn, content) in Pages)
            {
                bm1[(int)(pfn >> 3)] |= (byte)(1 << (int)(pfn & 7));
                if (content is not null) bm2[(int)(pfn >> 3)] |= (byte)(1 << (int)(pfn & 7));
            }
            ms.Write(headBlocks);

            var own = stored.Where(p => p >= start && p < end).ToList();
            var descs = new byte[(long)PageDescriptor.Length * stored.Count];
            using var data = new MemoryStream();
            long zeroOffset = -1;
            if (ShareZeroPage)
            {
                zeroOffset = dataStart;
                data.Write(new byte[BlockSize]);
            }
            for (var i = 0; i < own.Count; i++)
            {
                var page = Pages[own[i]]!;
                PageDescriptor pd;
                if (ShareZeroPage && page.AsSpan().IndexOfAnyExcept((byte)0) < 0)
                {
                    pd = new PageDescriptor(zeroOffset, BlockSize, 0, 0);
                }
                else
                {
                    var packed = new byte[BlockSize * 2];
                    var flags = 0u;
                    var size = BlockSize;
                    if (Codec != PageCompression.None)
                    {
                        var ok = Codec == PageCompression.Lzo
                            ? TryLzo(page, packed, out var n)
                            : PageCodecs.Get((uint)Codec).Compress(page, packed, out n) == OperationStatus.Done;
                        if (ok && n < BlockSize)
                        {
                            flags = (uint)Codec;
                            size = n;
                        }
                    }
                    if (flags == 0) page.CopyTo(packed, 0);
                    pd = new PageDescriptor(dataStart + data.Length, (uint)size, flags, 0);
                    data.Write(packed, 0, size);
                }
                pd.WriteCore(descs.AsSpan(i * PageDescriptor.Length), Layout);
            }
            ms.Write(descs);
            ms.Write(data.ToArray());
            files.Add(ms.ToArray());
        }
        return files;
    }

    private static bool TryLzo(byte[] page, byte[] packed, out int n)
    {
        var c = Compression.LibLzo2.Compress1(page);
        c.CopyTo(packed, 0);
        n = c.Length;
        return true;
    }

    private int FindVmcoreInfo(byte[] notes)
    {
        foreach (var n in ElfNote.ParseAll(notes, Layout, null, 0))
        {
            if (n.Name == "VMCOREINFO") return (int)n.FileOffset;
        }
        return -1;
    }

    /// <summary>The usual test dump: pfns 0x10..0x8f RAM, every 7th excluded, a hole at 0x40..0x4f.</summary>
    public static TestDiskDumpWriter Standard(PageCompression codec, bool shareZero = false, DataLayout? layout = null, int version = 6)
    {
        var l = layout ?? DataLayout.LittleEndian64;
        var w = new TestDiskDumpWriter { Codec = codec, ShareZeroPage = shareZero, Layout = l, HeaderVersion = version, Notes = version >= 4 ? VmcoreInfoNotes(l) : [] };
        for (ulong pfn = 0x10; pfn < 0x90; pfn++)
        {
            if (pfn is >= 0x40 and < 0x50) continue;
            w.Pages[pfn] = pfn % 7 == 0 ? null : TestDumps.PageContent(pfn);
        }
        return w;
    }
}
