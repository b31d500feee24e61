using System.Buffers.Binary;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Dwarf;

/// <summary>
/// A forward reader over one DWARF section: fixed-size little- or big-endian fields and LEB128.
/// Every read is bounds-checked; running past the section's end is a corrupt-input error that names
/// the section and the offset.
/// </summary>
internal ref struct DwarfCursor
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    private readonly string _section;
    private readonly string? _file;

    public DwarfCursor(ReadOnlySpan<byte> data, int position, bool bigEndian, string section, string? file)
    {
        _data = data;
        Position = position;
        _bigEndian = bigEndian;
        _section = section;
        _file = file;
    }

    public int Position { get; set; }

    public readonly bool AtEnd => Position >= _data.Length;

    public readonly int Length => _data.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || Position > _data.Length - count)
            DumpErrors.ThrowCorrupt(_file, _section, "", Position, $"needs {count} more bytes but the section ends at 0x{_data.Length:x}");
        var s = _data.Slice(Position, count);
        Position += count;
        return s;
    }

    public void Skip(ulong count)
    {
        if (count > (ulong)(_data.Length - Position))
            DumpErrors.ThrowCorrupt(_file, _section, "", Position, $"skips {count} bytes past the section's end 0x{_data.Length:x}");
        Position += (int)count;
    }

    public byte U8() => Take(1)[0];

    public ushort U16() { var s = Take(2); return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s); }

    public uint U24()
    {
        var s = Take(3);
        return _bigEndian ? (uint)((s[0] << 16) | (s[1] << 8) | s[2]) : (uint)(s[0] | (s[1] << 8) | (s[2] << 16));
    }

    public uint U32() { var s = Take(4); return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s); }

    public ulong U64() { var s = Take(8); return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s); }

    /// <summary>An unsigned field of 1, 2, 3, 4 or 8 bytes (address and offset sizes).</summary>
    public ulong Unsigned(int size) => size switch
    {
        1 => U8(),
        2 => U16(),
        3 => U24(),
        4 => U32(),
        8 => U64(),
        _ => throw DumpErrors.Corrupt(_file, _section, size.ToString(), Position, "field size must be 1, 2, 3, 4 or 8"),
    };

    /// <summary>
    /// A unit's initial length (§7.4): 32-bit, or 0xffffffff then 64-bit (64-bit DWARF, offsets of 8
    /// bytes); 0xfffffff0–0xfffffffe are reserved. The length must fit in what is left.
    /// </summary>
    public ulong InitialLength(out byte offsetSize)
    {
        var start = Position;
        ulong length = U32();
        offsetSize = 4;
        if (length == 0xffff_ffff)
        {
            length = U64();
            offsetSize = 8;
        }
        else if (length >= 0xffff_fff0)
        {
            DumpErrors.ThrowCorrupt(_file, $"{_section} unit_length", $"0x{length:x}", start, "is a reserved value");
        }
        if (length > (ulong)(_data.Length - Position))
            DumpErrors.ThrowCorrupt(_file, $"{_section} unit_length", $"0x{length:x}", start, $"runs past the section's end 0x{_data.Length:x}");
        return length;
    }

    public ulong Uleb()
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            var b = U8();
            if (shift < 64) value |= (ulong)(b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) return value;
        }
    }

    public long Sleb()
    {
        long value = 0;
        var shift = 0;
        byte b;
        do
        {
            b = U8();
            if (shift < 64) value |= (long)(b & 0x7f) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) value |= -1L << shift;
        return value;
    }

    /// <summary>A NUL-terminated string; the cursor moves past the NUL.</summary>
    public ReadOnlySpan<byte> CString()
    {
        var rest = _data[Position..];
        var end = rest.IndexOf((byte)0);
        if (end < 0) DumpErrors.ThrowCorrupt(_file, _section, "", Position, "string without its NUL before the section's end");
        Position += end + 1;
        return rest[..end];
    }
}
