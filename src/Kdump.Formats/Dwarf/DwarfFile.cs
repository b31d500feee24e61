using System.Text;
using Kdump.Formats.Elf;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Dwarf;

/// <summary>A debugging information entry: where it is, its unit, and its abbreviation.</summary>
public readonly struct DwarfDie
{
    internal DwarfDie(DwarfUnit unit, int offset, Abbreviation abbreviation, int attributesOffset)
    {
        Unit = unit;
        Offset = offset;
        Abbreviation = abbreviation;
        AttributesOffset = attributesOffset;
    }

    public DwarfUnit Unit { get; }

    /// <summary>The DIE's offset in .debug_info.</summary>
    public int Offset { get; }

    public ulong Tag => Abbreviation.Tag;

    public bool HasChildren => Abbreviation.HasChildren;

    internal Abbreviation Abbreviation { get; }

    internal int AttributesOffset { get; }
}

/// <summary>An attribute's value, still encoded: its form and where it starts in .debug_info.</summary>
public readonly struct DwarfValue
{
    internal DwarfValue(DwarfUnit unit, ulong form, int position, long implicitConst)
    {
        Unit = unit;
        Form = form;
        Position = position;
        ImplicitConst = implicitConst;
    }

    public DwarfUnit Unit { get; }

    public ulong Form { get; }

    internal int Position { get; }

    internal long ImplicitConst { get; }
}

/// <summary>
/// The .debug_info of an ELF object (DWARF 2–5) read in place: unit headers, abbreviation tables,
/// DIEs by offset, sibling and child navigation, attribute values and line-table file names. Only
/// what a lookup of types, members, enumerators and variables needs; no location lists, no
/// macros, no split DWARF. The sections come from <see cref="ElfObject.RelocatedSection"/>: a linked
/// vmlinux is relocated already and read in place; a kernel module's debug file (ET_REL) is read
/// from copies with its SHT_RELA applied, as libdwfl relocates a module before libdw reads it.
/// </summary>
public sealed class DwarfFile
{
    private readonly ReadOnlyMemory<byte> _info;
    private readonly ReadOnlyMemory<byte> _abbrev;
    private readonly ReadOnlyMemory<byte> _str;
    private readonly ReadOnlyMemory<byte> _lineStr;
    private readonly ReadOnlyMemory<byte> _strOffsets;
    private readonly ReadOnlyMemory<byte> _line;
    private readonly bool _bigEndian;
    private readonly string? _file;
    private readonly DwarfUnit[] _units;
    private readonly ((ulong Offset, byte AddressSize, byte OffsetSize, ushort Version) Key, AbbreviationTable Table)[] _recentTables = new ((ulong, byte, byte, ushort), AbbreviationTable)[8];
    private int _nextTable;

    private DwarfFile(ElfObject elf, ReadOnlyMemory<byte> info)
    {
        _info = info;
        _abbrev = elf.RelocatedSection(".debug_abbrev") ?? ReadOnlyMemory<byte>.Empty;
        _str = elf.RelocatedSection(".debug_str") ?? ReadOnlyMemory<byte>.Empty;
        _lineStr = elf.RelocatedSection(".debug_line_str") ?? ReadOnlyMemory<byte>.Empty;
        _strOffsets = elf.RelocatedSection(".debug_str_offsets") ?? ReadOnlyMemory<byte>.Empty;
        _line = elf.RelocatedSection(".debug_line") ?? ReadOnlyMemory<byte>.Empty;
        _bigEndian = elf.Layout.IsBigEndian;
        _file = elf.FileName;
        _units = ReadUnits();
    }

    /// <summary>
    /// The DWARF of <paramref name="elf"/>, or null when it has no .debug_info section. An ET_REL
    /// (a .ko) has its relocations applied here, once per section (<see cref="ElfObject.RelocatedSection"/>).
    /// </summary>
    public static DwarfFile? Open(ElfObject elf)
    {
        ArgumentNullException.ThrowIfNull(elf);
        return elf.RelocatedSection(".debug_info") is { } info ? new DwarfFile(elf, info) : null;
    }

