using Kdump.Compression;

namespace Kdump.Formats;

/// <summary>
/// Sniffs a file's first bytes. The table is in probe order; the first match wins. Used to pick a
/// reader and to say what a file is when it is not what a tool wants.
/// </summary>
public static class FormatProbe
{
    /// <summary>Bytes of the head that <see cref="Detect"/> may look at.</summary>
    public const int HeadBytes = 32;

    private static readonly (DumpFormat Format, byte[] Magic, string Description)[] s_table =
    [
        (DumpFormat.KdumpCompressed, "KDUMP   "u8.ToArray(), "a kdump-compressed dump"),
        (DumpFormat.DiskDump, "DISKDUMP"u8.ToArray(), "an old diskdump-format dump"),
        // makedumpfile -R compares with strcmp: "makedumpfile" and its NUL.
        (DumpFormat.Flattened, "makedumpfile\0"u8.ToArray(), "a flattened-format dump (makedumpfile -F, or QEMU kdump-zlib/-lzo/-snappy); reassemble it with makedumpfile -R"),
        (DumpFormat.Gzip, CompressedFile.GzipMagic.ToArray(), "a gzip-compressed file; decompress it first"),
        (DumpFormat.Xz, CompressedFile.XzMagic.ToArray(), "an xz-compressed file; decompress it first"),
        (DumpFormat.Zstd, CompressedFile.ZstdMagic.ToArray(), "a zstd-compressed file; decompress it first"),
        (DumpFormat.Bzip2, "BZh"u8.ToArray(), "a bzip2-compressed file; decompress it first"),
        (DumpFormat.Lz4, [0x04, 0x22, 0x4d, 0x18], "an lz4-compressed file; decompress it first"),
        (DumpFormat.WindowsCrashDump, "PAGEDU64"u8.ToArray(), "a Windows crash dump"),
        (DumpFormat.WindowsCrashDump, "PAGEDUMP"u8.ToArray(), "a Windows crash dump"),
    ];

    public static DumpFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 5 && head[..4].SequenceEqual<byte>([0x7f, (byte)'E', (byte)'L', (byte)'F']))
        {
            return head[4] switch
            {
                1 => DumpFormat.Elf32,
                2 => DumpFormat.Elf64,
                _ => DumpFormat.ElfInvalid,
            };
        }
        foreach (var (format, magic, _) in s_table)
        {
            if (head.StartsWith(magic)) return format;
        }
        return DumpFormat.Unknown;
    }

    /// <summary>A phrase for messages: "this is X".</summary>
    public static string Describe(DumpFormat f) => f switch
    {
        DumpFormat.Elf32 => "an ELF32 vmcore",
        DumpFormat.Elf64 => "an ELF64 vmcore",
        DumpFormat.ElfInvalid => "an ELF file with an invalid class byte",
        DumpFormat.Unknown => "not a known dump format",
        _ => s_table.First(e => e.Format == f).Description,
    };

    /// <summary>Short name, as <c>IDump.FormatName</c> and <c>DumpFormatMismatchException.DetectedFormat</c> use.</summary>
    public static string ShortName(DumpFormat f) => f switch
    {
        DumpFormat.Elf32 => "elf32",
        DumpFormat.Elf64 => "elf64",
        DumpFormat.KdumpCompressed => "kdump-compressed",
        DumpFormat.DiskDump => "diskdump",
        DumpFormat.Flattened => "flattened",
        DumpFormat.ElfInvalid => "elf",
        _ => f.ToString().ToLowerInvariant(),
    };

    /// <summary>A readable hex of up to 16 leading bytes, for "unknown format" messages.</summary>
    public static string HexPrefix(ReadOnlySpan<byte> head) =>
        Convert.ToHexString(head[..Math.Min(16, head.Length)]).ToLowerInvariant();
}
