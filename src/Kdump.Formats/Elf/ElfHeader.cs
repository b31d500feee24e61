using System.Diagnostics.CodeAnalysis;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Elf;

/// <summary>Elf32_Ehdr / Elf64_Ehdr after e_ident, widened to 64-bit values.</summary>
public sealed partial record ElfHeader
{
    public required ElfIdent Ident { get; init; }
    public ushort Type { get; init; }                 // e_type
    public ushort Machine { get; init; }              // e_machine
    public uint Version { get; init; }                // e_version
    public ulong Entry { get; init; }                 // e_entry
    public ulong ProgramHeaderOffset { get; init; }   // e_phoff
    public ulong SectionHeaderOffset { get; init; }   // e_shoff
    public uint Flags { get; init; }                  // e_flags
    public ushort HeaderSize { get; init; }           // e_ehsize
    public ushort ProgramHeaderEntrySize { get; init; } // e_phentsize
    public ushort ProgramHeaderCount { get; init; }   // e_phnum (PN_XNUM: see section header 0)
    public ushort SectionHeaderEntrySize { get; init; } // e_shentsize
    public ushort SectionHeaderCount { get; init; }   // e_shnum
    public ushort SectionNameIndex { get; init; }     // e_shstrndx

    public static int SizeOf(DataLayout layout) => layout.Is64Bit ? FieldLocations.Elf64.Size : FieldLocations.Elf32.Size;

    /// <summary>
    /// e_ident and the header of an ELF file's first bytes (<paramref name="head"/>, at most the
    /// ELF64 header), with the errors of the taxonomy: no magic is a format mismatch, an unknown
    /// class or byte order is corrupt, a file shorter than its header is truncated.
    /// </summary>
    public static ElfHeader ReadChecked(ReadOnlySpan<byte> head, string? file, long fileLength)
    {
        if (!ElfIdent.TryReadCore(head, out var ident))
            throw new DumpFormatMismatchException(DumpErrors.Describe(file, "ELF magic", "", 0, "not an ELF file")) { FilePath = file, Offset = 0 };
        if (ident.Class is not (ElfConstants.ElfClass32 or ElfConstants.ElfClass64))
            DumpErrors.ThrowCorrupt(file, "e_ident[EI_CLASS]", ident.Class.ToString(), ElfIdent.FieldLocations.Class, "must be 1 (ELFCLASS32) or 2 (ELFCLASS64)");
        if (ident.Data is not (ElfConstants.ElfData2Lsb or ElfConstants.ElfData2Msb))
            DumpErrors.ThrowCorrupt(file, "e_ident[EI_DATA]", ident.Data.ToString(), ElfIdent.FieldLocations.Data, "must be 1 (little-endian) or 2 (big-endian)");
        if (!TryReadCore(head, ident, out var header))
            throw DumpErrors.Truncated(file, "ELF header", 0, SizeOf(ident.Layout), fileLength);
        return header;
    }

