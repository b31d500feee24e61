namespace Kdump.Formats.Dwarf;

/// <summary>One unit header of .debug_info (DWARF 2–5, §7.5.1), with its abbreviation table.</summary>
public sealed class DwarfUnit
{
    internal DwarfUnit(int offset, int end, int firstDieOffset, ushort version, byte unitType, byte addressSize, byte offsetSize, ulong abbrevOffset)
    {
        Offset = offset;
        End = end;
        FirstDieOffset = firstDieOffset;
        Version = version;
        UnitType = unitType;
        AddressSize = addressSize;
        OffsetSize = offsetSize;
        AbbrevOffset = abbrevOffset;
    }

    /// <summary>The unit header's offset in .debug_info (CU-relative references count from here).</summary>
    public int Offset { get; }

    /// <summary>The first byte after the unit.</summary>
    public int End { get; }

    /// <summary>The unit's DIE (DW_TAG_compile_unit for a compile unit).</summary>
    public int FirstDieOffset { get; }

    public ushort Version { get; }

    /// <summary>DW_UT_* (DWARF 5); DW_UT_compile (1) for earlier versions.</summary>
    public byte UnitType { get; }

    public byte AddressSize { get; }

    /// <summary>4 for 32-bit DWARF, 8 for 64-bit DWARF.</summary>
    public byte OffsetSize { get; }

    public ulong AbbrevOffset { get; }

    internal ulong? StrOffsetsBase { get; set; }

    internal DwarfLineFiles? Files { get; set; }
}

/// <summary>One abbreviation declaration (§7.5.3): the tag, whether children follow, and the attribute specs.</summary>
internal sealed class Abbreviation(ulong tag, bool hasChildren, AttributeSpec[] attributes, int fixedSize)
{
    public ulong Tag { get; } = tag;

    public bool HasChildren { get; } = hasChildren;

    public AttributeSpec[] Attributes { get; } = attributes;

    /// <summary>The bytes of all attribute values when every form has a fixed size in this unit, else -1.</summary>
    public int FixedSize { get; } = fixedSize;
}

internal readonly record struct AttributeSpec(ulong Name, ulong Form, long ImplicitConst);

/// <summary>An abbreviation table: codes are usually 1..N, so a dense array, with a map for the rest.</summary>
internal sealed class AbbreviationTable(Abbreviation?[] dense, Dictionary<ulong, Abbreviation> sparse)
{
    public Abbreviation? Find(ulong code) =>
        code < (ulong)dense.Length ? dense[code] : sparse.GetValueOrDefault(code);
}

/// <summary>A unit's line-table file names, composed as elfutils' dwarf_getsrcfiles gives them.</summary>
internal sealed class DwarfLineFiles(string?[] names)
{
    public string? this[ulong index] => index < (ulong)names.Length ? names[index] : null;
}
