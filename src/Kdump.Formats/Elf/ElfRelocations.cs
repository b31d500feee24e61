using System.Globalization;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Elf;

/// <summary>
/// The SHT_RELA relocations of an x86_64 relocatable object (ET_REL: a kernel module .ko or its
/// debug file), applied to a copy of the section they patch as libdwfl's relocate.c applies them
/// before libdw reads a module's DWARF. In an ET_REL every reference from one section into another
/// (DW_FORM_strp, DW_FORM_sec_offset, a unit's debug_abbrev_offset, DW_OP_addr) is 0 in the section
/// bytes: with RELA the addend holds the value.
/// </summary>
internal static class ElfRelocations
{
    internal static class FieldLocations
    {
        /// <summary>Elf64_Rela, 24 bytes.</summary>
        public static class Elf64Rela
        {
            public const int Offset = 0;    // r_offset
            public const int Info = 8;      // r_info: symbol << 32 | type
            public const int Addend = 16;   // r_addend
            public const int Size = 24;
        }
    }

    /// <summary>
    /// The R_X86_64_* types applied here (x86-64 psABI, table "Relocation Types"). gcc and ld -r put
    /// only _32 and _64 in the debug sections of Debian's kernel modules; libdwfl also takes _32S,
    /// _16 and _8 (x86_64_reloc_simple_type), and _PC32/_PC64 are the PC-relative pair of the same
    /// kind (P is r_offset: the section's sh_addr is 0).
    /// </summary>
    internal static class X8664
    {
        public const uint None = 0;     // R_X86_64_NONE
        public const uint Abs64 = 1;    // R_X86_64_64: S + A, 8 bytes
        public const uint Pc32 = 2;     // R_X86_64_PC32: S + A - P, 4 bytes signed
        public const uint Abs32 = 10;   // R_X86_64_32: S + A, 4 bytes zero-extended
        public const uint Abs32S = 11;  // R_X86_64_32S: S + A, 4 bytes sign-extended
        public const uint Abs16 = 12;   // R_X86_64_16: S + A, 2 bytes
        public const uint Abs8 = 14;    // R_X86_64_8: S + A, 1 byte
        public const uint Pc64 = 24;    // R_X86_64_PC64: S + A - P, 8 bytes

        public static string Name(uint type) => type switch
        {
            None => "R_X86_64_NONE",
            Abs64 => "R_X86_64_64",
            Pc32 => "R_X86_64_PC32",
            Abs32 => "R_X86_64_32",
            Abs32S => "R_X86_64_32S",
            Abs16 => "R_X86_64_16",
            Abs8 => "R_X86_64_8",
            Pc64 => "R_X86_64_PC64",
            _ => $"type {type.ToString(CultureInfo.InvariantCulture)}",
        };

        /// <summary>Bytes written by <paramref name="type"/>, or 0 when it is not applied here.</summary>
        public static int Width(uint type) => type switch
        {
            Abs64 or Pc64 => 8,
            Abs32 or Abs32S or Pc32 => 4,
            Abs16 => 2,
            Abs8 => 1,
            _ => 0,
        };
    }

    /// <summary>Where the relocations come from, for messages.</summary>
    /// <param name="RelaOffset">File offset of the rela section's bytes; null when it is stored compressed.</param>
    internal readonly record struct Origin(string? File, string RelaName, long? RelaOffset, string TargetName);

