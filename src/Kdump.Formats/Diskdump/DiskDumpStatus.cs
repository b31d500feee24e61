namespace Kdump.Formats.Diskdump;

/// <summary>disk_dump_header.status bits (makedumpfile diskdump_mod.h). The compression bits are also page_desc flags.</summary>
[Flags]
public enum DiskDumpStatus : uint
{
    None = 0,
    CompressedZlib = 0x01,        // DUMP_DH_COMPRESSED_ZLIB
    CompressedLzo = 0x02,         // DUMP_DH_COMPRESSED_LZO
    CompressedSnappy = 0x04,      // DUMP_DH_COMPRESSED_SNAPPY
    Incomplete = 0x08,            // DUMP_DH_COMPRESSED_INCOMPLETE: ENOSPC or -L cut the dump short
    ExcludedVmemmap = 0x10,       // DUMP_DH_EXCLUDED_VMEMMAP: -e dropped unused vmemmap
    CompressedZstd = 0x20,        // DUMP_DH_COMPRESSED_ZSTD
}
