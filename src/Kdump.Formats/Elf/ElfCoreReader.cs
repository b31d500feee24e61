using System.Buffers;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Formats.Elf;

/// <summary>
/// Reads the headers and notes of an ELF core (a vmcore): ELF32 or ELF64, either byte order.
/// Memory is not read here; see <see cref="ElfProgramHeader"/> users in Kdump.Memory.
/// </summary>
public static class ElfCoreReader
{
    public static ElfCore Read(IByteSource source, ParseLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        limits ??= ParseLimits.Default;
        var file = source.Name;

        Span<byte> head = stackalloc byte[ElfHeader.FieldLocations.Elf64.Size];
        var headLength = (int)Math.Min(head.Length, source.Length);
        source.ReadExactlyAt(0, head[..headLength], "ELF header");
        var header = ElfHeader.ReadChecked(head[..headLength], file, source.Length);
        var ident = header.Ident;
        var layout = ident.Layout;

        var phEntSize = ElfProgramHeader.SizeOf(layout);
        if (header.ProgramHeaderEntrySize != phEntSize)
            DumpErrors.ThrowCorrupt(file, "e_phentsize", header.ProgramHeaderEntrySize.ToString(), PhEntSizeOffset(layout), $"must be {phEntSize} for this ELF class");

        var count = ReadProgramHeaderCount(source, header, limits);
        var tableBytes = checked((long)count * phEntSize);
        if (header.ProgramHeaderOffset > long.MaxValue || !source.Contains((long)header.ProgramHeaderOffset, tableBytes))
            throw DumpErrors.Truncated(file, $"program header table (e_phoff 0x{header.ProgramHeaderOffset:x}, {count} entries)",
                (long)Math.Min(header.ProgramHeaderOffset, long.MaxValue), tableBytes, source.Length);

        var phdrs = new ElfProgramHeader[count];
        var buffer = ArrayPool<byte>.Shared.Rent((int)tableBytes);
        try
        {
            var table = buffer.AsSpan(0, (int)tableBytes);
            source.ReadExactlyAt((long)header.ProgramHeaderOffset, table, "program header table");
            for (var i = 0; i < count; i++)
            {
                ElfProgramHeader.TryReadCore(table.Slice(i * phEntSize, phEntSize), layout, out phdrs[i]);
                Validate(source, phdrs[i], i, checked((long)header.ProgramHeaderOffset + (long)i * phEntSize), limits, (header.Flags & IncompleteFlag) != 0);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new ElfCore
        {
            Name = file,
            Header = header,
            ProgramHeaders = phdrs,
            Notes = ReadNotes(source, phdrs, layout, limits),
        };
    }

    private static long PhEntSizeOffset(DataLayout layout) =>
        layout.Is64Bit ? ElfHeader.FieldLocations.Elf64.PhEntSize : ElfHeader.FieldLocations.Elf32.PhEntSize;

    /// <summary>e_phnum, or with PN_XNUM the sh_info of section header 0 (makedumpfile writes this above 65534 segments).</summary>
    private static int ReadProgramHeaderCount(IByteSource source, ElfHeader header, ParseLimits limits)
    {
        var file = source.Name;
        var layout = header.Ident.Layout;
        var phNumOffset = layout.Is64Bit ? ElfHeader.FieldLocations.Elf64.PhNum : ElfHeader.FieldLocations.Elf32.PhNum;
        ulong count = header.ProgramHeaderCount;
        var countField = "e_phnum";
        long countOffset = phNumOffset;
        if (header.ProgramHeaderCount == ElfConstants.PnXnum)
        {
            var shSize = ElfSectionHeader.SizeOf(layout);
            if (header.SectionHeaderOffset > long.MaxValue || !source.Contains((long)header.SectionHeaderOffset, shSize))
                throw DumpErrors.Truncated(file, "section header 0 (e_phnum is PN_XNUM)", (long)Math.Min(header.SectionHeaderOffset, long.MaxValue), shSize, source.Length);
            Span<byte> sh = stackalloc byte[ElfSectionHeader.FieldLocations.Elf64.Size];
            source.ReadExactlyAt((long)header.SectionHeaderOffset, sh[..shSize], "section header 0");
            ElfSectionHeader.TryReadCore(sh[..shSize], layout, out var sh0);
            count = sh0.Info;
            countField = "section header 0 sh_info (extended e_phnum)";
            countOffset = checked((long)header.SectionHeaderOffset + (layout.Is64Bit ? ElfSectionHeader.FieldLocations.Elf64.Info : ElfSectionHeader.FieldLocations.Elf32.Info));
        }
        if (count > (ulong)limits.MaxProgramHeaders)
            throw DumpErrors.OverLimit(file, countField, count, (ulong)limits.MaxProgramHeaders, countOffset);
        if (count == 0)
            DumpErrors.ThrowCorrupt(file, countField, "0", countOffset, "a vmcore needs program headers");
        return (int)count;
    }

    /// <summary>
    /// makedumpfile's DUMP_ELF_INCOMPLETE in e_flags: the dump stopped early (full disk, -L), so
    /// PT_LOAD data may end past the file; what is there stays readable, the rest reads as not stored.
    /// </summary>
    public const uint IncompleteFlag = 1;

    private static void Validate(IByteSource source, ElfProgramHeader p, int index, long at, ParseLimits limits, bool incomplete)
    {
        var file = source.Name;
        if (p.Type is not (ElfConstants.PtLoad or ElfConstants.PtNote)) return;
        var what = p.Type == ElfConstants.PtLoad ? "PT_LOAD" : "PT_NOTE";
        if (p.Type == ElfConstants.PtLoad && p.FileSize > p.MemorySize)
            DumpErrors.ThrowCorrupt(file, $"program header {index} ({what}) p_filesz", $"0x{p.FileSize:x}", at, $"is larger than p_memsz 0x{p.MemorySize:x}");
        var absurd = p.Offset > long.MaxValue || p.FileSize > long.MaxValue;
        if (absurd || (!source.Contains((long)p.Offset, (long)p.FileSize) && !(incomplete && p.Type == ElfConstants.PtLoad)))
            throw new UnexpectedEndOfDumpException(DumpErrors.Describe(file, $"program header {index} ({what}) p_offset", $"0x{p.Offset:x}", at,
                $"its 0x{p.FileSize:x} bytes (p_filesz) end past the end of the file at 0x{source.Length:x} (truncated?)"))
            { FilePath = file, Offset = at };
        if (p.Type == ElfConstants.PtLoad && p.PhysicalAddress != ElfConstants.NoPhysicalAddress && p.MemorySize > ulong.MaxValue - p.PhysicalAddress)
            DumpErrors.ThrowCorrupt(file, $"program header {index} (PT_LOAD) p_memsz", $"0x{p.MemorySize:x}", at, $"wraps around the address space from p_paddr 0x{p.PhysicalAddress:x}");
        // Physical ranges past MAX_PHYSMEM_BITS would size max_mapnr (bitmaps, page walks) from a lie.
        if (p.Type == ElfConstants.PtLoad && p.PhysicalAddress != ElfConstants.NoPhysicalAddress
            && p.PhysicalAddress + p.MemorySize > 1UL << limits.MaxPhysicalAddressBits)
            DumpErrors.ThrowCorrupt(file, $"program header {index} (PT_LOAD) p_paddr", $"0x{p.PhysicalAddress:x}", at,
                $"with p_memsz 0x{p.MemorySize:x} it ends past the {limits.MaxPhysicalAddressBits}-bit physical address space");
        if (p.Type == ElfConstants.PtLoad && p.VirtualAddress != 0 && p.MemorySize > ulong.MaxValue - p.VirtualAddress)
            DumpErrors.ThrowCorrupt(file, $"program header {index} (PT_LOAD) p_memsz", $"0x{p.MemorySize:x}", at, $"wraps around the address space from p_vaddr 0x{p.VirtualAddress:x}");
    }

    private static List<ElfNote> ReadNotes(IByteSource source, ElfProgramHeader[] phdrs, DataLayout layout, ParseLimits limits)
    {
        var notes = new List<ElfNote>();
        ulong total = 0;
        foreach (var p in phdrs)
        {
            if (p.Type != ElfConstants.PtNote) continue;
            total = checked(total + p.FileSize);
            if (total > (ulong)limits.MaxNoteBytes)
                throw DumpErrors.OverLimit(source.Name, "PT_NOTE p_filesz (all notes together)", total, (ulong)limits.MaxNoteBytes, (long)p.Offset);
            var bytes = new byte[(int)p.FileSize];
            source.ReadExactlyAt((long)p.Offset, bytes, "PT_NOTE segment");
            notes.AddRange(ElfNote.ParseAll(bytes, layout, source.Name, (long)p.Offset));
        }
        return notes;
    }
}