    /// <summary>
    /// Applies every Elf64_Rela of <paramref name="rela"/> to <paramref name="target"/> (the inflated
    /// copy of the section they patch), taking st_value from <paramref name="symbols"/> (the linked
    /// Elf64_Sym table). Checked before anything is written: the entry's symbol is in the table and
    /// its bytes lie inside the section; a type not applied here or a value that does not fit is an
    /// error, as libdwfl fails the whole module on one bad relocation.
    /// </summary>
    public static void ApplyX8664(Span<byte> target, ReadOnlySpan<byte> rela, ReadOnlySpan<byte> symbols, Origin origin)
    {
        const int entrySize = FieldLocations.Elf64Rela.Size;
        if (rela.Length % entrySize != 0)
            throw DumpErrors.Corrupt(origin.File, $"sh_size of {origin.RelaName}", rela.Length.ToString(CultureInfo.InvariantCulture), origin.RelaOffset,
                $"is not a multiple of sizeof(Elf64_Rela) ({entrySize})");
        var layout = DataLayout.LittleEndian64;
        var symbolCount = (ulong)(symbols.Length / ElfSymbol.FieldLocations.Elf64.Size);
        var count = rela.Length / entrySize;
        for (var i = 0; i < count; i++)
        {
            var r = new EndianReader(rela.Slice(i * entrySize, entrySize), layout);
            var offset = r.U64(FieldLocations.Elf64Rela.Offset);
            var info = r.U64(FieldLocations.Elf64Rela.Info);
            var addend = r.I64(FieldLocations.Elf64Rela.Addend);
            var type = (uint)(info & uint.MaxValue);
            var symbol = info >> 32;
            long? at = origin.RelaOffset is { } o ? checked(o + ((long)i * entrySize)) : null;
            string Field(string name) => $"{origin.RelaName} entry {i.ToString(CultureInfo.InvariantCulture)} {name}";

            // ld -r leaves R_X86_64_NONE behind for references into discarded sections: nothing to do.
            if (type == X8664.None) continue;
            var width = X8664.Width(type);
            if (width == 0)
                throw new DumpFeatureNotSupportedException(DumpErrors.Describe(origin.File, Field("r_info type"), type.ToString(CultureInfo.InvariantCulture), at,
                    $"relocation {X8664.Name(type)} in {origin.TargetName} is not one applied here (R_X86_64_NONE, _64, _PC32, _32, _32S, _16, _8, _PC64)"))
                { FilePath = origin.File, Offset = at };
            if (symbol >= symbolCount)
                throw DumpErrors.Corrupt(origin.File, Field("r_info symbol"), symbol.ToString(CultureInfo.InvariantCulture), at,
                    $"is past the {symbolCount} entries of the symbol table");
            if (offset > (ulong)target.Length || (ulong)target.Length - offset < (ulong)width)
                throw DumpErrors.Corrupt(origin.File, Field("r_offset"), $"0x{offset:x}", at,
                    $"{X8664.Name(type)} writes {width} bytes past the end of {origin.TargetName} (0x{target.Length:x} bytes)");

            // In an ET_REL st_value is the offset in the symbol's section and every section's sh_addr
            // is 0 (nothing is laid out yet): S is st_value, and P is r_offset. A module is read for
            // names, types and offsets; no reader needs the addresses of its code.
            var s = symbol == 0 ? 0 : new EndianReader(symbols.Slice((int)symbol * ElfSymbol.FieldLocations.Elf64.Size, ElfSymbol.FieldLocations.Elf64.Size), layout)
                .U64(ElfSymbol.FieldLocations.Elf64.Value);
            var value = (Int128)s + addend;
            if (type is X8664.Pc32 or X8664.Pc64) value -= offset;
            var (min, max) = type switch
            {
                X8664.Abs32 => ((Int128)0, (Int128)uint.MaxValue),
                X8664.Abs32S or X8664.Pc32 => (int.MinValue, int.MaxValue),
                // ld checks these as bitfields: signed or unsigned, the bits must hold the value.
                X8664.Abs16 => (short.MinValue, ushort.MaxValue),
                X8664.Abs8 => (sbyte.MinValue, byte.MaxValue),
                // 64-bit values wrap, as a linker stores them.
                _ => (Int128.MinValue, Int128.MaxValue),
            };
            if (value < min || value > max)
                throw DumpErrors.Corrupt(origin.File, Field("r_addend"), addend.ToString(CultureInfo.InvariantCulture), at,
                    $"{X8664.Name(type)} at {origin.TargetName} offset 0x{offset:x} gives {value.ToString(CultureInfo.InvariantCulture)}, which does not fit its {width} bytes");
            var bits = unchecked((ulong)value);
            var w = new EndianWriter(target.Slice((int)offset, width), layout);
            switch (width)
            {
                case 8: w.U64(0, bits); break;
                case 4: w.U32(0, unchecked((uint)bits)); break;
                case 2: w.U16(0, unchecked((ushort)bits)); break;
                default: w.U8(0, unchecked((byte)bits)); break;
            }
        }
    }
}
