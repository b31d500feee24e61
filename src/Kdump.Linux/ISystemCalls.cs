namespace Kdump.Linux;

/// <summary>
/// Every system call through which the kdump tools change the machine's state, C-named and with
/// C arguments. <see cref="LinuxSystemCalls"/> is the real implementation (with a reboot guard);
/// <see cref="Testing.RecordingSystemCalls"/> records calls and returns scripted results.
/// </summary>
public interface ISystemCalls
{
    /// <summary>open(path, O_RDONLY|O_CLOEXEC): the descriptor in <see cref="SyscallResult.Value"/>.</summary>
    SyscallResult open(string pathname);

    SyscallResult close(int fd);

    /// <summary>
    /// kexec_file_load(2). <paramref name="cmdline"/> includes its terminating NUL, as the kernel
    /// wants (cmdline_len = cmdline.Length); fds of -1 mean "none" (with KEXEC_FILE_UNLOAD or NO_INITRAMFS).
    /// </summary>
    SyscallResult kexec_file_load(int kernel_fd, int initrd_fd, ReadOnlySpan<byte> cmdline, ulong flags);

    /// <summary>kexec_load(2); with no segments and entry 0 it unloads.</summary>
    SyscallResult kexec_load(nuint entry, ReadOnlySpan<kexec_segment> segments, ulong flags);

    /// <summary>reboot(2) with one of <see cref="Reboot"/>'s commands. Returns only on failure (or when refused).</summary>
    SyscallResult reboot(uint cmd);

    void sync();

    /// <summary>kexec-tools' ifdown(): clear IFF_UP on every interface except lo and aliases.</summary>
    SyscallResult ifdown();

    /// <summary>execv(2) of a program such as /sbin/shutdown; returns only on failure (or when refused).</summary>
    SyscallResult execv(string path, IReadOnlyList<string> argv);
}
