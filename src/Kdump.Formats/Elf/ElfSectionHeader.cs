using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>
/// An ELF section header. A vmcore needs only index 0, whose sh_info holds the real program header
/// count when e_phnum is PN_XNUM (extended numbering) and which QEMU writes before the program
/// headers; a vmlinux (<see cref="ElfObject"/>) is read by its sections (.symtab, .debug_*).
/// </summary>
public readonly record struct ElfSectionHeader
{
    /// <summary>sh_flags SHF_COMPRESSED: the section starts with an <see cref="ElfCompressionHeader"/>.</summary>
    public const ulong ShfCompressed = 0x800;

    public uint NameOffset { get; init; }  // sh_name (into the e_shstrndx section)
    public uint Type { get; init; }        // sh_type
    public ulong Flags { get; init; }      // sh_flags
    public ulong Address { get; init; }    // sh_addr
    public ulong Offset { get; init; }     // sh_offset
    public ulong Size { get; init; }       // sh_size
    public uint Link { get; init; }        // sh_link
    public uint Info { get; init; }        // sh_info
    public ulong EntrySize { get; init; }  // sh_entsize

    internal static class FieldLocations
    {
        /// <summary>Elf32_Shdr, 40 bytes.</summary>
        public static class Elf32
        {
            public const int Name = 0;      // sh_name
            public const int Type = 4;      // sh_type
            public const int Flags = 8;     // sh_flags
            public const int Addr = 12;     // sh_addr
            public const int Offset = 16;   // sh_offset
            public const int SizeField = 20; // sh_size
            public const int Link = 24;     // sh_link
            public const int Info = 28;     // sh_info
            public const int EntSize = 36;  // sh_entsize
            public const int Size = 40;
        }

        /// <summary>Elf64_Shdr, 64 bytes.</summary>
        public static class Elf64
        {
            public const int Name = 0;      // sh_name
            public const int Type = 4;      // sh_type
            public const int Flags = 8;     // sh_flags
            public const int Addr = 16;     // sh_addr
            public const int Offset = 24;   // sh_offset
            public const int SizeField = 32; // sh_size
            public const int Link = 40;     // sh_link
            public const int Info = 44;     // sh_info
            public const int EntSize = 56;  // sh_entsize
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
            ? new ElfSectionHeader
            {
                NameOffset = r.U32(FieldLocations.Elf64.Name),
                Type = r.U32(FieldLocations.Elf64.Type),
                Flags = r.U64(FieldLocations.Elf64.Flags),
                Address = r.U64(FieldLocations.Elf64.Addr),
                Offset = r.U64(FieldLocations.Elf64.Offset),
                Size = r.U64(FieldLocations.Elf64.SizeField),
                Link = r.U32(FieldLocations.Elf64.Link),
                Info = r.U32(FieldLocations.Elf64.Info),
                EntrySize = r.U64(FieldLocations.Elf64.EntSize),
            }
            : new ElfSectionHeader
            {
                NameOffset = r.U32(FieldLocations.Elf32.Name),
                Type = r.U32(FieldLocations.Elf32.Type),
                Flags = r.U32(FieldLocations.Elf32.Flags),
                Address = r.U32(FieldLocations.Elf32.Addr),
                Offset = r.U32(FieldLocations.Elf32.Offset),
                Size = r.U32(FieldLocations.Elf32.SizeField),
                Link = r.U32(FieldLocations.Elf32.Link),
                Info = r.U32(FieldLocations.Elf32.Info),
                EntrySize = r.U32(FieldLocations.Elf32.EntSize),
            };
        return true;
    }

    /// <summary>Writes the fields a vmcore uses (sh_type, sh_link, sh_info); the others are zero there.</summary>
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
