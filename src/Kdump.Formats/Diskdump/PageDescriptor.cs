using Kdump.Primitives;

namespace Kdump.Formats.Diskdump;

/// <summary>struct page_desc: where a stored page's bytes are. 24 bytes on every machine (off_t is 64-bit).</summary>
public readonly record struct PageDescriptor(long Offset, uint Size, uint Flags, ulong PageFlags)
{
    internal static class FieldLocations
    {
        public const int Offset = 0;      // offset: absolute file offset of the data
        public const int Size = 8;        // size: stored bytes
        public const int Flags = 12;      // flags: 0 raw, or one DUMP_DH_COMPRESSED_* bit
        public const int PageFlags = 16;  // page_flags: unused, 0
        public const int Length = 24;
    }

    public const int Length = FieldLocations.Length;

    public static PageDescriptor ReadCore(ReadOnlySpan<byte> block, DataLayout layout)
    {
        var r = new EndianReader(block, layout);
        return new PageDescriptor(r.I64(FieldLocations.Offset), r.U32(FieldLocations.Size), r.U32(FieldLocations.Flags), r.U64(FieldLocations.PageFlags));
    }

    public void WriteCore(Span<byte> block, DataLayout layout)
    {
        var w = new EndianWriter(block, layout);
        w.U64(FieldLocations.Offset, unchecked((ulong)Offset));
        w.U32(FieldLocations.Size, Size);
        w.U32(FieldLocations.Flags, Flags);
        w.U64(FieldLocations.PageFlags, PageFlags);
    }
}
