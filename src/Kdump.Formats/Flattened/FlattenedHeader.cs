using Kdump.Primitives;

namespace Kdump.Formats.Flattened;

/// <summary>
/// struct makedumpfile_header: the first 4096 bytes of a flattened stream. Its integers are
/// big-endian on every host (makedumpfile converts them so the stream is portable).
/// </summary>
public readonly record struct FlattenedHeader(long Type, long Version)
{
    internal static class FieldLocations
    {
        public const int Signature = 0;   // signature[SIG_LEN_MDF = 16]: "makedumpfile" + 4 NULs
        public const int Type = 16;       // type (int64_t, big-endian)
        public const int Version = 24;    // version (int64_t, big-endian)
        public const int Size = 32;
    }

    /// <summary>MAX_SIZE_MDF_HEADER: the header is zero-padded to this size; records start after it.</summary>
    public const int BlockSize = 4096;

    public const long TypeFlatHeader = 1;       // TYPE_FLAT_HEADER
    public const long VersionFlatHeader = 1;    // VERSION_FLAT_HEADER

    public static ReadOnlySpan<byte> Signature => "makedumpfile\0\0\0\0"u8;

    private static readonly DataLayout s_layout = DataLayout.BigEndian64;

    /// <summary>False when the signature does not match (compared like makedumpfile's strcmp: 12 chars and a NUL).</summary>
    public static bool TryReadCore(ReadOnlySpan<byte> block, out FlattenedHeader header)
    {
        header = default;
        if (block.Length < FieldLocations.Size || !block.StartsWith(Signature[..13])) return false;
        var r = new EndianReader(block, s_layout);
        header = new FlattenedHeader(r.I64(FieldLocations.Type), r.I64(FieldLocations.Version));
        return true;
    }

    /// <summary>Writes the whole 4096-byte header block.</summary>
    public void WriteCore(Span<byte> block)
    {
        block[..BlockSize].Clear();
        Signature.CopyTo(block);
        var w = new EndianWriter(block, s_layout);
        w.U64(FieldLocations.Type, unchecked((ulong)Type));
        w.U64(FieldLocations.Version, unchecked((ulong)Version));
    }
}
