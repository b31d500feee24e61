using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>
/// Elf32_Chdr / Elf64_Chdr: the header of a section with SHF_COMPRESSED (gABI, "Section
/// Compression"), followed by the compressed bytes of the section.
/// </summary>
public readonly record struct ElfCompressionHeader(uint Type, ulong Size, ulong AddressAlign)
{
    /// <summary>ch_type: ELFCOMPRESS_ZLIB (a zlib stream), ELFCOMPRESS_ZSTD (zstd frames).</summary>
    public const uint Zlib = 1, Zstd = 2;

    public static class FieldLocations
    {
        public static class Elf32
        {
            public const int Type = 0;       // ch_type
            public const int Size = 4;       // ch_size
            public const int AddrAlign = 8;  // ch_addralign
            public const int Length = 12;
        }

        public static class Elf64
        {
            public const int Type = 0;       // ch_type
            public const int Reserved = 4;   // ch_reserved
            public const int Size = 8;       // ch_size
            public const int AddrAlign = 16; // ch_addralign
            public const int Length = 24;
        }
    }

    public static int SizeOf(DataLayout layout) => layout.Is64Bit ? FieldLocations.Elf64.Length : FieldLocations.Elf32.Length;

    /// <summary>The header at the start of <paramref name="section"/>; false when the section is shorter than one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> section, DataLayout layout, out ElfCompressionHeader header)
    {
        header = default;
        if (section.Length < SizeOf(layout)) return false;
        var r = new EndianReader(section, layout);
        header = layout.Is64Bit
            ? new ElfCompressionHeader(r.U32(FieldLocations.Elf64.Type), r.U64(FieldLocations.Elf64.Size), r.U64(FieldLocations.Elf64.AddrAlign))
            : new ElfCompressionHeader(r.U32(FieldLocations.Elf32.Type), r.U32(FieldLocations.Elf32.Size), r.U32(FieldLocations.Elf32.AddrAlign));
        return true;
    }
}
