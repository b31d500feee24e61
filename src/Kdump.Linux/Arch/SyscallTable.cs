using System.Runtime.InteropServices;

namespace Kdump.Linux.Arch;

/// <summary>
/// The syscall numbers the tools call through <c>syscall(2)</c> (glibc has no wrapper for the kexec
/// calls), one table per architecture (Syscalls.X64.cs, Syscalls.Arm64.cs), and the
/// <c>KEXEC_ARCH_*</c> value kexec_load wants for the native machine.
/// </summary>
public sealed record SyscallTable(
    string Name,
    long __NR_kexec_load,
    long __NR_kexec_file_load,
    long __NR_reboot,
    ulong KEXEC_ARCH_NATIVE)
{
    /// <summary>The table of the running process, or null on an architecture without one.</summary>
    public static SyscallTable? Current { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => Syscalls.X64,
        Architecture.Arm64 => Syscalls.Arm64,
        _ => null,
    };
}
