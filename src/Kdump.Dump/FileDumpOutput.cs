using Kdump.Formats.Diskdump;
using Kdump.Linux;
using Microsoft.Win32.SafeHandles;

namespace Kdump.Dump;

/// <summary>A regular dump file written with pwrite; unwritten ranges are holes that read as zeros.</summary>
public sealed class FileDumpOutput(SafeFileHandle handle, string name) : IDumpOutput, IDisposable
{
    public string Name { get; } = name;

    public bool IsSeekable => true;

    public void WriteAt(long offset, ReadOnlySpan<byte> data)
    {
        try
        {
            RandomAccess.Write(handle, data, offset);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw FileTooLarge(e);
        }
    }

    public void EnsureLength(long length)
    {
        if (RandomAccess.GetLength(handle) >= length) return;
        try
        {
            RandomAccess.SetLength(handle, length);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw FileTooLarge(e);
        }
        // ftruncate(2) gives EINVAL on what is not a regular file (/dev/null, a character device):
        // such an output has no length to set, and upstream never sets one.
        catch (IOException e) when ((e.HResult & 0xffff) == Errno.EINVAL)
        {
        }
    }

    /// <summary>
    /// The BCL reports EFBIG (a vfat target's 4 GiB, ulimit -f) as an argument error; it is a write
    /// error like ENOSPC, and the dump must end flagged incomplete, not with a trace.
    /// </summary>
    private static IOException FileTooLarge(ArgumentOutOfRangeException e) => new("File too large", e) { HResult = Errno.EFBIG };

    public void Flush()
    {
    }

    public void Dispose() => handle.Dispose();
}
