using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary>
/// Descriptors 0–2 that the caller left closed (<c>2&gt;&amp;-</c>). The next file the program
/// opens would take the lowest one, and what it writes as messages would go into that file: with
/// stdout and stderr closed, makedumpfile's progress lines would land in the dump. Each closed one
/// is taken by /dev/null opened the wrong way round (stdin for writing, stdout and stderr for
/// reading), so it still fails as a closed one does (EBADF: the message writers drop the text, a
/// dump to stdout reports it) but no later file can have its number.
/// </summary>
public static class StandardDescriptors
{
    private const int F_GETFD = 1;
    private const int O_WRONLY = 1;

    public static void HoldClosedOnes()
    {
        if (!OperatingSystem.IsLinux()) return;
        // fcntl's number (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h).
        long sysFcntl = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 72,
            Architecture.Arm64 => 25,
            _ => -1,
        };
        if (sysFcntl < 0) return;
        for (var fd = 0; fd <= 2; fd++)
        {
            if (LibC.syscall(sysFcntl, fd, F_GETFD, 0, 0, 0, 0) >= 0 || Marshal.GetLastPInvokeError() != Errno.EBADF) continue;
            // Not O_CLOEXEC: a child the tool starts inherits the same closed-looking descriptor.
            var got = LibC.open("/dev/null", fd == 0 ? O_WRONLY : LibC.O_RDONLY);
            // The lowest free number is this one; anything else means it was not ours to take.
            if (got >= 0 && got != fd) LibC.close(got);
        }
    }
}
