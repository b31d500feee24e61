using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>
/// Writes an ELF core (ET_CORE) of either class and byte order: ELF header, optionally one section
/// header before the program headers (the QEMU layout), one PT_NOTE holding every note, then one
/// PT_LOAD per segment. Tests use it to make inputs; makedumpfile -E output can use
/// <see cref="Plan"/> to write headers first and stream page data to the planned offsets.
/// </summary>
public sealed class ElfCoreWriter(DataLayout layout, ushort machine)
{
    private readonly List<ElfNote> _notes = [];
    private readonly List<LoadSegment> _loads = [];

    /// <summary>One PT_LOAD to write. <see cref="Data"/> is p_filesz bytes; the rest up to <see cref="MemorySize"/> reads as zeros.</summary>
    public sealed record LoadSegment(ulong PhysicalAddress, ulong VirtualAddress, ReadOnlyMemory<byte> Data, ulong MemorySize, uint Flags);

    /// <summary>Headers and note bytes to write at offset 0, and where each segment's data goes.</summary>
    public sealed record FilePlan(byte[] HeaderBytes, IReadOnlyList<ElfProgramHeader> ProgramHeaders, IReadOnlyList<long> LoadDataOffsets, long FileLength);

    public DataLayout Layout { get; } = layout;

    public ushort Machine { get; } = machine;

    /// <summary>Put a section header at e_ehsize and the program headers after it, as QEMU's dump-guest-memory does.</summary>
    public bool SectionHeaderFirst { get; init; }

    /// <summary>Alignment of the first segment's data and of each following one (/proc/vmcore uses the page size).</summary>
    public int DataAlignment
    {
        get;
        init => field = value > 0 && (value & (value - 1)) == 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 8;

    /// <summary>Writes e_phnum as PN_XNUM and the count in section header 0 even when it would fit (tests).</summary>
    public bool ForceExtendedNumbering { get; init; }

    public ElfCoreWriter AddNote(string name, uint type, ReadOnlyMemory<byte> descriptor)
    {
        _notes.Add(new ElfNote(name, type, descriptor, 0));
        return this;
    }

    public ElfCoreWriter AddLoad(ulong physicalAddress, ulong virtualAddress, ReadOnlyMemory<byte> data, ulong? memorySize = null,
        uint flags = ElfConstants.PfR | ElfConstants.PfW | ElfConstants.PfX)
    {
        var memsz = memorySize ?? (ulong)data.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(memsz, (ulong)data.Length, nameof(memorySize));
        _loads.Add(new LoadSegment(physicalAddress, virtualAddress, data, memsz, flags));
        return this;
    }

    public FilePlan Plan()
    {
        var ehSize = ElfHeader.SizeOf(Layout);
        var phSize = ElfProgramHeader.SizeOf(Layout);
        var shSize = ElfSectionHeader.SizeOf(Layout);
        var phCount = _loads.Count + (_notes.Count > 0 ? 1 : 0);
        var extended = ForceExtendedNumbering || phCount >= ElfConstants.PnXnum;
        var withSection = SectionHeaderFirst || extended;
        long shOff = withSection ? ehSize : 0;
        long phOff = ehSize + (withSection ? shSize : 0);
        long notesOff = checked(phOff + (long)phCount * phSize);
        var notesSize = _notes.Sum(n => n.EncodedSize);
        long dataOff = checked(notesOff + notesSize);

        var phdrs = new List<ElfProgramHeader>(phCount);
        if (_notes.Count > 0)
            phdrs.Add(new ElfProgramHeader { Type = ElfConstants.PtNote, Offset = (ulong)notesOff, FileSize = (ulong)notesSize, MemorySize = (ulong)notesSize, Align = ElfNote.Alignment });
        var offsets = new List<long>(_loads.Count);
        foreach (var l in _loads)
        {
            dataOff = AlignUp(dataOff, DataAlignment);
            offsets.Add(dataOff);
            phdrs.Add(new ElfProgramHeader
            {
                Type = ElfConstants.PtLoad,
                Flags = l.Flags,
                Offset = (ulong)dataOff,
                VirtualAddress = l.VirtualAddress,
                PhysicalAddress = l.PhysicalAddress,
                FileSize = (ulong)l.Data.Length,
                MemorySize = l.MemorySize,
                Align = 0,
            });
            dataOff = checked(dataOff + l.Data.Length);
        }

        var head = new byte[checked(notesOff + notesSize)];
        var header = new ElfHeader
        {
            Ident = ElfIdent.For(Layout),
            Type = ElfConstants.EtCore,
            Machine = Machine,
            Version = ElfConstants.EvCurrent,
            ProgramHeaderOffset = (ulong)phOff,
            SectionHeaderOffset = (ulong)shOff,
            HeaderSize = (ushort)ehSize,
            ProgramHeaderEntrySize = (ushort)phSize,
            ProgramHeaderCount = extended ? ElfConstants.PnXnum : (ushort)phCount,
            SectionHeaderEntrySize = withSection ? (ushort)shSize : (ushort)0,
            SectionHeaderCount = withSection ? (ushort)1 : (ushort)0,
        };
        header.WriteCore(head);
        if (withSection)
            new ElfSectionHeader { Info = extended ? (uint)phCount : 0 }.WriteCore(head.AsSpan((int)shOff), Layout);
        for (var i = 0; i < phdrs.Count; i++)
            phdrs[i].WriteCore(head.AsSpan(checked((int)(phOff + (long)i * phSize))), Layout);
        var at = (int)notesOff;
        foreach (var n in _notes)
            at += n.WriteCore(head.AsSpan(at), Layout);
        return new FilePlan(head, phdrs, offsets, Math.Max(dataOff, head.Length));
    }

    public void WriteTo(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var plan = Plan();
        output.Write(plan.HeaderBytes);
        long pos = plan.HeaderBytes.Length;
        Span<byte> zeros = stackalloc byte[64];
        for (var i = 0; i < _loads.Count; i++)
        {
            while (pos < plan.LoadDataOffsets[i])
            {
                var n = (int)Math.Min(zeros.Length, plan.LoadDataOffsets[i] - pos);
                output.Write(zeros[..n]);
                pos += n;
            }
            output.Write(_loads[i].Data.Span);
            pos += _loads[i].Data.Length;
        }
    }

    public byte[] ToArray()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return ms.ToArray();
    }

    private static long AlignUp(long value, int alignment) => checked((value + alignment - 1) & ~(long)(alignment - 1));
}
