namespace Kdump.Initramfs.Cpio;

/// <summary>How a segment of an initramfs file is stored.</summary>
public enum InitramfsSegmentKind
{
    /// <summary>A plain newc archive (dracut's early cpio, or an uncompressed image).</summary>
    Cpio,
    Gzip,
    Zstd,
    Xz,
}

/// <summary>One segment of an initramfs file: where it starts in the file and how many archives and entries it held.</summary>
public sealed record InitramfsSegment(InitramfsSegmentKind Kind, long Offset, int Archives, int Entries);

/// <summary>What <see cref="InitramfsImageReader"/> found: the requested regular files (by archive name) and the segments.</summary>
public sealed record InitramfsContents(IReadOnlyDictionary<string, byte[]> Files, IReadOnlyList<InitramfsSegment> Segments);
