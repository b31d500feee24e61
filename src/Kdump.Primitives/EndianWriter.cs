using System.Buffers.Binary;

namespace Kdump.Primitives;

/// <summary>Writes integers at explicit offsets of a span in a chosen byte order.</summary>
public readonly ref struct EndianWriter
{
    private readonly Span<byte> _data;

    public EndianWriter(Span<byte> data, DataLayout layout)
    {
        _data = data;
        Layout = layout;
    }

    public DataLayout Layout { get; }

    public Span<byte> Span => _data;

    public void U8(int offset, byte value) => _data[offset] = value;

    public void U16(int offset, ushort value)
    {
        var s = _data.Slice(offset, 2);
        if (Layout.IsBigEndian) BinaryPrimitives.WriteUInt16BigEndian(s, value);
        else BinaryPrimitives.WriteUInt16LittleEndian(s, value);
    }

    public void U32(int offset, uint value)
    {
        var s = _data.Slice(offset, 4);
        if (Layout.IsBigEndian) BinaryPrimitives.WriteUInt32BigEndian(s, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(s, value);
    }

    public void U64(int offset, ulong value)
    {
        var s = _data.Slice(offset, 8);
        if (Layout.IsBigEndian) BinaryPrimitives.WriteUInt64BigEndian(s, value);
        else BinaryPrimitives.WriteUInt64LittleEndian(s, value);
    }

    /// <summary>A C <c>unsigned long</c> or pointer of the target machine.</summary>
    public void Word(int offset, ulong value)
    {
        if (Layout.Is64Bit) U64(offset, value);
        else U32(offset, checked((uint)value));
    }
}
