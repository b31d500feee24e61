using Kdump.Primitives.IO;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Elf;

/// <summary>
/// An ELF object read by its sections and symbols: a vmlinux with debug information, or a kernel
/// module's debug file (ET_REL), whole in memory (mapped). Headers, the section table and the
/// symbol table are checked against the file's length before any of them is used; section contents
/// are lent as slices of <see cref="File"/>, except inflated and relocated ones (copies).
/// </summary>
public sealed class ElfObject
{
    private const int MaxSections = 65_280; // SHN_LORESERVE: no extended section numbering here

    private readonly ElfSectionHeader[] _sections;
    private readonly string[] _sectionNames;

    private ElfObject(string? fileName, ReadOnlyMemory<byte> file, ElfHeader header, ElfSectionHeader[] sections, string[] names, ElfProgramHeader[] programs)
    {
        FileName = fileName;
        File = file;
        Header = header;
        _sections = sections;
        _sectionNames = names;
        ProgramHeaders = programs;
    }

    public string? FileName { get; }

    public ReadOnlyMemory<byte> File { get; }

    public ElfHeader Header { get; }

    public DataLayout Layout => Header.Ident.Layout;

    public IReadOnlyList<ElfProgramHeader> ProgramHeaders { get; }

    public static ElfObject Parse(ReadOnlyMemory<byte> file, string? fileName = null)
    {
        var span = file.Span;
        var header = ElfHeader.ReadChecked(span[..Math.Min(span.Length, ElfHeader.FieldLocations.Elf64.Size)], fileName, span.Length);
        var layout = header.Ident.Layout;

        var shSize = ElfSectionHeader.SizeOf(layout);
        if (header.SectionHeaderCount > 0 && header.SectionHeaderEntrySize != shSize)
            DumpErrors.ThrowCorrupt(fileName, "e_shentsize", header.SectionHeaderEntrySize.ToString(), null, $"must be {shSize} for this ELF class");
        if (header.SectionHeaderCount > MaxSections)
            throw DumpErrors.OverLimit(fileName, "e_shnum", header.SectionHeaderCount, MaxSections, null);
        var table = Slice(file, fileName, "section header table", header.SectionHeaderOffset, (ulong)header.SectionHeaderCount * (ulong)shSize);
        var sections = new ElfSectionHeader[header.SectionHeaderCount];
        for (var i = 0; i < sections.Length; i++)
            ElfSectionHeader.TryReadCore(table.Span.Slice(i * shSize, shSize), layout, out sections[i]);

        var names = new string[sections.Length];
        if (header.SectionNameIndex < sections.Length)
        {
            var strtab = SectionBytes(file, fileName, sections[header.SectionNameIndex], ".shstrtab").Span;
            for (var i = 0; i < sections.Length; i++)
                names[i] = CString(strtab, sections[i].NameOffset);
        }
        else
        {
            Array.Fill(names, "");
        }

        var phSize = ElfProgramHeader.SizeOf(layout);
        var programs = Array.Empty<ElfProgramHeader>();
        if (header.ProgramHeaderCount > 0)
        {
            if (header.ProgramHeaderEntrySize != phSize)
                DumpErrors.ThrowCorrupt(fileName, "e_phentsize", header.ProgramHeaderEntrySize.ToString(), null, $"must be {phSize} for this ELF class");
            var phs = Slice(file, fileName, "program header table", header.ProgramHeaderOffset, (ulong)header.ProgramHeaderCount * (ulong)phSize);
            programs = new ElfProgramHeader[header.ProgramHeaderCount];
            for (var i = 0; i < programs.Length; i++)
                ElfProgramHeader.TryReadCore(phs.Span.Slice(i * phSize, phSize), layout, out programs[i]);
        }
        return new ElfObject(fileName, file, header, sections, names, programs);
    }

    /// <summary>The header of the first section named <paramref name="name"/>, or null.</summary>
    public ElfSectionHeader? SectionHeader(string name)
    {
        var i = Array.IndexOf(_sectionNames, name);
        return i < 0 ? null : _sections[i];
    }

    /// <summary>
    /// The contents of the first section named <paramref name="name"/>, or null when there is none (or
    /// it is SHT_NOBITS). A section with SHF_COMPRESSED (CONFIG_DEBUG_INFO_COMPRESSED kernels, gcc -gz)
    /// comes back inflated, as libelf's elf_compress gives it to libdw.
    /// </summary>
    public ReadOnlyMemory<byte>? Section(string name)
    {
        var i = Array.IndexOf(_sectionNames, name);
        if (i < 0 || _sections[i].Type == ElfConstants.ShtNobits) return null;
        return Contents(i, name);
    }

