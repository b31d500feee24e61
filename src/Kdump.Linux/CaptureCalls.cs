using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary>
/// The calls the capture program (/init of the capture initramfs) makes to set itself up:
/// mount(2), umount2(2) and finit_module(2), C-named. Kept apart from <see cref="ISystemCalls"/>:
/// they change no machine state that survives the capture kernel.
/// </summary>
public static partial class CaptureCalls
{
    private const string Lib = "libc";

    public const ulong MS_RDONLY = 1;
    public const ulong MS_REMOUNT = 32;
    public const int MNT_DETACH = 2;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string? source, string target, string? filesystemtype, nuint mountflags, string? data);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long syscall(long number, int fd, string param_values, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int klogctl(int type, byte[]? bufp, int len);

    private const int SYSLOG_ACTION_READ_ALL = 3;
    private const int SYSLOG_ACTION_SIZE_BUFFER = 10;

    /// <summary>The kernel log buffer as syslog(2) READ_ALL returns it (<c>&lt;level&gt;[time] text</c> lines), or null.</summary>
    public static string? ReadKernelLogBuffer()
    {
        var size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, null, 0);
        if (size <= 0) return null;
        var buffer = new byte[Math.Min(size, 64 << 20)];
        var n = klogctl(SYSLOG_ACTION_READ_ALL, buffer, buffer.Length);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    /// <summary>mount(2); <paramref name="data"/> is the comma-separated option string the file system parses.</summary>
    public static SyscallResult Mount(string? source, string target, string? fsType, ulong flags, string? data) =>
        mount(source, target, fsType, (nuint)flags, data) == 0 ? SyscallResult.Ok() : SyscallResult.Fail(Marshal.GetLastPInvokeError());

    public static SyscallResult Umount(string target, int flags) =>
        umount2(target, flags) == 0 ? SyscallResult.Ok() : SyscallResult.Fail(Marshal.GetLastPInvokeError());

    /// <summary>finit_module(fd, "", 0): x86_64 313, aarch64 273 (asm-generic/unistd.h).</summary>
    public static SyscallResult FinitModule(int fd)
    {
        long nr = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 313,
            Architecture.Arm64 => 273,
            _ => -1,
        };
        if (nr < 0) return SyscallResult.Fail(38); // ENOSYS
        return syscall(nr, fd, "", 0) == 0 ? SyscallResult.Ok() : SyscallResult.Fail(Marshal.GetLastPInvokeError());
    }
}
