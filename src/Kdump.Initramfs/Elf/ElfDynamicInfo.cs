using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Initramfs.Elf;

/// <summary>
/// What the dynamic loader needs to run an executable or library: its interpreter
/// (PT_INTERP), the libraries it names (DT_NEEDED) and its search paths (DT_RPATH, DT_RUNPATH).
/// Read from the program headers only, as ld.so does; a static executable has none of them.
/// </summary>
public sealed record ElfDynamicInfo(string? Interpreter, IReadOnlyList<string> Needed, string? RPath, string? RunPath)
{
    public static ElfDynamicInfo None { get; } = new(null, [], null, null);

    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    private const uint PtLoad = 1;     // PT_LOAD
    private const uint PtDynamic = 2;  // PT_DYNAMIC
    private const uint PtInterp = 3;   // PT_INTERP
    private const long DtNull = 0, DtNeeded = 1, DtStrtab = 5, DtStrsz = 10, DtRpath = 15, DtRunpath = 29;
    private const int MaxProgramHeaders = 4096;
    private const int MaxDynamicEntries = 65536;

    /// <summary>ELF header fields, by word size.</summary>
    private static class FieldLocations
    {
        public const int EiClass = 4;     // e_ident[EI_CLASS]: 1 = 32-bit, 2 = 64-bit
        public const int EiData = 5;      // e_ident[EI_DATA]: 1 = LSB, 2 = MSB
        public const int PhOff64 = 0x20, PhOff32 = 0x1C;          // e_phoff
        public const int PhEntSize64 = 0x36, PhEntSize32 = 0x2A;  // e_phentsize
        public const int PhNum64 = 0x38, PhNum32 = 0x2C;          // e_phnum
        public const int Header64 = 64, Header32 = 52;
    }

    /// <summary>Program header fields (Elf64_Phdr / Elf32_Phdr).</summary>
    private static class PhdrLocations
    {
        public const int Type = 0;                       // p_type
        public const int Offset64 = 8, Offset32 = 4;     // p_offset
        public const int Vaddr64 = 16, Vaddr32 = 8;      // p_vaddr
        public const int Filesz64 = 32, Filesz32 = 16;   // p_filesz
        public const int Size64 = 56, Size32 = 32;
    }

    /// <summary>Reads the file at <paramref name="hostPath"/>; not an ELF file → null.</summary>
    public static ElfDynamicInfo? ReadFile(string hostPath)
    {
        var data = File.ReadAllBytes(hostPath);
        return TryReadCore(data, hostPath, out var info) ? info : null;
    }

