namespace Kdump.Formats;

/// <summary>What the first bytes of a file say it is.</summary>
public enum DumpFormat
{
    Unknown,
    Elf32,
    Elf64,

    /// <summary>makedumpfile's kdump-compressed format, signature "KDUMP   ".</summary>
    KdumpCompressed,

    /// <summary>The older diskdump format, signature "DISKDUMP" (same layout, not written by makedumpfile).</summary>
    DiskDump,

    /// <summary>makedumpfile -F output, also QEMU's kdump-zlib/-lzo/-snappy: needs reassembly (-R).</summary>
    Flattened,

    /// <summary>ELF magic with an invalid class byte.</summary>
    ElfInvalid,

    Gzip,
    Xz,
    Zstd,
    Bzip2,
    Lz4,

    /// <summary>A Windows crash dump (QEMU's win-dmp).</summary>
    WindowsCrashDump,
}
