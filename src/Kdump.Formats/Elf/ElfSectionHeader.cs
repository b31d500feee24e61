using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>
/// The one section header a vmcore may need: index 0, whose sh_info holds the real program
/// header count when e_phnum is PN_XNUM (extended numbering), and which QEMU writes before the
/// program headers. Other fields are not used by dumps.
/// </summary>
public readonly record struct ElfSectionHeader
{
    public uint Type { get; init; }   // sh_type
    public uint Link { get; init; }   // sh_link
    public uint Info { get; init; }   // sh_info

    internal static class FieldLocations
    {
        /// <summary>Elf32_Shdr, 40 bytes.</summary>
        public static class Elf32
        {
            public const int Type = 4;    // sh_type
            public const int Link = 24;   // sh_link
            public const int Info = 28;   // sh_info
            public const int Size = 40;
        }

        /// <summary>Elf64_Shdr, 64 bytes.</summary>
        public static class Elf64
        {
            public const int Type = 4;    // sh_type
            public const int Link = 40;   // sh_link
            public const int Info = 44;   // sh_info
            public const int Size = 64;
        }
    }

    public static int SizeOf(DataLayout layout) => layout.Is64Bit ? FieldLocations.Elf64.Size : FieldLocations.Elf32.Size;

    public static bool TryReadCore(ReadOnlySpan<byte> block, DataLayout layout, out ElfSectionHeader header)
    {
        header = default;
        if (block.Length < SizeOf(layout)) return false;
        var r = new EndianReader(block, layout);
        header = layout.Is64Bit
            ? new ElfSectionHeader { Type = r.U32(FieldLocations.Elf64.Type), Link = r.U32(FieldLocations.Elf64.Link), Info = r.U32(FieldLocations.Elf64.Info) }
            : new ElfSectionHeader { Type = r.U32(FieldLocations.Elf32.Type), Link = r.U32(FieldLocations.Elf32.Link), Info = r.U32(FieldLocations.Elf32.Info) };
        return true;
    }

    public void WriteCore(Span<byte> block, DataLayout layout)
    {
        block[..SizeOf(layout)].Clear();
        var w = new EndianWriter(block, layout);
        if (layout.Is64Bit)
        {
            w.U32(FieldLocations.Elf64.Type, Type);
            w.U32(FieldLocations.Elf64.Link, Link);
            w.U32(FieldLocations.Elf64.Info, Info);
        }
        else
        {
            w.U32(FieldLocations.Elf32.Type, Type);
            w.U32(FieldLocations.Elf32.Link, Link);
            w.U32(FieldLocations.Elf32.Info, Info);
        }
    }
}
