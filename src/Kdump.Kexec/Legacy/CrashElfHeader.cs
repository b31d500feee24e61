using Kdump.Formats.Elf;
using Kdump.Linux;
using Kdump.Primitives;

namespace Kdump.Kexec.Legacy;

/// <summary>
/// The ELF core headers a crash kernel's /proc/vmcore is built from (elfcorehdr=): one PT_NOTE per
/// CPU's crash_notes, one for VMCOREINFO, a PT_LOAD for the kernel text and one per System RAM
/// range outside the crash kernel memory — the order and contents of the kernel's own
/// crash_prepare_elf64_headers. p_offset holds the physical address; fs/proc/vmcore.c reads there.
/// </summary>
public static class CrashElfHeader
{
    private static readonly DataLayout s_layout = DataLayout.LittleEndian64;

    public static byte[] Build(LegacyMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var headers = Headers(machine);
        var phSize = ElfProgramHeader.SizeOf(s_layout);
        var ehSize = ElfHeader.SizeOf(s_layout);
        if (headers.Count >= ElfConstants.PnXnum)
            throw new LegacyLoadException($"{headers.Count} ELF program headers are more than e_phnum holds");
        var data = new byte[ehSize + headers.Count * phSize];
        new ElfHeader
        {
            Ident = ElfIdent.For(s_layout),
            Type = ElfConstants.EtCore,
            Machine = ElfConstants.EmX8664,
            Version = ElfConstants.EvCurrent,
            ProgramHeaderOffset = (ulong)ehSize,
            HeaderSize = (ushort)ehSize,
            ProgramHeaderEntrySize = (ushort)phSize,
            ProgramHeaderCount = (ushort)headers.Count,
        }.WriteCore(data);
        for (var i = 0; i < headers.Count; i++) headers[i].WriteCore(data.AsSpan(ehSize + i * phSize), s_layout);
        return data;
    }

    private static List<ElfProgramHeader> Headers(LegacyMachine machine)
    {
        if (machine.CpuCrashNotes.Count == 0)
            throw new LegacyLoadException($"no {LegacyMachine.CpuPath}/cpuN/crash_notes: the kernel keeps no CPU notes (CONFIG_CRASH_DUMP?)");
        var vmcoreinfo = machine.Vmcoreinfo ?? throw new LegacyLoadException($"cannot read {LegacyMachine.VmcoreinfoPath}");
        var kernel = machine.Kernel ?? throw new LegacyLoadException($"the kernel's layout was not read from {LegacyMachine.KcorePath}");
        var list = new List<ElfProgramHeader>();
        foreach (var note in machine.CpuCrashNotes) list.Add(Note(note));
        list.Add(Note(vmcoreinfo));
        const uint rwx = ElfConstants.PfR | ElfConstants.PfW | ElfConstants.PfX;
        list.Add(new ElfProgramHeader
        {
            Type = ElfConstants.PtLoad,
            Flags = rwx,
            Offset = kernel.TextPhysical,
            PhysicalAddress = kernel.TextPhysical,
            VirtualAddress = kernel.TextVirtual,
            FileSize = kernel.TextSize,
            MemorySize = kernel.TextSize,
        });
        foreach (var (start, end) in RamOutsideCrashKernel(machine))
        {
            list.Add(new ElfProgramHeader
            {
                Type = ElfConstants.PtLoad,
                Flags = rwx,
                Offset = start,
                PhysicalAddress = start,
                VirtualAddress = unchecked(kernel.PageOffset + start),
                FileSize = end - start,
                MemorySize = end - start,
            });
        }
        return list;
    }

    private static ElfProgramHeader Note(NoteArea note) => new()
    {
        Type = ElfConstants.PtNote,
        Offset = note.Address,
        PhysicalAddress = note.Address,
        FileSize = note.Size,
        MemorySize = note.Size,
    };

    /// <summary>
    /// The System RAM ranges (half-open) minus every "Crash kernel" range and the first
    /// MiB (elf_header_exclude_ranges): the first kernel keeps that reserved (6f599d84231f,
    /// "x86/kdump: Always reserve the low 1M when the crashkernel option is specified") and the
    /// capture kernel gets it as RAM, so nothing of the first kernel's is there to save.
    /// </summary>
    internal static List<(ulong Start, ulong End)> RamOutsideCrashKernel(LegacyMachine machine)
    {
        var ram = new PhysicalHoles(machine.SystemRam);
        ram.Exclude(0, 1 << 20);
        foreach (var c in machine.CrashKernelRanges) ram.Exclude(c.Start, c.End + 1);
        return ram.Ranges.ToList();
    }
}
