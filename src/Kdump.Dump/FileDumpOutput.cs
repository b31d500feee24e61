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
        if (RandomAccess.GetLength(handle) < length) RandomAccess.SetLength(handle, length);
    }

    public void Flush()
    {
    }

    public void Dispose() => handle.Dispose();
}
