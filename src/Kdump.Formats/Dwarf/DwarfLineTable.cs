using System.Text;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Dwarf;

/// <summary>
/// The file-name table of a line-number program header (DWARF 2–5, §6.2.4), which DW_AT_decl_file
/// indexes. Names are bytes (Latin-1 strings keep them as they are) composed as elfutils (0.191+, libdw/dwarf_getsrclines.c read_srcfiles)
/// composes them: an absolute name as it is, else its directory, "/", and the name, without
/// normalising. DWARF 5 indexes its tables from 0 and directory 0 is the header's first entry;
/// before DWARF 5 file 0 is a placeholder ("???"), directory 0 is the unit's DW_AT_comp_dir (a name
/// stays relative without one) and the header's directories follow from 1. A directory index out
/// of range voids the whole table.
/// </summary>
internal static class DwarfLineTable
{
    private const ulong LnctPath = 1;           // DW_LNCT_path
    private const ulong LnctDirectoryIndex = 2; // DW_LNCT_directory_index

    public static DwarfLineFiles ReadFiles(DwarfFile dwarf, DwarfCursor c, string? compDir, DwarfUnit unit)
    {
        var start = c.Position;
        c.InitialLength(out var offsetSize);
        var version = c.U16();
        if (version is < 2 or > 5)
            DumpErrors.ThrowCorrupt(null, ".debug_line version", version.ToString(), start, "must be 2 to 5");
        if (version >= 5) c.Skip(2);                    // address_size, segment_selector_size
        c.Skip(offsetSize);                             // header_length
        c.Skip(version >= 4 ? 2UL : 1UL);               // minimum_instruction_length, maximum_operations_per_instruction
        c.Skip(3);                                      // default_is_stmt, line_base, line_range
        var opcodeBase = c.U8();
        c.Skip(opcodeBase > 0 ? opcodeBase - 1UL : 0);  // standard_opcode_lengths
        return version >= 5 ? ReadVersion5(dwarf, ref c, unit) : ReadVersion4(ref c, compDir);
    }

    private static DwarfLineFiles ReadVersion4(ref DwarfCursor c, string? compDir)
    {
        var directories = new List<string?> { compDir };
        while (true)
        {
            var dir = c.CString();
            if (dir.IsEmpty) break;
            directories.Add(Encoding.Latin1.GetString(dir));
        }
        var files = new List<string?> { "???" };
        while (true)
        {
            var name = c.CString();
            if (name.IsEmpty) break;
            var dirIndex = c.Uleb();
            c.Uleb();   // modification time
            c.Uleb();   // length
            if (dirIndex >= (ulong)directories.Count) return new DwarfLineFiles([]);
            files.Add(Compose(Encoding.Latin1.GetString(name), dirIndex, directories));
        }
        return new DwarfLineFiles([.. files]);
    }

    private static DwarfLineFiles ReadVersion5(DwarfFile dwarf, ref DwarfCursor c, DwarfUnit unit)
    {
        var directories = new List<string?>();
        foreach (var (path, _) in ReadEntries(dwarf, ref c, unit))
            directories.Add(path);
        var files = new List<string?>();
        foreach (var (path, dirIndex) in ReadEntries(dwarf, ref c, unit))
        {
            // elfutils refuses the whole table when a directory index is out of range.
            if (dirIndex >= (ulong)directories.Count) return new DwarfLineFiles([]);
            files.Add(path is null ? null : Compose(path, dirIndex, directories));
        }
        return new DwarfLineFiles([.. files]);
    }

    /// <summary>A DWARF 5 entry table: its format (content type and form pairs), then the entries' path and directory index.</summary>
    private static List<(string? Path, ulong DirIndex)> ReadEntries(DwarfFile dwarf, ref DwarfCursor c, DwarfUnit unit)
    {
        var formatCount = c.U8();
        var format = new (ulong Content, ulong Form)[formatCount];
        for (var i = 0; i < formatCount; i++) format[i] = (c.Uleb(), c.Uleb());
        var count = c.Uleb();
        // Each entry takes at least one byte unless the format is empty (then the entries are
        // empty too): bound the count by what is left either way.
        if (count > (ulong)(c.Length - c.Position))
            DumpErrors.ThrowCorrupt(null, ".debug_line entry count", count.ToString(), c.Position, "is more than the bytes left");
        var entries = new List<(string?, ulong)>((int)Math.Min(count, 4096));
        for (ulong n = 0; n < count; n++)
        {
            string? path = null;
            ulong dirIndex = 0;
            foreach (var (content, form) in format)
            {
                if (content == LnctPath) path = dwarf.ReadLineString(form, ref c, unit);
                else if (content == LnctDirectoryIndex) dirIndex = dwarf.ReadLineNumber(form, ref c, unit);
                else dwarf.ReadLineNumber(form, ref c, unit); // skipped: timestamp, size, MD5, vendor content
            }
            entries.Add((path, dirIndex));
        }
        return entries;
    }

    private static string Compose(string name, ulong dirIndex, List<string?> directories)
    {
        if (name.StartsWith('/')) return name;
        var dir = dirIndex < (ulong)directories.Count ? directories[(int)dirIndex] : null;
        return dir is null ? name : $"{dir}/{name}";
    }
}
