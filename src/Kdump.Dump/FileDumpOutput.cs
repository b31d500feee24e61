using Kdump.Formats.Diskdump;
using Microsoft.Win32.SafeHandles;

namespace Kdump.Dump;

/// <summary>A regular dump file written with pwrite; unwritten ranges are holes that read as zeros.</summary>
public sealed class FileDumpOutput(SafeFileHandle handle, string name) : IDumpOutput, IDisposable
{
    public string Name { get; } = name;

    public bool IsSeekable => true;

    public void WriteAt(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);

    public void EnsureLength(long length)
    {
        if (RandomAccess.GetLength(handle) >= length) return;
        try
        {
            RandomAccess.SetLength(handle, length);
        }
        // ftruncate(2) gives EINVAL on what is not a regular file (/dev/null, a character device):
        // such an output has no length to set, and upstream never sets one.
        catch (IOException e) when ((e.HResult & 0xffff) == EINVAL)
        {
        }
    }

    private const int EINVAL = 22;

    public void Flush()
    {
    }

    public void Dispose() => handle.Dispose();
}
