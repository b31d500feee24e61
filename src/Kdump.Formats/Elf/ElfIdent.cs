using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>e_ident: the 16 bytes that fix class and byte order for everything after them.</summary>
public readonly record struct ElfIdent(byte Class, byte Data, byte Version, byte OsAbi)
{
    public const int Size = 16;

    internal static class FieldLocations
    {
        public const int Magic = 0;       // EI_MAG0..3
        public const int Class = 4;       // EI_CLASS
        public const int Data = 5;        // EI_DATA
        public const int Version = 6;     // EI_VERSION
        public const int OsAbi = 7;       // EI_OSABI
    }

    public bool Is64Bit => Class == ElfConstants.ElfClass64;

    public DataLayout Layout => new(Data == ElfConstants.ElfData2Msb, Is64Bit);

    /// <summary>False when the magic is absent or the span is short; class/data are returned as found.</summary>
    public static bool TryReadCore(ReadOnlySpan<byte> block, out ElfIdent ident)
    {
        ident = default;
        if (block.Length < Size || !block[..4].SequenceEqual(ElfConstants.Magic)) return false;
        ident = new ElfIdent(block[FieldLocations.Class], block[FieldLocations.Data], block[FieldLocations.Version], block[FieldLocations.OsAbi]);
        return true;
    }

    public void WriteCore(Span<byte> block)
    {
        block[..Size].Clear();
        ElfConstants.Magic.CopyTo(block);
        block[FieldLocations.Class] = Class;
        block[FieldLocations.Data] = Data;
        block[FieldLocations.Version] = Version;
        block[FieldLocations.OsAbi] = OsAbi;
    }

    public static ElfIdent For(DataLayout layout) => new(
        layout.Is64Bit ? ElfConstants.ElfClass64 : ElfConstants.ElfClass32,
        layout.IsBigEndian ? ElfConstants.ElfData2Msb : ElfConstants.ElfData2Lsb,
        ElfConstants.EvCurrent,
        0);
}
