namespace Kdump.Formats.Elf;

/// <summary>Constants of the ELF specification and Linux's elf.h that vmcores use.</summary>
public static class ElfConstants
{
    public const byte ElfClass32 = 1;     // ELFCLASS32
    public const byte ElfClass64 = 2;     // ELFCLASS64
    public const byte ElfData2Lsb = 1;    // ELFDATA2LSB
    public const byte ElfData2Msb = 2;    // ELFDATA2MSB
    public const byte EvCurrent = 1;      // EV_CURRENT

    public const ushort EtRel = 1;        // ET_REL
    public const ushort EtCore = 4;       // ET_CORE

    public const uint ShtSymtab = 2;      // SHT_SYMTAB
    public const uint ShtRela = 4;        // SHT_RELA
    public const uint ShtNobits = 8;      // SHT_NOBITS
    public const uint ShtRel = 9;         // SHT_REL
    public const uint ShtDynsym = 11;     // SHT_DYNSYM

    public const uint PtNull = 0;         // PT_NULL
    public const uint PtLoad = 1;         // PT_LOAD
    public const uint PtNote = 4;         // PT_NOTE

    public const uint PfX = 1;            // PF_X
    public const uint PfW = 2;            // PF_W
    public const uint PfR = 4;            // PF_R

    /// <summary>PN_XNUM: e_phnum value meaning "the count is in section header 0's sh_info".</summary>
    public const ushort PnXnum = 0xffff;

    public const uint NtPrstatus = 1;     // NT_PRSTATUS
    public const uint NtGnuBuildId = 3;   // NT_GNU_BUILD_ID (owner "GNU")

    public const ushort EmNone = 0;       // EM_NONE
    public const ushort Em386 = 3;        // EM_386
    public const ushort EmPpc = 20;       // EM_PPC
    public const ushort EmPpc64 = 21;     // EM_PPC64
    public const ushort EmS390 = 22;      // EM_S390
    public const ushort EmArm = 40;       // EM_ARM
    public const ushort EmX8664 = 62;     // EM_X86_64
    public const ushort EmAarch64 = 183;  // EM_AARCH64
    public const ushort EmRiscv = 243;    // EM_RISCV

    /// <summary>All-ones p_paddr: the segment has no physical address (drgn skips these; makedumpfile's NOT_PADDR).</summary>
    public const ulong NoPhysicalAddress = ulong.MaxValue;

    public const string VmcoreInfoNoteName = "VMCOREINFO";

    /// <summary>makedumpfile's note for the erase commands applied to an ELF dump (ERASEINFO_NOTE_NAME).</summary>
    public const string EraseInfoNoteName = "ERASEINFO";

    public const string CoreNoteName = "CORE";

    public static ReadOnlySpan<byte> Magic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    public static string MachineName(ushort machine) => machine switch
    {
        EmX8664 => "x86_64",
        Em386 => "i386",
        EmAarch64 => "aarch64",
        EmArm => "arm",
        EmPpc64 => "ppc64",
        EmPpc => "ppc",
        EmS390 => "s390x",
        EmRiscv => "riscv",
        _ => $"EM_{machine}",
    };
}