    /// <summary>False when <paramref name="block"/> is shorter than the header of its class.</summary>
    public static bool TryReadCore(ReadOnlySpan<byte> block, ElfIdent ident, [NotNullWhen(true)] out ElfHeader? header)
    {
        header = null;
        var layout = ident.Layout;
        if (block.Length < SizeOf(layout)) return false;
        var r = new EndianReader(block, layout);
        header = layout.Is64Bit
            ? new ElfHeader
            {
                Ident = ident,
                Type = r.U16(FieldLocations.Elf64.Type),
                Machine = r.U16(FieldLocations.Elf64.Machine),
                Version = r.U32(FieldLocations.Elf64.Version),
                Entry = r.U64(FieldLocations.Elf64.Entry),
                ProgramHeaderOffset = r.U64(FieldLocations.Elf64.PhOff),
                SectionHeaderOffset = r.U64(FieldLocations.Elf64.ShOff),
                Flags = r.U32(FieldLocations.Elf64.Flags),
                HeaderSize = r.U16(FieldLocations.Elf64.EhSize),
                ProgramHeaderEntrySize = r.U16(FieldLocations.Elf64.PhEntSize),
                ProgramHeaderCount = r.U16(FieldLocations.Elf64.PhNum),
                SectionHeaderEntrySize = r.U16(FieldLocations.Elf64.ShEntSize),
                SectionHeaderCount = r.U16(FieldLocations.Elf64.ShNum),
                SectionNameIndex = r.U16(FieldLocations.Elf64.ShStrNdx),
            }
            : new ElfHeader
            {
                Ident = ident,
                Type = r.U16(FieldLocations.Elf32.Type),
                Machine = r.U16(FieldLocations.Elf32.Machine),
                Version = r.U32(FieldLocations.Elf32.Version),
                Entry = r.U32(FieldLocations.Elf32.Entry),
                ProgramHeaderOffset = r.U32(FieldLocations.Elf32.PhOff),
                SectionHeaderOffset = r.U32(FieldLocations.Elf32.ShOff),
                Flags = r.U32(FieldLocations.Elf32.Flags),
                HeaderSize = r.U16(FieldLocations.Elf32.EhSize),
                ProgramHeaderEntrySize = r.U16(FieldLocations.Elf32.PhEntSize),
                ProgramHeaderCount = r.U16(FieldLocations.Elf32.PhNum),
                SectionHeaderEntrySize = r.U16(FieldLocations.Elf32.ShEntSize),
                SectionHeaderCount = r.U16(FieldLocations.Elf32.ShNum),
                SectionNameIndex = r.U16(FieldLocations.Elf32.ShStrNdx),
            };
        return true;
    }

    public void WriteCore(Span<byte> block)
    {
        var layout = Ident.Layout;
        block[..SizeOf(layout)].Clear();
        Ident.WriteCore(block);
        var w = new EndianWriter(block, layout);
        if (layout.Is64Bit)
        {
            w.U16(FieldLocations.Elf64.Type, Type);
            w.U16(FieldLocations.Elf64.Machine, Machine);
            w.U32(FieldLocations.Elf64.Version, Version);
            w.U64(FieldLocations.Elf64.Entry, Entry);
            w.U64(FieldLocations.Elf64.PhOff, ProgramHeaderOffset);
            w.U64(FieldLocations.Elf64.ShOff, SectionHeaderOffset);
            w.U32(FieldLocations.Elf64.Flags, Flags);
            w.U16(FieldLocations.Elf64.EhSize, HeaderSize);
            w.U16(FieldLocations.Elf64.PhEntSize, ProgramHeaderEntrySize);
            w.U16(FieldLocations.Elf64.PhNum, ProgramHeaderCount);
            w.U16(FieldLocations.Elf64.ShEntSize, SectionHeaderEntrySize);
            w.U16(FieldLocations.Elf64.ShNum, SectionHeaderCount);
            w.U16(FieldLocations.Elf64.ShStrNdx, SectionNameIndex);
        }
        else
        {
            w.U16(FieldLocations.Elf32.Type, Type);
            w.U16(FieldLocations.Elf32.Machine, Machine);
            w.U32(FieldLocations.Elf32.Version, Version);
            w.U32(FieldLocations.Elf32.Entry, checked((uint)Entry));
            w.U32(FieldLocations.Elf32.PhOff, checked((uint)ProgramHeaderOffset));
            w.U32(FieldLocations.Elf32.ShOff, checked((uint)SectionHeaderOffset));
            w.U32(FieldLocations.Elf32.Flags, Flags);
            w.U16(FieldLocations.Elf32.EhSize, HeaderSize);
            w.U16(FieldLocations.Elf32.PhEntSize, ProgramHeaderEntrySize);
            w.U16(FieldLocations.Elf32.PhNum, ProgramHeaderCount);
            w.U16(FieldLocations.Elf32.ShEntSize, SectionHeaderEntrySize);
            w.U16(FieldLocations.Elf32.ShNum, SectionHeaderCount);
            w.U16(FieldLocations.Elf32.ShStrNdx, SectionNameIndex);
        }
    }
}
