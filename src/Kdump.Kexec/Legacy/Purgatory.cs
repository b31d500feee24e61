using System.Buffers.Binary;

namespace Kdump.Kexec.Legacy;

/// <summary>
/// The code kexec_load's entry point runs. relocate_kernel_64.S jumps to it in 64-bit mode on
/// identity-mapped page tables (RAM, the segments, ACPI), interrupts off, every general register
/// but %rsp zeroed, and the GDT and IDT invalidated (base 0, limit 0): a segment load would fault.
/// So it loads its own GDT and segments, a stack at the top of its page, %rsi = the zero page,
/// and jumps to the kernel's 64-bit entry (load address + 0x200, boot.rst "64-bit boot
/// protocol"). SSE is off there (CR4.OSFXSR clear): plain integer code only.
/// kexec-tools' purgatory (entry64.S) does the same and also checks the segments' SHA-256 and
/// backs up the first 640 KiB. Neither is done here: the kernel's own loader has no backup since
/// 7c321eb2b843 ("x86/kdump: Remove the backup region handling"), the first MiB staying reserved
/// in the first kernel, and a damaged image fails as it would after a failed check.
/// The bytes are x86-64 machine code assembled from eng/kexec/purgatory.S (a test assembles that
/// file with GNU as and compares).
/// </summary>
public static class Purgatory
{
    public const int Size = 4096;

    /// <summary>Where each part sits in the page.</summary>
    public static class FieldLocations
    {
        public const int Gdt = 0x00;                     // null, null, code64 (selector 0x10), data (0x18)
        public const int GdtDescriptor = 0x20;           // u16 limit, u64 base
        public const int Entry = 0x30;                   // the code below
        public const int StackImm = Entry + 0x18;        // movabs $stack_top, %rsp
        public const int BootParamsImm = Entry + 0x2e;   // movabs $boot_params, %rsi
        public const int KernelEntryImm = Entry + 0x38;  // movabs $kernel_entry, %rax
    }

    private const ulong GdtCode64 = 0x00af_9a00_0000_ffff; // present, DPL 0, execute/read, L=1
    private const ulong GdtData = 0x00cf_9200_0000_ffff;   // present, DPL 0, read/write, 4 GiB
    private const ushort GdtLimit = 4 * 8 - 1;

    // Offsets are from Entry; eng/kexec/purgatory.S is the source.
    private static ReadOnlySpan<byte> Code =>
    [
        0x0f, 0x01, 0x15, 0xe9, 0xff, 0xff, 0xff,                   // 00 lgdt gdt_descriptor(%rip)
        0xb8, 0x18, 0x00, 0x00, 0x00,                               // 07 mov $0x18, %eax
        0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0x8e, 0xe0, 0x8e, 0xe8, // 0c mov %eax, %ds %es %ss %fs %gs
        0x48, 0xbc, 0, 0, 0, 0, 0, 0, 0, 0,                         // 16 movabs $stack_top, %rsp
        0x48, 0x8d, 0x05, 0x05, 0x00, 0x00, 0x00,                   // 20 lea 1f(%rip), %rax
        0x6a, 0x10,                                                 // 27 push $0x10 (code64)
        0x50,                                                       // 29 push %rax
        0x48, 0xcb,                                                 // 2a lretq: reload %cs
        0x48, 0xbe, 0, 0, 0, 0, 0, 0, 0, 0,                         // 2c 1: movabs $boot_params, %rsi
        0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,                         // 36 movabs $kernel_entry, %rax
        0xff, 0xe0,                                                 // 40 jmp *%rax
    ];

    /// <summary>The purgatory page for physical address <paramref name="load"/>.</summary>
    public static byte[] Build(ulong load, ulong bootParams, ulong kernelEntry)
    {
        var page = new byte[Size];
        var s = page.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(s[(FieldLocations.Gdt + 0x10)..], GdtCode64);
        BinaryPrimitives.WriteUInt64LittleEndian(s[(FieldLocations.Gdt + 0x18)..], GdtData);
        BinaryPrimitives.WriteUInt16LittleEndian(s[FieldLocations.GdtDescriptor..], GdtLimit);
        BinaryPrimitives.WriteUInt64LittleEndian(s[(FieldLocations.GdtDescriptor + 2)..], load + FieldLocations.Gdt);
        Code.CopyTo(s[FieldLocations.Entry..]);
        BinaryPrimitives.WriteUInt64LittleEndian(s[FieldLocations.BootParamsImm..], bootParams);
        BinaryPrimitives.WriteUInt64LittleEndian(s[FieldLocations.StackImm..], load + Size);
        BinaryPrimitives.WriteUInt64LittleEndian(s[FieldLocations.KernelEntryImm..], kernelEntry);
        return page;
    }
}
