using Kdump.Linux;
using Kdump.Linux.Arch;
using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// Kdump.Linux's C-named constants and syscall numbers against the installed kernel and libc
/// headers: a C program compiled with gcc prints each value (Tmds.LibC's approach). The aarch64
/// numbers come from the generic table (asm-generic/unistd.h) that arm64 uses.
/// </summary>
public sealed class LinuxHeadersTests
{
    private const string Program = """
        #include <stdio.h>
        #include <sys/syscall.h>
        #include <linux/kexec.h>
        #include <linux/reboot.h>
        #define P(name) printf("%s=%llu\n", #name, (unsigned long long)(name))
        int main(void) {
            P(SYS_kexec_load); P(SYS_kexec_file_load); P(SYS_reboot);
            P(KEXEC_ON_CRASH); P(KEXEC_PRESERVE_CONTEXT); P(KEXEC_ARCH_MASK);
            P(KEXEC_FILE_UNLOAD); P(KEXEC_FILE_ON_CRASH); P(KEXEC_FILE_NO_INITRAMFS);
        #ifdef KEXEC_FILE_DEBUG
            P(KEXEC_FILE_DEBUG);
        #endif
        #ifdef KEXEC_UPDATE_ELFCOREHDR
            P(KEXEC_UPDATE_ELFCOREHDR);
        #endif
            P(KEXEC_ARCH_DEFAULT); P(KEXEC_ARCH_386); P(KEXEC_ARCH_X86_64); P(KEXEC_ARCH_AARCH64);
            P(KEXEC_SEGMENT_MAX);
            P(sizeof(struct kexec_segment));
            P(LINUX_REBOOT_MAGIC1); P(LINUX_REBOOT_MAGIC2);
            P(LINUX_REBOOT_CMD_RESTART); P(LINUX_REBOOT_CMD_HALT); P(LINUX_REBOOT_CMD_POWER_OFF); P(LINUX_REBOOT_CMD_KEXEC);
            return 0;
        }
        """;

    private const string GenericProgram = """
        #include <stdio.h>
        #include <asm-generic/unistd.h>
        int main(void) {
            printf("kexec_load=%d\nkexec_file_load=%d\nreboot=%d\n", __NR_kexec_load, __NR_kexec_file_load, __NR_reboot);
            return 0;
        }
        """;

    private static Dictionary<string, ulong> CompileAndRun(string source) => CProgram.Values(source, "kexec-headers");

    [Fact]
    public void Constants_and_x86_64_syscall_numbers_match_the_headers()
    {
        Assert.Equal(System.Runtime.InteropServices.Architecture.X64, System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture);
        var c = CompileAndRun(Program);
        Assert.Equal((ulong)Syscalls.X64.__NR_kexec_load, c["SYS_kexec_load"]);
        Assert.Equal((ulong)Syscalls.X64.__NR_kexec_file_load, c["SYS_kexec_file_load"]);
        Assert.Equal((ulong)Syscalls.X64.__NR_reboot, c["SYS_reboot"]);
        Assert.Same(Syscalls.X64, SyscallTable.Current);

        Assert.Equal(Linux.Kexec.KEXEC_ON_CRASH, c["KEXEC_ON_CRASH"]);
        Assert.Equal(Linux.Kexec.KEXEC_PRESERVE_CONTEXT, c["KEXEC_PRESERVE_CONTEXT"]);
        Assert.Equal(Linux.Kexec.KEXEC_ARCH_MASK, c["KEXEC_ARCH_MASK"]);
        Assert.Equal(Linux.Kexec.KEXEC_FILE_UNLOAD, c["KEXEC_FILE_UNLOAD"]);
        Assert.Equal(Linux.Kexec.KEXEC_FILE_ON_CRASH, c["KEXEC_FILE_ON_CRASH"]);
        Assert.Equal(Linux.Kexec.KEXEC_FILE_NO_INITRAMFS, c["KEXEC_FILE_NO_INITRAMFS"]);
        // Newer than Debian 12's headers: checked when the headers have them.
        if (c.TryGetValue("KEXEC_FILE_DEBUG", out var debug)) Assert.Equal(Linux.Kexec.KEXEC_FILE_DEBUG, debug);
        if (c.TryGetValue("KEXEC_UPDATE_ELFCOREHDR", out var hp)) Assert.Equal(Linux.Kexec.KEXEC_UPDATE_ELFCOREHDR, hp);
        Assert.Equal(Linux.Kexec.KEXEC_ARCH_DEFAULT, c["KEXEC_ARCH_DEFAULT"]);
        Assert.Equal(Linux.Kexec.KEXEC_ARCH_386, c["KEXEC_ARCH_386"]);
        Assert.Equal(Linux.Kexec.KEXEC_ARCH_X86_64, c["KEXEC_ARCH_X86_64"]);
        Assert.Equal(Linux.Kexec.KEXEC_ARCH_AARCH64, c["KEXEC_ARCH_AARCH64"]);
        Assert.Equal((ulong)Linux.Kexec.KEXEC_SEGMENT_MAX, c["KEXEC_SEGMENT_MAX"]);
        Assert.Equal((ulong)System.Runtime.CompilerServices.Unsafe.SizeOf<kexec_segment>(), c["sizeof(struct kexec_segment)"]);

        Assert.Equal(Reboot.LINUX_REBOOT_MAGIC1, c["LINUX_REBOOT_MAGIC1"]);
        Assert.Equal(Reboot.LINUX_REBOOT_MAGIC2, c["LINUX_REBOOT_MAGIC2"]);
        Assert.Equal(Reboot.LINUX_REBOOT_CMD_RESTART, c["LINUX_REBOOT_CMD_RESTART"]);
        Assert.Equal(Reboot.LINUX_REBOOT_CMD_HALT, c["LINUX_REBOOT_CMD_HALT"]);
        Assert.Equal(Reboot.LINUX_REBOOT_CMD_POWER_OFF, c["LINUX_REBOOT_CMD_POWER_OFF"]);
        Assert.Equal(Reboot.LINUX_REBOOT_CMD_KEXEC, c["LINUX_REBOOT_CMD_KEXEC"]);
    }

    [Fact]
    public void Aarch64_syscall_numbers_match_the_generic_table()
    {
        var c = CompileAndRun(GenericProgram);
        Assert.Equal((ulong)Syscalls.Arm64.__NR_kexec_load, c["kexec_load"]);
        Assert.Equal((ulong)Syscalls.Arm64.__NR_kexec_file_load, c["kexec_file_load"]);
        Assert.Equal((ulong)Syscalls.Arm64.__NR_reboot, c["reboot"]);
    }
}
