using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>
/// Headers for an ELF dump whose segment data is streamed afterwards (makedumpfile -E,
/// write_elf_header): the input's ELF header with new program-header numbers, the program headers
/// right after it (PT_NOTE first), the note bytes right after them, then the PT_LOAD data packed in
/// order with no alignment. A PT_LOAD without file data gets p_offset 0, as makedumpfile writes it,
/// unless <see cref="Load.ZeroOffsetWhenEmpty"/> is false.
/// </summary>
public static class StreamedElfCore
{
    /// <summary>
    /// One output PT_LOAD: <see cref="FileSize"/> bytes to stream, the rest of <see cref="MemorySize"/>
    /// reads as zeros. Without file data its p_offset is 0, or, when <see cref="ZeroOffsetWhenEmpty"/>
    /// is false, where its data would start (makedumpfile's last PT_LOAD of an input segment).
    /// </summary>
    public readonly record struct Load(ulong PhysicalAddress, ulong VirtualAddress, ulong FileSize, ulong MemorySize, uint Flags, ulong Align, bool ZeroOffsetWhenEmpty = true);

    public sealed record Plan(byte[] HeaderBytes, IReadOnlyList<long> LoadDataOffsets, long FileLength, long NotesOffset);

    /// <param name="inputNote">The input's PT_NOTE header: its p_flags and p_align are kept (6.12 sets p_align 4).</param>
    /// <param name="noteMemorySize">PT_NOTE p_memsz when it is not the notes' length (makedumpfile grows only p_filesz for its eraseinfo note).</param>
    public static Plan Make(ElfHeader inputHeader, DataLayout layout, ReadOnlySpan<byte> notes, IReadOnlyList<Load> loads, ElfProgramHeader inputNote = default,
        ulong? noteMemorySize = null)
    {
        ArgumentNullException.ThrowIfNull(inputHeader);
        ArgumentNullException.ThrowIfNull(loads);
        var ehSize = ElfHeader.SizeOf(layout);
        var phSize = ElfProgramHeader.SizeOf(layout);
        var phCount = loads.Count + 1;
        if (phCount >= ElfConstants.PnXnum)
            throw new NotSupportedException($"{phCount} program headers need extended numbering (PN_XNUM), which this writer does not emit");
        long notesOffset = checked(ehSize + (long)phCount * phSize);
        var dataOffset = checked(notesOffset + notes.Length);
        var head = new byte[dataOffset];
        var header = inputHeader with
        {
            ProgramHeaderOffset = (ulong)ehSize,
            SectionHeaderOffset = 0,
            HeaderSize = (ushort)ehSize,
            ProgramHeaderEntrySize = (ushort)phSize,
            ProgramHeaderCount = (ushort)phCount,
            SectionHeaderEntrySize = 0,
            SectionHeaderCount = 0,
            SectionNameIndex = 0,
        };
        header.WriteCore(head);
        new ElfProgramHeader
        {
            Type = ElfConstants.PtNote,
            Flags = inputNote.Flags,
            Align = inputNote.Align,
            Offset = (ulong)notesOffset,
            FileSize = (ulong)notes.Length,
            MemorySize = noteMemorySize ?? (ulong)notes.Length,
        }.WriteCore(head.AsSpan(ehSize), layout);
        var offsets = new List<long>(loads.Count);
        for (var i = 0; i < loads.Count; i++)
        {
            var l = loads[i];
            offsets.Add(dataOffset);
            new ElfProgramHeader
            {
                Type = ElfConstants.PtLoad,
                Flags = l.Flags,
                Offset = l.FileSize == 0 && l.ZeroOffsetWhenEmpty ? 0 : (ulong)dataOffset,
                VirtualAddress = l.VirtualAddress,
                PhysicalAddress = l.PhysicalAddress,
                FileSize = l.FileSize,
                MemorySize = l.MemorySize,
                Align = l.Align,
            }.WriteCore(head.AsSpan(checked(ehSize + (i + 1) * phSize)), layout);
            dataOffset = checked(dataOffset + (long)l.FileSize);
        }
        notes.CopyTo(head.AsSpan((int)notesOffset));
        return new Plan(head, offsets, dataOffset, notesOffset);
    }
}
