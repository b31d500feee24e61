using Kdump.Primitives.IO;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Elf;

/// <summary>
/// An ELF executable read by its sections and symbols: a vmlinux with debug information, whole in
/// memory (mapped). Headers, the section table and the symbol table are checked against the file's
/// length before any of them is used; section contents are lent as slices of <see cref="File"/>.
/// </summary>
public sealed class ElfObject
{
    private const uint ShtSymtab = 2;   // SHT_SYMTAB
    private const uint ShtNobits = 8;   // SHT_NOBITS
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
        if (i < 0 || _sections[i].Type == ShtNobits) return null;
        var bytes = SectionBytes(File, FileName, _sections[i], name);
        return (_sections[i].Flags & ElfSectionHeader.ShfCompressed) != 0 ? Inflate(bytes, _sections[i], name) : bytes;
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

    private ReadOnlyMemory<byte> Inflate(ReadOnlyMemory<byte> compressed, ElfSectionHeader section, string name)
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
        var index = Array.FindIndex(_sections, s => s.Type == ShtSymtab);
        if (index < 0) return first;
        var symtab = _sections[index];
        var entrySize = Layout.Is64Bit ? 24 : 16;   // Elf64_Sym / Elf32_Sym
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
            var (nameOffset, value) = ReadSymbol(bytes.Slice(i * entrySize, entrySize));
            // elf_strptr fails for a name outside the string table: such a symbol is skipped.
            if (nameOffset >= (uint)strings.Length) continue;
            values.Add(value);
            first.TryAdd(CString(strings, nameOffset), value);
        }
        sortedValues = [.. values];
        Array.Sort(sortedValues);
        return first;
    }

    /// <summary>st_name and st_value of one Elf32_Sym/Elf64_Sym.</summary>
    private (uint Name, ulong Value) ReadSymbol(ReadOnlySpan<byte> entry)
    {
        var r = new EndianReader(entry, Layout);
        return Layout.Is64Bit ? (r.U32(0), r.U64(8)) : (r.U32(0), r.U32(4));
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
        section.Type == ShtNobits ? ReadOnlyMemory<byte>.Empty : Slice(file, fileName, what, section.Offset, section.Size);

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
        var rest = table[(int)offset..];
        var end = rest.IndexOf((byte)0);
        return System.Text.Encoding.Latin1.GetString(end < 0 ? rest : rest[..end]);
    }
}
