using System.IO.MemoryMappedFiles;
using Kdump.Primitives.IO;

namespace Kdump.Memory;

/// <summary>
/// A dump file read with pread(2), which can also lend ranges of itself in place through mmap(2)
/// (/proc/vmcore supports it, as regular files do): the dump engine then compresses pages straight
/// from the page cache or old memory instead of copying them into buffers first.
/// </summary>
internal sealed class MappedFileSource : IByteSource
{
    private readonly FileByteSource _file;
    private readonly Lock _mapLock = new();
    private MemoryMappedFile? _map;
    private bool _mapFailed;

    private MappedFileSource(FileByteSource file) => _file = file;

    public string Name => _file.Name;

    public long Length => _file.Length;

    /// <summary>Opens <paramref name="path"/> read-only. IO errors surface as the BCL's IOException family.</summary>
    public static MappedFileSource Open(string path) => new(FileByteSource.Open(path));

    public int ReadAt(long offset, Span<byte> buffer) => _file.ReadAt(offset, buffer);

    /// <summary>
    /// A read-only mapping of <c>[offset, offset + length)</c>, or null when the file cannot be mapped
    /// (a pipe, a file system without mmap); callers then read with <see cref="ReadAt"/>.
    /// </summary>
    public MappedView? TryMap(long offset, int length)
    {
        if (offset < 0 || length <= 0 || offset > Length - length) return null;
        var map = Map();
        if (map is null) return null;
        try
        {
            return new MappedView(map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read), length);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private MemoryMappedFile? Map()
    {
        lock (_mapLock)
        {
            if (_map is not null || _mapFailed) return _map;
            try
            {
                _map = MemoryMappedFile.CreateFromFile(_file.Handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
            {
                _mapFailed = true;
            }
            return _map;
        }
    }

    public void Dispose()
    {
        _map?.Dispose();
        _file.Dispose();
    }
}
