using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary>
/// Raw glibc entry points, C-named. Only <see cref="LinuxSystemCalls"/> calls them (and
/// <see cref="BrokenPipe"/>, which changes nothing outside the process); everything else goes
/// through <see cref="ISystemCalls"/> so that tests can record instead of acting.
/// errno comes from <see cref="Marshal.GetLastPInvokeError"/> right after the call.
/// </summary>
internal static partial class LibC
{
    private const string Lib = "libc";

    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000; // same on x86_64 and aarch64

    public const int SIGPIPE = 13;
    public const nint SIG_DFL = 0;

    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_DGRAM = 2;

    // long syscall(long number, ...): the variadic arguments are passed as six register-sized
    // integers, which is ABI-compatible on x86_64 and aarch64 Linux.
    [LibraryImport(Lib, SetLastError = true)]
    public static partial long syscall(long number, nint a1, nint a2, nint a3, nint a4, nint a5, nint a6);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string pathname, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int access(string pathname, int mode);

    [LibraryImport(Lib)]
    public static partial void sync();

    /// <summary>signal(2); returns the previous handler (SIG_ERR is -1).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint signal(int signum, nint handler);

    /// <summary>glibc's reboot(3): adds LINUX_REBOOT_MAGIC1/2 and calls reboot(2).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int reboot(int howto);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    // int ioctl(int fd, unsigned long request, ...): one pointer argument.
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, [In, Out] byte[] argp);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int execv(nint path, nint[] argv);
}
