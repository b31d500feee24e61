using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>
/// Elf32_Sym / Elf64_Sym (elf.h): the two fields read here, st_name and st_value. Symbol tables of
/// files (a vmlinux, a module's debug file) and those a loaded module keeps in kernel memory
/// (kallsyms) share it.
/// </summary>
public static class ElfSymbol
{
    public static class FieldLocations
    {
        /// <summary>Elf64_Sym, 24 bytes.</summary>
        public static class Elf64
        {
            public const int Name = 0;      // st_name
            public const int Value = 8;     // st_value
            public const int Size = 24;
        }

        /// <summary>Elf32_Sym, 16 bytes.</summary>
        public static class Elf32
        {
            public const int Name = 0;      // st_name
            public const int Value = 4;     // st_value
            public const int Size = 16;
        }
    }

    public static int SizeOf(DataLayout layout) => layout.Is64Bit ? FieldLocations.Elf64.Size : FieldLocations.Elf32.Size;

    /// <summary>st_name and st_value of one entry (at least <see cref="SizeOf"/> bytes).</summary>
    public static (uint Name, ulong Value) Read(ReadOnlySpan<byte> entry, DataLayout layout)
    {
        var r = new EndianReader(entry, layout);
        return layout.Is64Bit
            ? (r.U32(FieldLocations.Elf64.Name), r.U64(FieldLocations.Elf64.Value))
            : (r.U32(FieldLocations.Elf32.Name), r.U32(FieldLocations.Elf32.Value));
    }
}