    /// <summary>The inflated contents of section <paramref name="index"/>: a slice of the file, or a fresh array when SHF_COMPRESSED.</summary>
    private ReadOnlyMemory<byte> Contents(int index, string name)
    {
        var bytes = SectionBytes(File, FileName, _sections[index], name);
        return (_sections[index].Flags & ElfSectionHeader.ShfCompressed) != 0 ? Inflate(bytes, _sections[index], name) : bytes;
    }

    /// <summary>A relocatable object (ET_REL): a kernel module .ko or its debug file, whose sections still carry their relocations.</summary>
    public bool IsRelocatable => Header.Type == ElfConstants.EtRel;

    /// <summary>
    /// The contents of the first section named <paramref name="name"/> as libdwfl gives them to libdw,
    /// or null as <see cref="Section"/>. For a relocatable object (<see cref="IsRelocatable"/>, x86_64):
    /// a copy with the SHT_RELA sections that patch it applied, after inflating as libelf does, made
    /// once and kept (the file stays read-only). For any other file exactly <see cref="Section"/>: a
    /// linked vmlinux is relocated already, and its sections are lent without a copy.
    /// </summary>
    /// <exception cref="DumpFeatureNotSupportedException">Relocations of another machine, SHT_REL, or a relocation type not applied here.</exception>
    /// <exception cref="DumpCorruptException">A relocation section or entry that names no section, symbol or bytes of its target.</exception>
    public ReadOnlyMemory<byte>? RelocatedSection(string name)
    {
        var i = Array.IndexOf(_sectionNames, name);
        if (i < 0 || _sections[i].Type == ElfConstants.ShtNobits) return null;
        if (!IsRelocatable) return Contents(i, name);
        lock (_relocatedLock)
        {
            // One copy per section however often it is asked for: ext4.ko's .debug_info is 4.6 MiB.
            if (_relocated.TryGetValue(i, out var cached)) return cached;
            var contents = Relocate(i, name);
            _relocated.Add(i, contents);
            return contents;
        }
    }

    private readonly Dictionary<int, ReadOnlyMemory<byte>> _relocated = [];
    private readonly Lock _relocatedLock = new();

