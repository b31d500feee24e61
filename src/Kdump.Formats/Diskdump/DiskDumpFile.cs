using System.Buffers;
using Kdump.Compression;
using Kdump.Formats.Elf;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Formats.Diskdump;

/// <summary>
/// One kdump-compressed file (or one file of a --split set): headers, notes, both bitmaps, and
/// page reads through page_desc. Layout: docs/formats/diskdump.md.
/// </summary>
public sealed class DiskDumpFile : IDisposable
{
    /// <summary>Block sizes accepted as page sizes (libkdumpfile accepts 1 KiB to 64 KiB as well).</summary>
    private const int MinBlockSize = 512;
    private const int MaxBlockSize = 1 << 20;

    private readonly IByteSource _source;

    private DiskDumpFile(IByteSource source) => _source = source;

    public string Name => _source.Name;

    public IByteSource Source => _source;

    public required DataLayout Layout { get; init; }

    public required DiskDumpHeader Header { get; init; }

    public required KdumpSubHeader SubHeader { get; init; }

    public int PageSize => Header.BlockSize;

    /// <summary>Pages the dumped machine had: max_mapnr_64 from v6, else the 32-bit max_mapnr.</summary>
    public required ulong MaxMapNr { get; init; }

    /// <summary>First pfn this file stores (split files), else 0.</summary>
    public required ulong StartPfn { get; init; }

    /// <summary>End (exclusive) of the pfns this file stores (split files), else <see cref="MaxMapNr"/>.</summary>
    public required ulong EndPfn { get; init; }

    public bool IsSplit => SubHeader.Split != 0;

    /// <summary>DUMP_DH_COMPRESSED_INCOMPLETE: pages whose descriptor was never written read as not stored.</summary>
    public bool IsIncomplete => (Header.Status & DiskDumpStatus.Incomplete) != 0;

    /// <summary>1st bitmap: the pfn was RAM in the dumped machine.</summary>
    public required DumpBitmap InMemoryBitmap { get; init; }

    /// <summary>2nd bitmap: the pfn has a page_desc (dumpable after filtering).</summary>
    public required DumpBitmap DumpableBitmap { get; init; }

    /// <summary>The ELF notes copied from the input (v4+), empty before.</summary>
    public required IReadOnlyList<ElfNote> Notes { get; init; }

    public required ReadOnlyMemory<byte> VmcoreInfo { get; init; }

    public required ReadOnlyMemory<byte> EraseInfo { get; init; }

    /// <summary>File offset of page_desc[0].</summary>
    public required long DescriptorsOffset { get; init; }

