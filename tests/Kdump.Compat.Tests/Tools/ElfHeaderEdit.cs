using Kdump.Formats.Elf;

namespace Kdump.Compat.Tests.Tools;

/// <summary>Edits the headers of a copied ELF vmcore in place (the compat tests' made-here inputs).</summary>
internal static class ElfHeaderEdit
{
    /// <summary>Writes <paramref name="headers"/> as the program header table of <paramref name="core"/>'s file, e_phnum updated.</summary>
    public static void WriteProgramHeaders(FileStream f, ElfCore core, IReadOnlyList<ElfProgramHeader> headers)
    {
        var header = core.Header with { ProgramHeaderCount = (ushort)headers.Count };
        var block = new byte[ElfHeader.SizeOf(core.Layout)];
        header.WriteCore(block);
        f.Position = 0;
        f.Write(block);
        var entry = new byte[header.ProgramHeaderEntrySize];
        f.Position = (long)header.ProgramHeaderOffset;
        foreach (var h in headers)
        {
            h.WriteCore(entry, core.Layout);
            f.Write(entry);
        }
    }
}
