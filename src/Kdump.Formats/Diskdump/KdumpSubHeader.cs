using Kdump.Primitives;

namespace Kdump.Formats.Diskdump;

/// <summary>
/// struct kdump_sub_header, at block 1. Fields exist from the header_version noted beside them;
/// older versions leave the later fields zero. Only the 64-bit layout is implemented (x86_64,
/// aarch64, ppc64, s390x); i386 ("packed") and ARM ("padded") layouts differ from offset 12/24.
/// </summary>
public sealed record KdumpSubHeader
{
    public ulong PhysBase { get; init; }            // phys_base           (v1+)
    public int DumpLevel { get; init; }             // dump_level          (v1+)
    public int Split { get; init; }                 // split               (v2+)
    public ulong StartPfn32 { get; init; }          // start_pfn, obsolete (v2+)
    public ulong EndPfn32 { get; init; }            // end_pfn, obsolete   (v2+)
    public ulong OffsetVmcoreInfo { get; init; }    // offset_vmcoreinfo   (v3+)
    public ulong SizeVmcoreInfo { get; init; }      // size_vmcoreinfo     (v3+)
    public ulong OffsetNote { get; init; }          // offset_note         (v4+)
    public ulong SizeNote { get; init; }            // size_note           (v4+)
    public ulong OffsetEraseInfo { get; init; }     // offset_eraseinfo    (v5+)
    public ulong SizeEraseInfo { get; init; }       // size_eraseinfo      (v5+)
    public ulong StartPfn64 { get; init; }          // start_pfn_64        (v6+)
    public ulong EndPfn64 { get; init; }            // end_pfn_64          (v6+)
    public ulong MaxMapNr64 { get; init; }          // max_mapnr_64        (v6+)

    internal static class FieldLocations
    {
        /// <summary>kdump_sub_header on LP64 machines: 104 bytes.</summary>
        public static class Bits64
        {
            public const int PhysBase = 0;
            public const int DumpLevel = 8;
            public const int Split = 12;
            public const int StartPfn = 16;
            public const int EndPfn = 24;
            public const int OffsetVmcoreInfo = 32;
            public const int SizeVmcoreInfo = 40;
            public const int OffsetNote = 48;
            public const int SizeNote = 56;
            public const int OffsetEraseInfo = 64;
            public const int SizeEraseInfo = 72;
            public const int StartPfn64 = 80;
            public const int EndPfn64 = 88;
            public const int MaxMapNr64 = 96;
            public const int Size = 104;
        }
    }

    public const int Size64 = FieldLocations.Bits64.Size;

    /// <summary>Reads the fields that <paramref name="headerVersion"/> defines; the rest stay zero.</summary>
    public static KdumpSubHeader ReadCore(ReadOnlySpan<byte> block, DataLayout layout, int headerVersion)
    {
        var r = new EndianReader(block, layout);
        var h = new KdumpSubHeader
        {
            PhysBase = r.U64(FieldLocations.Bits64.PhysBase),
            DumpLevel = r.I32(FieldLocations.Bits64.DumpLevel),
        };
        if (headerVersion >= 2)
            h = h with { Split = r.I32(FieldLocations.Bits64.Split), StartPfn32 = r.U64(FieldLocations.Bits64.StartPfn), EndPfn32 = r.U64(FieldLocations.Bits64.EndPfn) };
        if (headerVersion >= 3)
            h = h with { OffsetVmcoreInfo = r.U64(FieldLocations.Bits64.OffsetVmcoreInfo), SizeVmcoreInfo = r.U64(FieldLocations.Bits64.SizeVmcoreInfo) };
        if (headerVersion >= 4)
            h = h with { OffsetNote = r.U64(FieldLocations.Bits64.OffsetNote), SizeNote = r.U64(FieldLocations.Bits64.SizeNote) };
        if (headerVersion >= 5)
            h = h with { OffsetEraseInfo = r.U64(FieldLocations.Bits64.OffsetEraseInfo), SizeEraseInfo = r.U64(FieldLocations.Bits64.SizeEraseInfo) };
        if (headerVersion >= 6)
            h = h with { StartPfn64 = r.U64(FieldLocations.Bits64.StartPfn64), EndPfn64 = r.U64(FieldLocations.Bits64.EndPfn64), MaxMapNr64 = r.U64(FieldLocations.Bits64.MaxMapNr64) };
        return h;
    }

    public void WriteCore(Span<byte> block, DataLayout layout)
    {
        block[..Size64].Clear();
        var w = new EndianWriter(block, layout);
        w.U64(FieldLocations.Bits64.PhysBase, PhysBase);
        // Signed in the C struct: a damaged input's negative value is copied through bit for bit.
        w.U32(FieldLocations.Bits64.DumpLevel, unchecked((uint)DumpLevel));
        w.U32(FieldLocations.Bits64.Split, unchecked((uint)Split));
        w.U64(FieldLocations.Bits64.StartPfn, StartPfn32);
        w.U64(FieldLocations.Bits64.EndPfn, EndPfn32);
        w.U64(FieldLocations.Bits64.OffsetVmcoreInfo, OffsetVmcoreInfo);
        w.U64(FieldLocations.Bits64.SizeVmcoreInfo, SizeVmcoreInfo);
        w.U64(FieldLocations.Bits64.OffsetNote, OffsetNote);
        w.U64(FieldLocations.Bits64.SizeNote, SizeNote);
        w.U64(FieldLocations.Bits64.OffsetEraseInfo, OffsetEraseInfo);
        w.U64(FieldLocations.Bits64.SizeEraseInfo, SizeEraseInfo);
        w.U64(FieldLocations.Bits64.StartPfn64, StartPfn64);
        w.U64(FieldLocations.Bits64.EndPfn64, EndPfn64);
        w.U64(FieldLocations.Bits64.MaxMapNr64, MaxMapNr64);
    }
}