    /// <summary>Reads and checks the headers and bitmaps; takes ownership of <paramref name="source"/> only on success.</summary>
    public static DiskDumpFile Open(IByteSource source, ParseLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        limits ??= ParseLimits.Default;
        var file = source.Name;

        Span<byte> block0 = stackalloc byte[DiskDumpHeader.FieldLocations.Bits64.Size];
        source.ReadExactlyAt(0, block0, "disk_dump_header");
        var signature = block0[..8];
        if (!signature.SequenceEqual("KDUMP   "u8) && !signature.SequenceEqual("DISKDUMP"u8))
        {
            var found = FormatProbe.Detect(block0);
            throw new DumpFormatMismatchException(DumpErrors.Describe(file, "disk_dump_header signature", "", 0,
                $"not a kdump-compressed file: it is {FormatProbe.Describe(found)}"))
            { FilePath = file, Offset = 0, DetectedFormat = FormatProbe.ShortName(found) };
        }

        var layout = ProbeLayout(block0, file);
        var header = DiskDumpHeader.ReadCore(block0, layout);
        if (header.HeaderVersion < 1)
            DumpErrors.ThrowCorrupt(file, "header_version", header.HeaderVersion.ToString(), DiskDumpHeader.FieldLocations.HeaderVersion, "must be 1 or more (0 is the pre-kdump diskdump layout, not supported)");
        if (header.HeaderVersion > DiskDumpHeader.MaxKnownVersion)
            throw new DumpFeatureNotSupportedException(DumpErrors.Describe(file, "header_version", header.HeaderVersion.ToString(), DiskDumpHeader.FieldLocations.HeaderVersion,
                $"is newer than the newest known ({DiskDumpHeader.MaxKnownVersion})"))
            { FilePath = file, Offset = DiskDumpHeader.FieldLocations.HeaderVersion };
        var blockSize = header.BlockSize;
        if (header.SubHeaderBlocks <= 0)
            DumpErrors.ThrowCorrupt(file, "sub_hdr_size", header.SubHeaderBlocks.ToString(), DiskDumpHeader.FieldLocations.Bits64.SubHdrSize, "must be at least 1 block");
        if (header.BitmapBlocks == 0)
            DumpErrors.ThrowCorrupt(file, "bitmap_blocks", "0", DiskDumpHeader.FieldLocations.Bits64.BitmapBlocks, "a dump needs a bitmap");

        // Sub header: one block at block 1.
        if (!source.Contains(blockSize, KdumpSubHeader.Size64))
            throw DumpErrors.Truncated(file, "kdump_sub_header", blockSize, KdumpSubHeader.Size64, source.Length);
        Span<byte> subBytes = stackalloc byte[KdumpSubHeader.Size64];
        source.ReadExactlyAt(blockSize, subBytes, "kdump_sub_header");
        var sub = KdumpSubHeader.ReadCore(subBytes, layout, header.HeaderVersion);

        var maxMapNr = header.HeaderVersion >= 6 ? sub.MaxMapNr64 : header.MaxMapNr;
        ulong startPfn = 0, endPfn = maxMapNr;
        if (sub.Split != 0)
        {
            startPfn = header.HeaderVersion >= 6 ? sub.StartPfn64 : sub.StartPfn32;
            endPfn = header.HeaderVersion >= 6 ? sub.EndPfn64 : sub.EndPfn32;
            if (startPfn > endPfn || endPfn > maxMapNr)
                DumpErrors.ThrowCorrupt(file, "start_pfn/end_pfn", $"0x{startPfn:x}-0x{endPfn:x}", blockSize + KdumpSubHeader.FieldLocations.Bits64.StartPfn64,
                    $"is not a range inside max_mapnr 0x{maxMapNr:x}");
        }

        // Bitmaps.
        var bitmapOffset = checked((1L + header.SubHeaderBlocks) * blockSize);
        var bitmapBytes = checked((long)header.BitmapBlocks * blockSize);
        if (bitmapBytes > limits.MaxInMemoryTableBytes)
            throw DumpErrors.OverLimit(file, "bitmap_blocks × block_size", (ulong)bitmapBytes, (ulong)limits.MaxInMemoryTableBytes, DiskDumpHeader.FieldLocations.Bits64.BitmapBlocks);
        // Rounded up without maxMapNr + 7, which overflows for a hostile max_mapnr near 2^64.
        var bytesPerBitmap = (maxMapNr / 8) + ((maxMapNr & 7) == 0 ? 0UL : 1UL);
        // crash's dump_is_partial: a single-bitmap (old diskdump) file holds only the dumpable map.
        var twoBitmaps = (ulong)bitmapBytes / 2 >= bytesPerBitmap;
        var half = twoBitmaps ? bitmapBytes / 2 : bitmapBytes;
        if ((ulong)half < bytesPerBitmap)
            DumpErrors.ThrowCorrupt(file, "bitmap_blocks", header.BitmapBlocks.ToString(), DiskDumpHeader.FieldLocations.Bits64.BitmapBlocks,
                $"is too small for max_mapnr 0x{maxMapNr:x} ({bytesPerBitmap} bytes per bitmap needed)");
        // makedumpfile writes only the bitmap bytes that hold pfns below max_mapnr: a --split part
        // without pages ends there, short of its last bitmap block, whose tail then reads as zeros.
        var secondOffset = twoBitmaps ? bitmapOffset + half : bitmapOffset;
        if (!source.Contains(secondOffset, (long)bytesPerBitmap))
            throw DumpErrors.Truncated(file, $"bitmaps ({header.BitmapBlocks} blocks)", bitmapOffset, secondOffset - bitmapOffset + (long)bytesPerBitmap, source.Length);
        var second = new byte[half];
        source.ReadExactlyAt(secondOffset, second.AsSpan(0, (int)Math.Min(half, source.Length - secondOffset)), "2nd bitmap");
        byte[] first;
        if (twoBitmaps)
        {
            first = new byte[half];
            source.ReadExactlyAt(bitmapOffset, first, "1st bitmap");
        }
        else
        {
            first = second;
        }
        var dumpable = new DumpBitmap(second);

        var descriptors = checked(bitmapOffset + bitmapBytes);

        // Notes (v4+) and VMCOREINFO (v3+).
        var notes = new List<ElfNote>();
        if (sub.SizeNote > 0)
        {
            var bytes = ReadBlob(source, sub.OffsetNote, sub.SizeNote, (ulong)limits.MaxNoteBytes, "offset_note/size_note",
                blockSize + KdumpSubHeader.FieldLocations.Bits64.OffsetNote);
            notes = ElfNote.ParseAll(bytes, layout, file, (long)sub.OffsetNote);
        }
        ReadOnlyMemory<byte> vmcoreinfo;
        if (sub.SizeVmcoreInfo > 0)
            vmcoreinfo = ReadBlob(source, sub.OffsetVmcoreInfo, sub.SizeVmcoreInfo, (ulong)limits.MaxVmcoreInfoBytes, "offset_vmcoreinfo/size_vmcoreinfo",
                blockSize + KdumpSubHeader.FieldLocations.Bits64.OffsetVmcoreInfo);
        else
            vmcoreinfo = notes.FirstOrDefault(n => n.Name == ElfConstants.VmcoreInfoNoteName)?.Descriptor ?? ReadOnlyMemory<byte>.Empty;
        var erase = sub.SizeEraseInfo > 0
            ? ReadBlob(source, sub.OffsetEraseInfo, sub.SizeEraseInfo, (ulong)limits.MaxNoteBytes, "offset_eraseinfo/size_eraseinfo",
                blockSize + KdumpSubHeader.FieldLocations.Bits64.OffsetEraseInfo)
            : [];

        return new DiskDumpFile(source)
        {
            Layout = layout,
            Header = header,
            SubHeader = sub,
            MaxMapNr = maxMapNr,
            StartPfn = startPfn,
            EndPfn = endPfn,
            InMemoryBitmap = twoBitmaps ? new DumpBitmap(first) : dumpable,
            DumpableBitmap = dumpable,
            Notes = notes,
            VmcoreInfo = vmcoreinfo,
            EraseInfo = erase,
            DescriptorsOffset = descriptors,
        };
    }

