namespace Kdump.Linux.Arch;

public static partial class Syscalls
{
    /// <summary>x86_64 (arch/x86/entry/syscalls/syscall_64.tbl).</summary>
    public static SyscallTable X64 { get; } = new(
        Name: "x86_64",
        __NR_kexec_load: 246,
        __NR_kexec_file_load: 320,
        __NR_reboot: 169,
        KEXEC_ARCH_NATIVE: Kexec.KEXEC_ARCH_X86_64);
}
