using Microsoft.Win32.SafeHandles;

namespace Kdump.Primitives.IO;

/// <summary>A file read with pread(2); no buffering, no position.</summary>
public sealed class FileByteSource : IByteSource
{
    private readonly SafeFileHandle _handle;

    private FileByteSource(string name, SafeFileHandle handle, long length)
    {
        Name = name;
        _handle = handle;
        Length = length;
    }

    public string Name { get; }

    public long Length { get; }

    /// <summary>The open descriptor, for callers that also map the file (Kdump.Memory's mapped source).</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>Opens <paramref name="path"/> read-only. IO errors surface as the BCL's IOException family.</summary>
    public static FileByteSource Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.RandomAccess);
        try
        {
            return new FileByteSource(path, handle, RandomAccess.GetLength(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public int ReadAt(long offset, Span<byte> buffer)
    {
        if (offset >= Length) return 0;
        return RandomAccess.Read(_handle, buffer, offset);
    }

    public void Dispose() => _handle.Dispose();
}
