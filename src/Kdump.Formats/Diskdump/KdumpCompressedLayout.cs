namespace Kdump.Formats.Diskdump;

/// <summary>
/// Where makedumpfile puts each part of a kdump-compressed file (makedumpfile.c:write_kdump_header,
/// write_kdump_pages_and_bitmap_cyclic): header block, sub header and notes, the two block-aligned
/// bitmaps, the packed page_desc table, then packed page data.
/// </summary>
public sealed record KdumpCompressedLayout
{
    public required int BlockSize { get; init; }

    public required ulong MaxMapNr { get; init; }

    /// <summary>Bytes of ELF notes copied after the sub header.</summary>
    public required long NoteBytes { get; init; }

    /// <summary>Pages with a descriptor (1-bits of the 2nd bitmap, of this file's range for split files).</summary>
    public required long DescriptorCount { get; init; }

    /// <summary>sub_hdr_size: blocks for the sub header and the notes after it.</summary>
    public int SubHeaderBlocks => checked((int)((KdumpSubHeader.Size64 + NoteBytes + BlockSize - 1) / BlockSize));

    /// <summary>One bitmap's bytes, rounded up to whole blocks.</summary>
    public long BitmapBytes => checked((long)((MaxMapNr + 7) / 8 + (ulong)BlockSize - 1) / BlockSize * BlockSize);

    /// <summary>bitmap_blocks: both bitmaps.</summary>
    public uint BitmapBlocks => checked((uint)(2 * BitmapBytes / BlockSize));

    public long SubHeaderOffset => BlockSize;

    /// <summary>offset_note: right after the 104-byte sub header (4200 with 4 KiB blocks).</summary>
    public long NoteOffset => BlockSize + KdumpSubHeader.Size64;

    public long FirstBitmapOffset => checked((1L + SubHeaderBlocks) * BlockSize);

    public long SecondBitmapOffset => checked(FirstBitmapOffset + BitmapBytes);

    public long DescriptorOffset => checked(SecondBitmapOffset + BitmapBytes);

    public long DataOffset => checked(DescriptorOffset + DescriptorCount * PageDescriptor.Length);
}
