using Kdump.Primitives;

namespace Kdump.Kexec.Images;

/// <summary>
/// An x86_64 ELF executable (a vmlinux): kexec-tools' elf-x86_64 type. Recognised so that the
/// messages match upstream; the x86_64 kernel's kexec_file_load rejects it (ENOEXEC). Upstream's
/// kexec_load fallback would load it with its elf-x86_64 loader; ours lays out bzImages only.
/// </summary>
public sealed class ElfX64 : IKernelImageType
{
    public static ElfX64 Instance { get; } = new();

    internal static class FieldLocations
    {
        public const int Class = 4;     // e_ident[EI_CLASS]
        public const int Data = 5;      // e_ident[EI_DATA]
        public const int Type = 16;     // e_type
        public const int Machine = 18;  // e_machine
    }

    private const byte ELFCLASS64 = 2;
    private const byte ELFDATA2LSB = 1;
    private const ushort ET_EXEC = 2;
    private const ushort EM_X86_64 = 62;

    public string Name => "elf-x86_64";

    public int ProbeLength => 64;

    public string Usage =>
        "    --command-line=STRING Set the kernel command line to STRING\n" +
        "    --append=STRING       Set the kernel command line to STRING\n" +
        "    --reuse-cmdline       Use kernel command line from running system.\n" +
        "    --initrd=FILE         Use FILE as the kernel's initial ramdisk.\n" +
        "    --ramdisk=FILE        Use FILE as the kernel's initial ramdisk.\n";

    public bool Probe(ReadOnlySpan<byte> head, long fileLength)
    {
        if (head.Length < ProbeLength || !head.StartsWith("\u007fELF"u8)) return false;
        if (head[FieldLocations.Class] != ELFCLASS64 || head[FieldLocations.Data] != ELFDATA2LSB) return false;
        var r = new EndianReader(head, DataLayout.LittleEndian64);
        return r.U16(FieldLocations.Type) == ET_EXEC && r.U16(FieldLocations.Machine) == EM_X86_64;
    }
}