    /// <summary>
    /// The header is in the dumped machine's byte order and alignment. Byte order: the one in
    /// which header_version is small and block_size is a plausible power of two (libkdumpfile tries both the same way).
    /// Word size: from utsname.machine; only the 64-bit layout is implemented.
    /// </summary>
    private static DataLayout ProbeLayout(ReadOnlySpan<byte> block0, string file)
    {
        var machine = DiskDumpHeader.UtsName.ReadCore(block0.Slice(DiskDumpHeader.FieldLocations.Utsname, DiskDumpHeader.UtsName.Size)).Machine;
        if (Is32BitMachine(machine))
            throw new DumpFeatureNotSupportedException(DumpErrors.Describe(file, "utsname.machine", $"'{machine}'", DiskDumpHeader.FieldLocations.Utsname + 4 * DiskDumpHeader.UtsName.FieldBytes,
                "32-bit kdump-compressed layouts are not implemented (64-bit machines only)"))
            { FilePath = file, Offset = DiskDumpHeader.FieldLocations.Utsname };
        foreach (var layout in (ReadOnlySpan<DataLayout>)[DataLayout.LittleEndian64, DataLayout.BigEndian64])
        {
            var r = new EndianReader(block0, layout);
            var bs = r.I32(DiskDumpHeader.FieldLocations.Bits64.BlockSize);
            // header_version is small in the right order; alone, a block_size of 4096 byte-swapped is 1 MiB.
            var version = r.I32(DiskDumpHeader.FieldLocations.HeaderVersion);
            if (version is >= 0 and < 0x10000 && bs is >= MinBlockSize and <= MaxBlockSize && (bs & (bs - 1)) == 0) return layout;
        }
        var le = new EndianReader(block0, DataLayout.LittleEndian64).I32(DiskDumpHeader.FieldLocations.Bits64.BlockSize);
        throw DumpErrors.Corrupt(file, "block_size", le.ToString(), DiskDumpHeader.FieldLocations.Bits64.BlockSize,
            $"is not a power of two between {MinBlockSize} and {MaxBlockSize} in either byte order");
    }

    private static bool Is32BitMachine(string machine) =>
        machine is "i386" or "i486" or "i586" or "i686" or "ppc" or "mips" or "sh" ||
        (machine.StartsWith("arm", StringComparison.Ordinal) && machine != "arm64");

    private static byte[] ReadBlob(IByteSource source, ulong offset, ulong size, ulong limit, string field, long fieldOffset)
    {
        if (size > limit)
            throw DumpErrors.OverLimit(source.Name, field + " size", size, limit, fieldOffset);
        if (offset > long.MaxValue || !source.Contains((long)offset, (long)size))
            throw new UnexpectedEndOfDumpException(DumpErrors.Describe(source.Name, field, $"0x{offset:x}+0x{size:x}", fieldOffset,
                $"points past the end of the file at 0x{source.Length:x}"))
            { FilePath = source.Name, Offset = fieldOffset };
        var bytes = new byte[size];
        source.ReadExactlyAt((long)offset, bytes, field);
        return bytes;
    }

