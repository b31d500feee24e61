using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>What <see cref="ElfCoreReader"/> found in an ELF vmcore's headers and notes.</summary>
public sealed class ElfCore
{
    public required string Name { get; init; }

    public required ElfHeader Header { get; init; }

    public DataLayout Layout => Header.Ident.Layout;

    /// <summary>All program headers in file order.</summary>
    public required IReadOnlyList<ElfProgramHeader> ProgramHeaders { get; init; }

    /// <summary>Notes of every PT_NOTE, in order.</summary>
    public required IReadOnlyList<ElfNote> Notes { get; init; }

    /// <summary>PT_LOAD headers in program-header order.</summary>
    public IEnumerable<ElfProgramHeader> Loads => ProgramHeaders.Where(p => p.Type == ElfConstants.PtLoad);

    /// <summary>Descriptor of the first "VMCOREINFO" note, or empty.</summary>
    public ReadOnlyMemory<byte> VmcoreInfo =>
        Notes.FirstOrDefault(n => n.Name == ElfConstants.VmcoreInfoNoteName)?.Descriptor ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>Number of "CORE" NT_PRSTATUS notes: one per CPU that saved registers (makedumpfile's nr_cpus).</summary>
    public int PrStatusCount => Notes.Count(n => n.Type == ElfConstants.NtPrstatus && n.Name == ElfConstants.CoreNoteName);
}
