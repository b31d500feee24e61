using Kdump.Primitives;

namespace Kdump.Formats.Flattened;

/// <summary>struct makedumpfile_data_header: where the following bytes go in the real file (big-endian).</summary>
public readonly record struct FlattenedRecordHeader(long Offset, long Size)
{
    internal static class FieldLocations
    {
        public const int Offset = 0;      // offset (int64_t)
        public const int Size = 8;        // buf_size (int64_t)
        public const int Length = 16;
    }

    /// <summary>END_FLAG_FLAT_HEADER: offset and buf_size both -1.</summary>
    public static FlattenedRecordHeader End => new(-1, -1);

    public bool IsEnd => Offset == -1 && Size == -1;

    /// <summary>makedumpfile -R stops at the first header with offset &lt; 0 or buf_size &lt;= 0.</summary>
    public bool IsTerminator => Offset < 0 || Size <= 0;

    public static FlattenedRecordHeader ReadCore(ReadOnlySpan<byte> block)
    {
        var r = new EndianReader(block, DataLayout.BigEndian64);
        return new FlattenedRecordHeader(r.I64(FieldLocations.Offset), r.I64(FieldLocations.Size));
    }

    public void WriteCore(Span<byte> block)
    {
        var w = new EndianWriter(block, DataLayout.BigEndian64);
        w.U64(FieldLocations.Offset, unchecked((ulong)Offset));
        w.U64(FieldLocations.Size, unchecked((ulong)Size));
    }
}
