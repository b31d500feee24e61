namespace Kdump.Cli;

/// <summary>strerror(3) wording for the BCL's I/O exceptions, so tool messages read like upstream's.</summary>
public static class IoErrorText
{
    public static string StrError(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        PathTooLongException => "File name too long",
        IOException io when (io.HResult & 0xffff) == 17 => "File exists",            // EEXIST
        IOException io when (io.HResult & 0xffff) == 21 => "Is a directory",         // EISDIR
        IOException io when (io.HResult & 0xffff) == 27 => "File too large",         // EFBIG
        IOException io when (io.HResult & 0xffff) == 28 => "No space left on device", // ENOSPC
        _ => exception.Message,
    };

    /// <summary>
    /// True when the BCL refused to open <paramref name="path"/> because it is a directory: it says
    /// access denied, where the C tools' open(2) succeeds and read(2) fails with EISDIR.
    /// </summary>
    public static bool IsDirectoryRefusal(Exception exception, string path) =>
        exception is UnauthorizedAccessException && Directory.Exists(path);
}
