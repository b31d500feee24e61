namespace Kdump.Compression;

/// <summary>
/// Per-page compression bits, as stored in a diskdump <c>page_desc.flags</c> and in
/// <c>disk_dump_header.status</c> (makedumpfile <c>diskdump_mod.h</c>, <c>DUMP_DH_COMPRESSED_*</c>).
/// A stored page has at most one of them; 0 means the page is stored raw.
/// </summary>
[Flags]
public enum PageCompression : uint
{
    /// <summary>Stored raw.</summary>
    None = 0,

    /// <summary>DUMP_DH_COMPRESSED_ZLIB: a zlib stream (RFC 1950), as zlib's <c>compress2</c> writes.</summary>
    Zlib = 0x01,

    /// <summary>DUMP_DH_COMPRESSED_LZO: LZO1X (written by <c>lzo1x_1_compress</c>).</summary>
    Lzo = 0x02,

    /// <summary>DUMP_DH_COMPRESSED_SNAPPY: raw (unframed) snappy.</summary>
    Snappy = 0x04,

    /// <summary>DUMP_DH_COMPRESSED_ZSTD: one zstd frame.</summary>
    Zstd = 0x20,
}
