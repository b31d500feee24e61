using System.Buffers.Binary;

namespace Kdump.Primitives;

/// <summary>
/// Reads integers at explicit offsets of a span in the dump's byte order. Offsets out of
/// range throw <see cref="ArgumentOutOfRangeException"/>: callers check bounds first and
/// turn a short block into a format error with the file offset.
/// </summary>
public readonly ref struct EndianReader
{
    private readonly ReadOnlySpan<byte> _data;

    public EndianReader(ReadOnlySpan<byte> data, DataLayout layout)
    {
        _data = data;
        Layout = layout;
    }

    public DataLayout Layout { get; }

    public int Length => _data.Length;

    public ReadOnlySpan<byte> Span => _data;

    public byte U8(int offset) => _data[offset];

    public ushort U16(int offset)
    {
        var s = _data.Slice(offset, 2);
        return Layout.IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    }

    public uint U32(int offset)
    {
        var s = _data.Slice(offset, 4);
        return Layout.IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    }

    public int I32(int offset) => unchecked((int)U32(offset));

    public ulong U64(int offset)
    {
        var s = _data.Slice(offset, 8);
        return Layout.IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
    }

    public long I64(int offset) => unchecked((long)U64(offset));

    /// <summary>A C <c>unsigned long</c> or pointer of the dumped machine.</summary>
    public ulong Word(int offset) => Layout.Is64Bit ? U64(offset) : U32(offset);

    /// <summary>An unsigned field whose width (1, 2, 4 or 8 bytes) is only known at run time.</summary>
    public ulong UIntOfWidth(int offset, int width) => width switch
    {
        1 => U8(offset),
        2 => U16(offset),
        4 => U32(offset),
        8 => U64(offset),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "field width must be 1, 2, 4 or 8"),
    };

    public EndianReader Slice(int offset, int length) => new(_data.Slice(offset, length), Layout);
}
