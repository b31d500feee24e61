namespace Kdump.Linux.Arch;

public static partial class Syscalls
{
    /// <summary>aarch64 (include/uapi/asm-generic/unistd.h).</summary>
    public static SyscallTable Arm64 { get; } = new(
        Name: "aarch64",
        __NR_kexec_load: 104,
        __NR_kexec_file_load: 294,
        __NR_reboot: 142,
        KEXEC_ARCH_NATIVE: Kexec.KEXEC_ARCH_AARCH64);
}