    public IReadOnlyList<DwarfUnit> Units => _units;

    private DwarfCursor Cursor(ReadOnlyMemory<byte> section, int position, string name) => new(section.Span, position, _bigEndian, name, _file);

    private DwarfUnit[] ReadUnits()
    {
        var units = new List<DwarfUnit>();
        var c = Cursor(_info, 0, ".debug_info");
        while (!c.AtEnd)
        {
            var start = c.Position;
            var length = c.InitialLength(out var offsetSize);
            var end = c.Position + (int)length;
            var version = c.U16();
            if (version is < 2 or > 5)
                DumpErrors.ThrowCorrupt(_file, ".debug_info version", version.ToString(), start + offsetSize, "must be 2 to 5");
            byte unitType = 1; // DW_UT_compile
            byte addressSize;
            ulong abbrevOffset;
            if (version >= 5)
            {
                unitType = c.U8();
                addressSize = c.U8();
                abbrevOffset = c.Unsigned(offsetSize);
                if (unitType is 4 or 5) c.Skip(8);                     // DW_UT_skeleton, DW_UT_split_compile: dwo_id
                else if (unitType is 2 or 6) c.Skip(8UL + offsetSize);  // DW_UT_type, DW_UT_split_type: signature, type_offset
            }
            else
            {
                abbrevOffset = c.Unsigned(offsetSize);
                addressSize = c.U8();
            }
            if (addressSize is not (4 or 8))
                DumpErrors.ThrowCorrupt(_file, ".debug_info address_size", addressSize.ToString(), start, "must be 4 or 8");
            if (c.Position > end)
                DumpErrors.ThrowCorrupt(_file, ".debug_info unit header", "", start, "is longer than the unit");
            units.Add(new DwarfUnit(start, end, c.Position, version, unitType, addressSize, offsetSize, abbrevOffset));
            c.Position = end;
        }
        return [.. units];
    }