    /// <summary>Section <paramref name="index"/> with every relocation section whose sh_info names it applied, in section order.</summary>
    private ReadOnlyMemory<byte> Relocate(int index, string name)
    {
        string Number(ulong v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        static long? At(ulong offset) => offset <= long.MaxValue ? (long)offset : null; // sh_offset before it is checked
        var target = _sections[index];
        byte[]? copy = null;
        for (var r = 0; r < _sections.Length; r++)
        {
            var rel = _sections[r];
            if (rel.Type is not (ElfConstants.ShtRela or ElfConstants.ShtRel)) continue;
            var relName = _sectionNames[r].Length > 0 ? _sectionNames[r] : $"section [{r}]";
            // libdwfl fails the whole module on a relocation section that patches no section.
            if (rel.Info >= (uint)_sections.Length)
                DumpErrors.ThrowCorrupt(FileName, $"sh_info of {relName}", Number(rel.Info), null, $"names no section (e_shnum {_sections.Length})");
            if (rel.Info != (uint)index) continue;
            if (rel.Type == ElfConstants.ShtRel || Header.Machine != ElfConstants.EmX8664 || !Layout.Is64Bit || Layout.IsBigEndian)
                throw new DumpFeatureNotSupportedException(DumpErrors.Describe(FileName, relName, "", At(rel.Offset),
                    $"relocations of {name} are applied for x86_64 (64-bit little-endian SHT_RELA) only, not for {ElfConstants.MachineName(Header.Machine)} {Layout} {(rel.Type == ElfConstants.ShtRel ? "SHT_REL" : "SHT_RELA")}"))
                { FilePath = FileName, Offset = At(rel.Offset) };
            if (rel.EntrySize != ElfRelocations.FieldLocations.Elf64Rela.Size)
                DumpErrors.ThrowCorrupt(FileName, $"sh_entsize of {relName}", Number(rel.EntrySize), At(rel.Offset), $"must be {ElfRelocations.FieldLocations.Elf64Rela.Size} (Elf64_Rela)");
            if (rel.Link >= (uint)_sections.Length || _sections[rel.Link].Type is not (ElfConstants.ShtSymtab or ElfConstants.ShtDynsym))
                DumpErrors.ThrowCorrupt(FileName, $"sh_link of {relName}", Number(rel.Link), At(rel.Offset), "names no SHT_SYMTAB or SHT_DYNSYM section");
            var symtab = _sections[rel.Link];
            if (symtab.EntrySize != ElfSymbol.FieldLocations.Elf64.Size)
                DumpErrors.ThrowCorrupt(FileName, $"sh_entsize of {_sectionNames[rel.Link]}", Number(symtab.EntrySize), At(symtab.Offset), $"must be {ElfSymbol.FieldLocations.Elf64.Size} (Elf64_Sym)");
            var relaCompressed = (rel.Flags & ElfSectionHeader.ShfCompressed) != 0;
            var rela = Contents(r, relName);
            var symbols = Contents((int)rel.Link, _sectionNames[rel.Link]);
            // libelf inflates a compressed section before libdwfl relocates it; the copy is made once.
            copy ??= (target.Flags & ElfSectionHeader.ShfCompressed) != 0 ? Inflate(SectionBytes(File, FileName, target, name), target, name) : Contents(index, name).ToArray();
            ElfRelocations.ApplyX8664(copy, rela.Span, symbols.Span,
                new ElfRelocations.Origin(FileName, relName, relaCompressed ? null : At(rel.Offset), name));
        }
        return copy ?? Contents(index, name);
    }

    /// <summary>Largest inflated section taken: one managed array.</summary>
    public const int MaxInflatedSection = int.MaxValue - 64;

    /// <summary>
    /// Deflate's best ratio is about 1032:1; DWARF compresses 3-6:1. A ch_size beyond this many times
    /// the compressed bytes is refused before anything is allocated (a few bytes may claim 2 GiB).
    /// </summary>
    public const int MaxInflateRatio = 1032;

    /// <summary>True when the first section named <paramref name="name"/> is stored compressed (its file offsets are not its contents').</summary>
    public bool IsCompressed(string name)
    {
        var i = Array.IndexOf(_sectionNames, name);
        return i >= 0 && (_sections[i].Flags & ElfSectionHeader.ShfCompressed) != 0;
    }

    private byte[] Inflate(ReadOnlyMemory<byte> compressed, ElfSectionHeader section, string name)
    {
        var layout = Header.Ident.Layout;
        var at = (long)section.Offset;
        string Number(ulong v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!ElfCompressionHeader.TryRead(compressed.Span, layout, out var ch))
            throw DumpErrors.Corrupt(FileName, $"{name} Chdr", $"{compressed.Length} bytes", at, "a compressed section shorter than its compression header");
        var payload = compressed[ElfCompressionHeader.SizeOf(layout)..];
        if (ch.Size > MaxInflatedSection || ch.Size > (ulong)payload.Length * MaxInflateRatio + 64)
            throw DumpErrors.Corrupt(FileName, $"{name} ch_size", Number(ch.Size), at,
                $"more than {MaxInflateRatio} times its {payload.Length} compressed bytes, or than the {MaxInflatedSection} bytes one section may inflate to here");
        if (ch.Type is not (ElfCompressionHeader.Zlib or ElfCompressionHeader.Zstd))
            throw DumpErrors.Corrupt(FileName, $"{name} ch_type", Number(ch.Type), at, "not ELFCOMPRESS_ZLIB (1) or ELFCOMPRESS_ZSTD (2)");
        byte[] output;
        try
        {
            output = new byte[(int)ch.Size];
        }
        catch (OutOfMemoryException)
        {
            throw DumpErrors.Corrupt(FileName, $"{name} ch_size", Number(ch.Size), at, "no memory for the inflated section");
        }
        int written;
        try
        {
            // Both decoders read the section in place: no copy of the compressed bytes.
            using Stream decoder = ch.Type == ElfCompressionHeader.Zlib
                ? new System.IO.Compression.ZLibStream(new ReadOnlyMemoryStream(payload), System.IO.Compression.CompressionMode.Decompress)
                : new ZstdSharp.DecompressionStream(new ReadOnlyMemoryStream(payload));
            written = 0;
            int n;
            while (written < output.Length && (n = decoder.Read(output.AsSpan(written))) > 0) written += n;
            if (written == output.Length && decoder.Read(new byte[1]) > 0)
                throw DumpErrors.Corrupt(FileName, name, "compressed data", at, $"inflates past ch_size ({Number(ch.Size)} bytes)");
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException or IOException)
        {
            throw DumpErrors.Corrupt(FileName, name, "compressed data", at, $"does not inflate: {e.Message}");
        }
        if (written != output.Length)
            throw DumpErrors.Corrupt(FileName, name, "compressed data", at, $"inflates to {written} bytes, ch_size says {Number(ch.Size)}");
        return output;
    }

    /// <summary>
    /// The symbol table (the first SHT_SYMTAB section): each name's first value in table order, which
    /// is what makedumpfile's get_symbol_addr finds with its linear walk. Built on first use.
    /// </summary>
    public IReadOnlyDictionary<string, ulong> Symbols => _symbols ??= ReadSymbols(out _symbolValues);

    /// <summary>
    /// get_next_symbol_addr: the smallest symbol value above <paramref name="name"/>'s, or null when
    /// the name is not in the table or nothing lies above it.
    /// </summary>
    public ulong? NextSymbolValue(string name)
    {
        if (!Symbols.TryGetValue(name, out var value)) return null;
        var values = _symbolValues!;
        var i = Array.BinarySearch(values, value);
        i = i < 0 ? ~i : i;
        while (i < values.Length && values[i] <= value) i++;
        return i < values.Length ? values[i] : null;
    }

    private Dictionary<string, ulong>? _symbols;
    private ulong[]? _symbolValues;

    private Dictionary<string, ulong> ReadSymbols(out ulong[] sortedValues)
    {
        var first = new Dictionary<string, ulong>(StringComparer.Ordinal);
        sortedValues = [];
        var index = Array.FindIndex(_sections, s => s.Type == ElfConstants.ShtSymtab);
        if (index < 0) return first;
        var symtab = _sections[index];
        var entrySize = ElfSymbol.SizeOf(Layout);
        if (symtab.EntrySize != (ulong)entrySize)
            DumpErrors.ThrowCorrupt(FileName, "sh_entsize of .symtab", symtab.EntrySize.ToString(), null, $"must be {entrySize} for this ELF class");
        if (symtab.Link >= _sections.Length)
            DumpErrors.ThrowCorrupt(FileName, "sh_link of .symtab", symtab.Link.ToString(), null, $"names no section (e_shnum {_sections.Length})");
        var bytes = SectionBytes(File, FileName, symtab, ".symtab").Span;
        var strings = SectionBytes(File, FileName, _sections[symtab.Link], "the symbol string table").Span;
        var count = bytes.Length / entrySize;
        var values = new List<ulong>(count);
        for (var i = 0; i < count; i++)
        {
            var (nameOffset, value) = ElfSymbol.Read(bytes.Slice(i * entrySize, entrySize), Layout);
            // elf_strptr fails for a name outside the string table: such a symbol is skipped.
            if (nameOffset >= (uint)strings.Length) continue;
            values.Add(value);
            first.TryAdd(CString(strings, nameOffset), value);
        }
        sortedValues = [.. values];
        Array.Sort(sortedValues);
        return first;
    }

    /// <summary>
    /// The file offset of virtual address <paramref name="address"/>: the first PT_LOAD whose file
    /// bytes hold it (makedumpfile's vaddr_to_offset_slow), or null.
    /// </summary>
    public ulong? FileOffsetOf(ulong address)
    {
        foreach (var p in ProgramHeaders)
        {
            if (p.Type != ElfConstants.PtLoad || address < p.VirtualAddress || address - p.VirtualAddress >= p.FileSize) continue;
            return unchecked(p.Offset + (address - p.VirtualAddress)); // the caller bounds it by the file
        }
        return null;
    }

    private static ReadOnlyMemory<byte> SectionBytes(ReadOnlyMemory<byte> file, string? fileName, ElfSectionHeader section, string what) =>
        section.Type == ElfConstants.ShtNobits ? ReadOnlyMemory<byte>.Empty : Slice(file, fileName, what, section.Offset, section.Size);

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> file, string? fileName, string what, ulong offset, ulong length)
    {
        if (offset > (ulong)file.Length || length > (ulong)file.Length - offset)
            throw DumpErrors.Truncated(fileName, what, (long)Math.Min(offset, long.MaxValue), (long)Math.Min(length, long.MaxValue), file.Length);
        return file.Slice((int)offset, (int)length);
    }

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of a string table ("" outside it).</summary>
    private static string CString(ReadOnlySpan<byte> table, uint offset)
    {
        if (offset >= (uint)table.Length) return "";
        return NulTerminated.Latin1(table[(int)offset..]);
    }
}