    /// <summary>True when this file has a page_desc for <paramref name="pfn"/>.</summary>
    public bool IsStored(ulong pfn) => pfn >= StartPfn && pfn < EndPfn && DumpableBitmap.IsSet(pfn);

    /// <summary>Pfns with a page_desc in this file, increasing.</summary>
    public IEnumerable<ulong> StoredPfns() => DumpableBitmap.SetBits(StartPfn, EndPfn);

    /// <summary>
    /// Reads one page into <paramref name="destination"/> (at least <see cref="PageSize"/> bytes).
    /// Hot path: returns a status; <see cref="ReadPage"/> throws with the details instead.
    /// An unknown compression flag throws <see cref="DumpFeatureNotSupportedException"/>.
    /// </summary>
    public PageReadStatus TryReadPage(ulong pfn, Span<byte> destination) => ReadPageCore(pfn, destination, out _);

    /// <summary>Like <see cref="TryReadPage"/> but a damaged page throws <see cref="DumpCorruptException"/>.</summary>
    public PageReadStatus ReadPage(ulong pfn, Span<byte> destination)
    {
        var status = ReadPageCore(pfn, destination, out var error);
        if (status == PageReadStatus.Corrupt) throw error!;
        return status;
    }

    private PageReadStatus ReadPageCore(ulong pfn, Span<byte> destination, out KdumpException? error)
    {
        error = null;
        if (destination.Length < PageSize) throw new ArgumentException($"destination must hold {PageSize} bytes", nameof(destination));
        if (!IsStored(pfn)) return PageReadStatus.NotStored;
        var index = DumpableBitmap.Rank(pfn) - DumpableBitmap.Rank(StartPfn);
        var at = DescriptorsOffset + index * PageDescriptor.Length;
        Span<byte> raw = stackalloc byte[PageDescriptor.Length];
        if (!_source.Contains(at, raw.Length))
        {
            if (IsIncomplete) return PageReadStatus.NotStored;
            error = DumpErrors.Truncated(Name, $"page_desc of pfn 0x{pfn:x}", at, raw.Length, _source.Length);
            return PageReadStatus.Corrupt;
        }
        _source.ReadExactlyAt(at, raw, "page_desc");
        var pd = PageDescriptor.ReadCore(raw, Layout);
        // makedumpfile zero-fills descriptors it could not write before ENOSPC: offset 0 = lost page.
        if (pd.Offset == 0 && IsIncomplete) return PageReadStatus.NotStored;
        var page = destination[..PageSize];
        if (pd.Size == 0 || pd.Size > PageSize)
            return Fail(out error, "page_desc.size", pd.Size.ToString(), at, $"of pfn 0x{pfn:x} must be 1..{PageSize}");
        if (pd.Offset <= 0 || !_source.Contains(pd.Offset, pd.Size))
        {
            if (IsIncomplete) return PageReadStatus.NotStored;
            return Fail(out error, "page_desc.offset", $"0x{pd.Offset:x}", at, $"of pfn 0x{pfn:x} with size {pd.Size} lies outside the file (length 0x{_source.Length:x})");
        }
        if (pd.Flags == 0)
        {
            if (pd.Size != PageSize)
                return Fail(out error, "page_desc.size", pd.Size.ToString(), at, $"of uncompressed pfn 0x{pfn:x} must equal the page size {PageSize}");
            _source.ReadExactlyAt(pd.Offset, page, "page data");
            return PageReadStatus.Ok;
        }
        var codec = PageCodecs.Get(pd.Flags, Name, at + PageDescriptor.FieldLocations.Flags);
        var buffer = ArrayPool<byte>.Shared.Rent((int)pd.Size);
        try
        {
            var stored = buffer.AsSpan(0, (int)pd.Size);
            _source.ReadExactlyAt(pd.Offset, stored, "page data");
            var status = codec.Decompress(stored, page, out var written);
            if (status != System.Buffers.OperationStatus.Done || written != PageSize)
                return Fail(out error, "page data", $"({codec.Name}, {pd.Size} bytes)", pd.Offset,
                    $"of pfn 0x{pfn:x} does not decompress to one page ({status}, {written} bytes)");
            return PageReadStatus.Ok;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private PageReadStatus Fail(out KdumpException error, string field, string value, long offset, string reason)
    {
        error = DumpErrors.Corrupt(Name, field, value, offset, reason);
        return PageReadStatus.Corrupt;
    }

    public void Dispose() => _source.Dispose();
}