    /// <summary>The unit holding .debug_info offset <paramref name="offset"/>, or null.</summary>
    public DwarfUnit? UnitAt(int offset)
    {
        int lo = 0, hi = _units.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var u = _units[mid];
            if (offset < u.Offset) hi = mid - 1;
            else if (offset >= u.End) lo = mid + 1;
            else return u;
        }
        return null;
    }

    private AbbreviationTable Abbreviations(DwarfUnit unit)
    {
        var key = (unit.AbbrevOffset, unit.AddressSize, unit.OffsetSize, unit.Version);
        foreach (var (k, t) in _recentTables)
            if (k == key) return t;
        var table = ReadAbbreviations(unit);
        // A kernel has a table per unit (thousands, tens of MiB parsed): keep the last few only.
        _recentTables[_nextTable] = (key, table);
        _nextTable = (_nextTable + 1) % _recentTables.Length;
        return table;
    }

    private AbbreviationTable ReadAbbreviations(DwarfUnit unit)
    {
        if (unit.AbbrevOffset >= (ulong)_abbrev.Length)
            DumpErrors.ThrowCorrupt(_file, ".debug_info debug_abbrev_offset", $"0x{unit.AbbrevOffset:x}", unit.Offset, $"is past .debug_abbrev's end 0x{_abbrev.Length:x}");
        var c = Cursor(_abbrev, (int)unit.AbbrevOffset, ".debug_abbrev");
        var dense = new List<Abbreviation?>();
        var sparse = new Dictionary<ulong, Abbreviation>();
        var specs = new List<AttributeSpec>();
        while (true)
        {
            var code = c.Uleb();
            if (code == 0) break;
            var tag = c.Uleb();
            var children = c.U8() != 0;
            specs.Clear();
            var fixedSize = 0;
            while (true)
            {
                var name = c.Uleb();
                var form = c.Uleb();
                if (name == 0 && form == 0) break;
                var implicitConst = form == DwarfForm.ImplicitConst ? c.Sleb() : 0;
                specs.Add(new AttributeSpec(name, form, implicitConst));
                var size = FixedFormSize(form, unit);
                fixedSize = fixedSize < 0 || size < 0 ? -1 : fixedSize + size;
            }
            var abbreviation = new Abbreviation(tag, children, [.. specs], fixedSize);
            if (code < 4096)
            {
                while (dense.Count <= (int)code) dense.Add(null);
                dense[(int)code] ??= abbreviation;
            }
            else
            {
                sparse.TryAdd(code, abbreviation);
            }
        }
        return new AbbreviationTable([.. dense], sparse);
    }

    /// <summary>The size of a value of <paramref name="form"/> when it does not depend on the value, else -1.</summary>
    private static int FixedFormSize(ulong form, DwarfUnit unit) => form switch
    {
        DwarfForm.Addr => unit.AddressSize,
        DwarfForm.Data1 or DwarfForm.Ref1 or DwarfForm.Flag or DwarfForm.Strx1 or DwarfForm.Addrx1 => 1,
        DwarfForm.Data2 or DwarfForm.Ref2 or DwarfForm.Strx2 or DwarfForm.Addrx2 => 2,
        DwarfForm.Strx3 or DwarfForm.Addrx3 => 3,
        DwarfForm.Data4 or DwarfForm.Ref4 or DwarfForm.RefSup4 or DwarfForm.Strx4 or DwarfForm.Addrx4 => 4,
        DwarfForm.Data8 or DwarfForm.Ref8 or DwarfForm.RefSig8 or DwarfForm.RefSup8 => 8,
        DwarfForm.Data16 => 16,
        DwarfForm.Strp or DwarfForm.LineStrp or DwarfForm.SecOffset or DwarfForm.StrpSup
            or DwarfForm.GnuRefAlt or DwarfForm.GnuStrpAlt => unit.OffsetSize,
        DwarfForm.RefAddr => unit.Version <= 2 ? unit.AddressSize : unit.OffsetSize,
        DwarfForm.FlagPresent or DwarfForm.ImplicitConst => 0,
        _ => -1,
    };

    private void SkipValue(ref DwarfCursor c, ulong form, DwarfUnit unit)
    {
        var size = FixedFormSize(form, unit);
        if (size >= 0)
        {
            c.Skip((ulong)size);
            return;
        }
        switch (form)
        {
            case DwarfForm.InlineString: c.CString(); break;
            case DwarfForm.Block1: c.Skip(c.U8()); break;
            case DwarfForm.Block2: c.Skip(c.U16()); break;
            case DwarfForm.Block4: c.Skip(c.U32()); break;
            case DwarfForm.Block or DwarfForm.Exprloc: c.Skip(c.Uleb()); break;
            case DwarfForm.Sdata: c.Sleb(); break;
            case DwarfForm.Udata or DwarfForm.RefUdata or DwarfForm.Strx or DwarfForm.Addrx or DwarfForm.Loclistx
                or DwarfForm.Rnglistx or DwarfForm.GnuAddrIndex or DwarfForm.GnuStrIndex:
                c.Uleb();
                break;
            case DwarfForm.Indirect: SkipValue(ref c, c.Uleb(), unit); break;
            default:
                DumpErrors.ThrowCorrupt(_file, ".debug_info attribute form", $"0x{form:x}", c.Position, "is not a DWARF 2–5 form");
                break;
        }
    }

    /// <summary>The DIE at <paramref name="offset"/>, or null for a null entry (the end of a sibling list) or an offset outside every unit.</summary>
    public DwarfDie? DieAt(int offset)
    {
        var unit = UnitAt(offset);
        if (unit is null || offset < unit.FirstDieOffset) return null;
        return DieAt(unit, offset);
    }

    private DwarfDie? DieAt(DwarfUnit unit, int offset)
    {
        if (offset >= unit.End) return null;
        var c = Cursor(_info, offset, ".debug_info");
        var code = c.Uleb();
        if (code == 0) return null;
        var abbreviation = Abbreviations(unit).Find(code)
            ?? throw DumpErrors.Corrupt(_file, ".debug_info abbreviation code", code.ToString(), offset, $"is not in the unit's table at .debug_abbrev 0x{unit.AbbrevOffset:x}");
        return new DwarfDie(unit, offset, abbreviation, c.Position);
    }

    /// <summary>The DIE that begins the unit (its DW_TAG_compile_unit).</summary>
    public DwarfDie? UnitDie(DwarfUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return DieAt(unit, unit.FirstDieOffset);
    }

    private int EndOfAttributes(in DwarfDie die)
    {
        var a = die.Abbreviation;
        if (a.FixedSize >= 0) return checked(die.AttributesOffset + a.FixedSize);
        var c = Cursor(_info, die.AttributesOffset, ".debug_info");
        foreach (var spec in a.Attributes) SkipValue(ref c, spec.Form, die.Unit);
        return c.Position;
    }

    /// <summary>The first child (dwarf_child), or null when the DIE has none.</summary>
    public DwarfDie? FirstChild(in DwarfDie die) => die.HasChildren ? DieAt(die.Unit, EndOfAttributes(die)) : null;

    /// <summary>
    /// The next sibling (dwarf_siblingof): through DW_AT_sibling when the DIE has it, else past its
    /// subtree; null at the end of the sibling list.
    /// </summary>
    public DwarfDie? NextSibling(in DwarfDie die)
    {
        if (TryGetAttribute(die, DwarfAttribute.Sibling, out var sibling) && Reference(sibling) is { } target)
        {
            // A sibling reference must lead forward inside the unit, or a damaged file could loop.
            return target > die.Offset && target < die.Unit.End ? DieAt(die.Unit, target) : null;
        }
        var position = EndOfAttributes(die);
        if (die.HasChildren) position = SkipChildren(die.Unit, position);
        return DieAt(die.Unit, position);
    }

    /// <summary>Past the children starting at <paramref name="position"/> and their closing null entry.</summary>
    private int SkipChildren(DwarfUnit unit, int position)
    {
        var table = Abbreviations(unit);
        var depth = 1;
        var c = Cursor(_info, position, ".debug_info");
        while (depth > 0)
        {
            if (c.Position >= unit.End) return unit.End;
            var at = c.Position;
            var code = c.Uleb();
            if (code == 0)
            {
                depth--;
                continue;
            }
            var a = table.Find(code) ?? throw DumpErrors.Corrupt(_file, ".debug_info abbreviation code", code.ToString(), at, $"is not in the unit's table at .debug_abbrev 0x{unit.AbbrevOffset:x}");
            if (a.FixedSize >= 0) c.Skip((ulong)a.FixedSize);
            else foreach (var spec in a.Attributes) SkipValue(ref c, spec.Form, unit);
            if (a.HasChildren) depth++;
        }
        return c.Position;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> for every DIE of <paramref name="unit"/> in file order with its
    /// depth (the unit DIE is 0). One linear pass: no per-DIE lookups.
    /// </summary>
    public void Walk(DwarfUnit unit, Action<DwarfDie, int> visit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(visit);
        var table = Abbreviations(unit);
        var depth = 0;
        var c = Cursor(_info, unit.FirstDieOffset, ".debug_info");
        while (c.Position < unit.End)
        {
            var at = c.Position;
            var code = c.Uleb();
            if (code == 0)
            {
                if (--depth < 0) return; // padding after the unit DIE's children
                continue;
            }
            var a = table.Find(code) ?? throw DumpErrors.Corrupt(_file, ".debug_info abbreviation code", code.ToString(), at, $"is not in the unit's table at .debug_abbrev 0x{unit.AbbrevOffset:x}");
            visit(new DwarfDie(unit, at, a, c.Position), depth);
            if (a.FixedSize >= 0) c.Skip((ulong)a.FixedSize);
            else foreach (var spec in a.Attributes) SkipValue(ref c, spec.Form, unit);
            if (a.HasChildren) depth++;
        }
    }

    /// <summary>dwarf_attr: the DIE's own attribute <paramref name="name"/> (no DW_AT_specification or abstract origin followed).</summary>
    public bool TryGetAttribute(in DwarfDie die, ulong name, out DwarfValue value)
    {
        var c = Cursor(_info, die.AttributesOffset, ".debug_info");
        foreach (var spec in die.Abbreviation.Attributes)
        {
            var form = spec.Form;
            while (form == DwarfForm.Indirect) form = c.Uleb();
            if (spec.Name == name)
            {
                value = new DwarfValue(die.Unit, form, c.Position, spec.ImplicitConst);
                return true;
            }
            SkipValue(ref c, form, die.Unit);
        }
        value = default;
        return false;
    }

    /// <summary>
    /// dwarf_attr_integrate: the attribute, else the one of the DIE named by DW_AT_abstract_origin
    /// or DW_AT_specification, following at most 16 such links.
    /// </summary>
    public bool TryGetAttributeIntegrated(in DwarfDie die, ulong name, out DwarfValue value)
    {
        var current = die;
        for (var chain = 0; chain <= 16; chain++)
        {
            if (TryGetAttribute(current, name, out value)) return true;
            if (!TryGetAttribute(current, DwarfAttribute.AbstractOrigin, out var link) && !TryGetAttribute(current, DwarfAttribute.Specification, out link)) break;
            if (ReferencedDie(link) is not { } next) break;
            current = next;
        }
        value = default;
        return false;
    }

    /// <summary>dwarf_diename: the DIE's name (integrated; bytes as Latin-1), or null.</summary>
    public string? Name(in DwarfDie die) =>
        TryGetAttributeIntegrated(die, DwarfAttribute.Name, out var v) && TryGetString(v, out var s) ? Encoding.Latin1.GetString(s) : null;

    /// <summary>
    /// The name's bytes, or an empty span when there is none: a cheap test before a name is made
    /// into a string. Follows DW_AT_abstract_origin / DW_AT_specification like <see cref="Name"/>.
    /// </summary>
    public ReadOnlySpan<byte> NameBytes(in DwarfDie die) =>
        TryGetAttributeIntegrated(die, DwarfAttribute.Name, out var v) && TryGetString(v, out var s) ? s : default;

    /// <summary>A string-class value (inline, .debug_str, .debug_line_str or through .debug_str_offsets).</summary>
    public bool TryGetString(scoped in DwarfValue value, out ReadOnlySpan<byte> text)
    {
        text = default;
        var c = Cursor(_info, value.Position, ".debug_info");
        var unit = value.Unit;
        switch (value.Form)
        {
            case DwarfForm.InlineString:
                text = c.CString();
                return true;
            case DwarfForm.Strp:
                return TryString(_str, ".debug_str", c.Unsigned(unit.OffsetSize), out text);
            case DwarfForm.LineStrp:
                return TryString(_lineStr, ".debug_line_str", c.Unsigned(unit.OffsetSize), out text);
            case DwarfForm.Strx or DwarfForm.GnuStrIndex:
                return TryIndexedString(unit, c.Uleb(), out text);
            case DwarfForm.Strx1:
                return TryIndexedString(unit, c.U8(), out text);
            case DwarfForm.Strx2:
                return TryIndexedString(unit, c.U16(), out text);
            case DwarfForm.Strx3:
                return TryIndexedString(unit, c.U24(), out text);
            case DwarfForm.Strx4:
                return TryIndexedString(unit, c.U32(), out text);
            default:
                return false;
        }
    }

    private bool TryString(ReadOnlyMemory<byte> section, string name, ulong offset, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (offset >= (ulong)section.Length) return false;
        var c = Cursor(section, (int)offset, name);
        text = c.CString();
        return true;
    }

    private bool TryIndexedString(DwarfUnit unit, ulong index, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (unit.StrOffsetsBase is null)
        {
            var top = UnitDie(unit);
            unit.StrOffsetsBase = top is { } d && TryGetAttribute(d, DwarfAttribute.StrOffsetsBase, out var b) && TryUnsigned(b, out var v)
                ? v
                : (ulong)(unit.OffsetSize == 8 ? 16 : 8); // the .debug_str_offsets header of the unit's contribution
        }
        // Values from the file: compare before adding, so nothing wraps.
        var length = (ulong)_strOffsets.Length;
        var start = unit.StrOffsetsBase.Value;
        if (index > int.MaxValue || start > length || index * unit.OffsetSize > length - start || length - start - (index * unit.OffsetSize) < unit.OffsetSize)
            return false;
        var c = Cursor(_strOffsets, (int)(start + (index * unit.OffsetSize)), ".debug_str_offsets");
        return TryString(_str, ".debug_str", c.Unsigned(unit.OffsetSize), out text);
    }

    /// <summary>
    /// dwarf_formudata: a constant (data1/2/4/8 zero-extended, udata, sdata as its two's complement,
    /// implicit_const) or a section offset; false for other forms.
    /// </summary>
    public bool TryUnsigned(in DwarfValue value, out ulong result)
    {
        var c = Cursor(_info, value.Position, ".debug_info");
        switch (value.Form)
        {
            case DwarfForm.Data1: result = c.U8(); return true;
            case DwarfForm.Data2: result = c.U16(); return true;
            case DwarfForm.Data4: result = c.U32(); return true;
            case DwarfForm.Data8: result = c.U64(); return true;
            case DwarfForm.Udata: result = c.Uleb(); return true;
            case DwarfForm.Sdata: result = unchecked((ulong)c.Sleb()); return true;
            case DwarfForm.ImplicitConst: result = unchecked((ulong)value.ImplicitConst); return true;
            case DwarfForm.SecOffset: result = c.Unsigned(value.Unit.OffsetSize); return true;
            default: result = 0; return false;
        }
    }

    /// <summary>A reference's target offset in .debug_info (ref1/2/4/8/udata within the unit, ref_addr anywhere), or null.</summary>
    public int? Reference(in DwarfValue value)
    {
        var c = Cursor(_info, value.Position, ".debug_info");
        ulong relative;
        switch (value.Form)
        {
            case DwarfForm.Ref1: relative = c.U8(); break;
            case DwarfForm.Ref2: relative = c.U16(); break;
            case DwarfForm.Ref4: relative = c.U32(); break;
            case DwarfForm.Ref8: relative = c.U64(); break;
            case DwarfForm.RefUdata: relative = c.Uleb(); break;
            case DwarfForm.RefAddr:
                var target = c.Unsigned(value.Unit.Version <= 2 ? value.Unit.AddressSize : value.Unit.OffsetSize);
                return target < (ulong)_info.Length ? (int)target : null;
            default: return null;
        }
        // A unit-relative reference stays inside its unit.
        return relative < (ulong)(value.Unit.End - value.Unit.Offset) ? value.Unit.Offset + (int)relative : null;
    }

    /// <summary>dwarf_formref_die: the DIE a reference names, or null.</summary>
    public DwarfDie? ReferencedDie(in DwarfValue value) => Reference(value) is { } offset ? DieAt(offset) : null;

    /// <summary>
    /// The first operation's operand of a location description, as elfutils' dwarf_getlocation
    /// gives <c>expr[0].number</c>: a constant form is its value (DW_OP_plus_uconst), an expression
    /// its first operation's unsigned operand.
    /// </summary>
    public bool TryLocationNumber(in DwarfValue value, out ulong number)
    {
        if (value.Form is DwarfForm.Data1 or DwarfForm.Data2 or DwarfForm.Data4 or DwarfForm.Data8 or DwarfForm.Udata
            or DwarfForm.Sdata or DwarfForm.ImplicitConst)
            return TryUnsigned(value, out number);
        number = 0;
        // Since DWARF 4 a block form is no location (elfutils' attr_ok): only exprloc is.
        if (value.Form != DwarfForm.Exprloc && value.Unit.Version >= 4) return false;
        var c = Cursor(_info, value.Position, ".debug_info");
        ulong length = value.Form switch
        {
            DwarfForm.Exprloc or DwarfForm.Block => c.Uleb(),
            DwarfForm.Block1 => c.U8(),
            DwarfForm.Block2 => c.U16(),
            DwarfForm.Block4 => c.U32(),
            _ => 0,
        };
        if (length == 0) return false;
        var op = c.U8();
        // Unsigned-operand operations a member location uses: DW_OP_plus_uconst, DW_OP_constu.
        if (op is 0x23 or 0x10)
        {
            number = c.Uleb();
            return true;
        }
        if (op is >= 0x30 and <= 0x4f) return true; // DW_OP_lit0..31 and DW_OP_reg*: no operand, number 0
        return false;
    }

    /// <summary>
    /// dwarf_decl_file: the name of file <paramref name="index"/> of the unit's line table, composed
    /// as elfutils composes it; null when the unit has no line table or the index is outside it.
    /// </summary>
    public string? FileName(DwarfUnit unit, ulong index)
    {
        ArgumentNullException.ThrowIfNull(unit);
        unit.Files ??= ReadLineFiles(unit);
        return unit.Files[index];
    }

    private DwarfLineFiles ReadLineFiles(DwarfUnit unit)
    {
        if (UnitDie(unit) is not { } top || !TryGetAttribute(top, DwarfAttribute.StmtList, out var stmt) || !TryUnsigned(stmt, out var offset)
            || offset >= (ulong)_line.Length)
            return new DwarfLineFiles([]);
        string? compDir = TryGetAttribute(top, DwarfAttribute.CompDir, out var cd) && TryGetString(cd, out var cdText) ? Encoding.Latin1.GetString(cdText) : null;
        return DwarfLineTable.ReadFiles(this, Cursor(_line, (int)offset, ".debug_line"), compDir, unit);
    }

    /// <summary>A line-table header field: its text when string-valued (inline, .debug_str, .debug_line_str), else skipped (null).</summary>
    internal string? ReadLineString(ulong form, ref DwarfCursor c, DwarfUnit unit)
    {
        ReadOnlySpan<byte> text;
        switch (form)
        {
            case DwarfForm.InlineString:
                return Encoding.Latin1.GetString(c.CString());
            case DwarfForm.LineStrp:
                return TryString(_lineStr, ".debug_line_str", c.Unsigned(unit.OffsetSize), out text) ? Encoding.Latin1.GetString(text) : null;
            case DwarfForm.Strp:
                return TryString(_str, ".debug_str", c.Unsigned(unit.OffsetSize), out text) ? Encoding.Latin1.GetString(text) : null;
            default:
                SkipValue(ref c, form, unit);
                return null;
        }
    }

    /// <summary>A line-table header field that is a number (udata, data1/2/4/8); other forms are skipped (0).</summary>
    internal ulong ReadLineNumber(ulong form, ref DwarfCursor c, DwarfUnit unit)
    {
        switch (form)
        {
            case DwarfForm.Udata: return c.Uleb();
            case DwarfForm.Data1: return c.U8();
            case DwarfForm.Data2: return c.U16();
            case DwarfForm.Data4: return c.U32();
            case DwarfForm.Data8: return c.U64();
            default:
                SkipValue(ref c, form, unit);
                return 0;
        }
    }
}