    /// <summary>Parses an ELF image; false when it is not ELF. Malformed headers throw <see cref="DumpCorruptException"/>.</summary>
    public static bool TryReadCore(ReadOnlySpan<byte> file, string? fileName, out ElfDynamicInfo info)
    {
        info = None;
        if (file.Length < FieldLocations.Header32 || !file[..4].SequenceEqual(ElfMagic))
            return false;
        var is64 = file[FieldLocations.EiClass] switch
        {
            1 => false,
            2 => true,
            var c => throw DumpErrors.Corrupt(fileName, "e_ident[EI_CLASS]", c.ToString(System.Globalization.CultureInfo.InvariantCulture), FieldLocations.EiClass, "is neither ELFCLASS32 nor ELFCLASS64"),
        };
        var bigEndian = file[FieldLocations.EiData] == 2;
        if (is64 && file.Length < FieldLocations.Header64)
            throw DumpErrors.Truncated(fileName, "ELF header", 0, FieldLocations.Header64, file.Length);
        var r = new EndianReader(file, new DataLayout(bigEndian, is64));
        var phoff = is64 ? r.U64(FieldLocations.PhOff64) : r.U32(FieldLocations.PhOff32);
        var phentsize = r.U16(is64 ? FieldLocations.PhEntSize64 : FieldLocations.PhEntSize32);
        var phnum = r.U16(is64 ? FieldLocations.PhNum64 : FieldLocations.PhNum32);
        if (phnum == 0) return true;
        if (phnum > MaxProgramHeaders)
            throw DumpErrors.OverLimit(fileName, "e_phnum", phnum, MaxProgramHeaders, is64 ? FieldLocations.PhNum64 : FieldLocations.PhNum32);
        var minEnt = is64 ? PhdrLocations.Size64 : PhdrLocations.Size32;
        if (phentsize < minEnt)
            throw DumpErrors.Corrupt(fileName, "e_phentsize", phentsize.ToString(System.Globalization.CultureInfo.InvariantCulture), null, $"is smaller than {minEnt}");
        var tableEnd = checked(phoff + (ulong)phentsize * phnum);
        if (tableEnd > (ulong)file.Length)
            throw DumpErrors.Truncated(fileName, "program header table", (long)Math.Min(phoff, long.MaxValue), (long)(tableEnd - phoff), file.Length);

        string? interp = null;
        var loads = new List<(ulong Vaddr, ulong Offset, ulong Size)>();
        (ulong Offset, ulong Size)? dynamic = null;
        for (var i = 0; i < phnum; i++)
        {
            var ph = r.Slice((int)phoff + i * phentsize, minEnt);
            var type = ph.U32(PhdrLocations.Type);
            var offset = is64 ? ph.U64(PhdrLocations.Offset64) : ph.U32(PhdrLocations.Offset32);
            var vaddr = is64 ? ph.U64(PhdrLocations.Vaddr64) : ph.U32(PhdrLocations.Vaddr32);
            var filesz = is64 ? ph.U64(PhdrLocations.Filesz64) : ph.U32(PhdrLocations.Filesz32);
            if (type is PtLoad or PtDynamic or PtInterp && checked(offset + filesz) > (ulong)file.Length)
                throw DumpErrors.Truncated(fileName, $"segment {i}", (long)Math.Min(offset, long.MaxValue), (long)Math.Min(filesz, long.MaxValue), file.Length);
            switch (type)
            {
                case PtLoad: loads.Add((vaddr, offset, filesz)); break;
                case PtDynamic: dynamic = (offset, filesz); break;
                case PtInterp: interp = NulTerminated.Utf8(file.Slice((int)offset, (int)filesz)); break;
            }
        }
        if (dynamic is not { } dyn)
        {
            info = new ElfDynamicInfo(interp, [], null, null);
            return true;
        }

        var entSize = is64 ? 16 : 8;
        var count = (int)Math.Min(dyn.Size / (ulong)entSize, MaxDynamicEntries);
        var neededOffsets = new List<ulong>();
        ulong? strtab = null, rpath = null, runpath = null;
        ulong strsz = 0;
        for (var i = 0; i < count; i++)
        {
            var e = r.Slice(checked((int)dyn.Offset + i * entSize), entSize);
            var tag = is64 ? e.I64(0) : e.I32(0);       // d_tag
            var val = is64 ? e.U64(8) : e.U32(4);       // d_un.d_val / d_ptr
            if (tag == DtNull) break;
            switch (tag)
            {
                case DtNeeded: neededOffsets.Add(val); break;
                case DtStrtab: strtab = val; break;
                case DtStrsz: strsz = val; break;
                case DtRpath: rpath = val; break;
                case DtRunpath: runpath = val; break;
            }
        }
        if (strtab is not { } strVaddr)
        {
            info = new ElfDynamicInfo(interp, [], null, null);
            return true;
        }
        var strOffset = VaddrToOffset(loads, strVaddr)
            ?? throw DumpErrors.Corrupt(fileName, "DT_STRTAB", $"0x{strVaddr:x}", null, "is not inside any PT_LOAD segment");
        var strEnd = Math.Min(checked(strOffset + strsz), (ulong)file.Length);
        var strings = file[(int)strOffset..(int)strEnd];
        var needed = new List<string>(neededOffsets.Count);
        foreach (var o in neededOffsets) needed.Add(Str(strings, o, fileName, strOffset, strsz));
        info = new ElfDynamicInfo(interp, needed,
            rpath is { } rp ? Str(strings, rp, fileName, strOffset, strsz) : null,
            runpath is { } ru ? Str(strings, ru, fileName, strOffset, strsz) : null);
        return true;
    }

    private static string Str(ReadOnlySpan<byte> strings, ulong o, string? fileName, ulong strOffset, ulong strsz) =>
        o < (ulong)strings.Length
            ? NulTerminated.Utf8(strings[(int)o..])
            : throw DumpErrors.Corrupt(fileName, "dynamic string offset", $"0x{o:x}", (long)strOffset, $"is beyond DT_STRSZ 0x{strsz:x}");

    private static ulong? VaddrToOffset(List<(ulong Vaddr, ulong Offset, ulong Size)> loads, ulong vaddr)
    {
        foreach (var (v, o, s) in loads)
        {
            if (vaddr >= v && vaddr - v < s) return o + (vaddr - v);
        }
        return null;
    }
}
