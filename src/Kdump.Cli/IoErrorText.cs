using Kdump.Linux;

namespace Kdump.Cli;

/// <summary>
/// strerror(3) wording for the BCL's I/O exceptions, so tool messages read like upstream's. The
/// texts are glibc's, written out so that they do not depend on the libc a static build links.
/// </summary>
public static class IoErrorText
{
    public static string StrError(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        // The BCL reports EBADF from a write to a closed descriptor (`>&-`) as access denied, with the truth inside.
        UnauthorizedAccessException { InnerException: IOException inner } when (inner.HResult & 0xffff) == Errno.EBADF => "Bad file descriptor",
        UnauthorizedAccessException => "Permission denied",
        PathTooLongException => "File name too long",
        IOException io => (io.HResult & 0xffff) switch
        {
            Errno.EIO => "Input/output error",
            Errno.EEXIST => "File exists",
            Errno.EISDIR => "Is a directory",
            Errno.EFBIG => "File too large",
            Errno.ENOSPC => "No space left on device",
            Errno.EROFS => "Read-only file system",
            Errno.EDQUOT => "Disk quota exceeded",
            _ => io.Message,
        },
        _ => exception.Message,
    };

    /// <summary>
    /// True when the BCL refused to open <paramref name="path"/> because it is a directory: it says
    /// access denied, where the C tools' open(2) succeeds and read(2) fails with EISDIR.
    /// </summary>
    public static bool IsDirectoryRefusal(Exception exception, string path) =>
        exception is UnauthorizedAccessException && Directory.Exists(path);
}
