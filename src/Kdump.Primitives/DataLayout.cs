namespace Kdump.Primitives;

/// <summary>
/// Byte order and word size of the machine that produced a dump. It is reader state,
/// established once by a format probe, never a host assumption.
/// </summary>
public readonly record struct DataLayout(bool IsBigEndian, bool Is64Bit)
{
    public static DataLayout LittleEndian64 => new(false, true);
    public static DataLayout BigEndian64 => new(true, true);
    public static DataLayout LittleEndian32 => new(false, false);
    public static DataLayout BigEndian32 => new(true, false);

    /// <summary>Size in bytes of a C <c>long</c> / pointer on the dumped machine (LP64 or ILP32).</summary>
    public int WordBytes => Is64Bit ? 8 : 4;

    public override string ToString() => $"{(Is64Bit ? "64" : "32")}-bit {(IsBigEndian ? "big" : "little")}-endian";
}
