using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary><c>&lt;errno.h&gt;</c> values the kexec, mount and module paths branch on or name (identical on x86_64 and aarch64).</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENOEXEC = 8;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ENOSYS = 38;
    public const int ENOPKG = 65;
    public const int EBADMSG = 74;
    public const int ELIBBAD = 80;
    public const int EMSGSIZE = 90;
    public const int EPROTONOSUPPORT = 93;
    public const int ENOTSUP = 95; // == EOPNOTSUPP on Linux
    public const int EDQUOT = 122;
    public const int ENOKEY = 126;
    public const int EKEYREJECTED = 129;

    private static readonly (int Value, string Name)[] s_names =
    [
        (EPERM, "EPERM"), (ENOENT, "ENOENT"), (EINTR, "EINTR"), (EIO, "EIO"), (ENOEXEC, "ENOEXEC"),
        (EBADF, "EBADF"), (EAGAIN, "EAGAIN"), (ENOMEM, "ENOMEM"), (EACCES, "EACCES"), (EBUSY, "EBUSY"),
        (EEXIST, "EEXIST"), (ENODEV, "ENODEV"),
        (EISDIR, "EISDIR"), (EINVAL, "EINVAL"), (EFBIG, "EFBIG"), (ENOSPC, "ENOSPC"), (EROFS, "EROFS"), (ENOSYS, "ENOSYS"), (ENOPKG, "ENOPKG"), (EBADMSG, "EBADMSG"),
        (ELIBBAD, "ELIBBAD"), (EMSGSIZE, "EMSGSIZE"), (EPROTONOSUPPORT, "EPROTONOSUPPORT"), (EDQUOT, "EDQUOT"),
        (ENOTSUP, "ENOTSUP"), (ENOKEY, "ENOKEY"),
        (EKEYREJECTED, "EKEYREJECTED"),
    ];

    /// <summary>The C name of <paramref name="errno"/>, or its number.</summary>
    public static string Name(int errno)
    {
        foreach (var (value, name) in s_names)
        {
            if (value == errno) return name;
        }
        return errno.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>strerror(3): glibc's text for <paramref name="errno"/>, as upstream prints it.</summary>
    public static string strerror(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
