using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Kdump.Memory;

/// <summary>
/// A whole file mapped read-only and lent as <see cref="ReadOnlyMemory{T}"/>: for inputs read by
/// random access across their length, such as a vmlinux's DWARF (hundreds of MiB, of which a
/// lookup touches a little). Pages come from the page cache, so the process's own memory stays
/// small. Files of 2 GiB or more are refused (a Memory is int-indexed).
/// </summary>
public sealed unsafe partial class MappedFileMemory : MemoryManager<byte>
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;
    private readonly int _length;

    private MappedFileMemory(MemoryMappedFile? map, MemoryMappedViewAccessor? view, int length)
    {
        _map = map;
        _view = view;
        _length = length;
        if (view is null) return;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p + view.PointerOffset;
    }

    /// <summary>Maps <paramref name="path"/>; IO errors surface as the BCL's IOException family.</summary>
    public static MappedFileMemory Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length >= int.MaxValue) throw new IOException($"{path}: {stream.Length} bytes: files of 2 GiB or more are not read here");
        if (stream.Length == 0) return new MappedFileMemory(null, null, 0);
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        try
        {
            return new MappedFileMemory(map, map.CreateViewAccessor(0, stream.Length, MemoryMappedFileAccess.Read), (int)stream.Length);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer is null && _length > 0, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <summary>
    /// Done with <c>[offset, offset + length)</c> for now: its whole pages leave this process's
    /// resident set (madvise MADV_DONTNEED; they stay in the page cache and come back on the next
    /// touch). A read-only shared mapping loses nothing. Advice only: failures are ignored.
    /// </summary>
    public void Forget(long offset, long length)
    {
        if (_pointer is null || offset < 0 || length <= 0 || offset > _length - length) return;
        var page = Environment.SystemPageSize;
        var start = (offset + page - 1) / page * page;
        var end = (offset + length) / page * page;
        // The view starts at a page boundary of the file (offset 0), so file pages are mapping pages.
        if (end > start) _ = madvise(_pointer + start, (nuint)(end - start), MADV_DONTNEED);
    }

    private const int MADV_DONTNEED = 4;

    [LibraryImport("libc")]
    private static partial int madvise(byte* addr, nuint length, int advice);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is null) return;
        _pointer = null;
        _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map!.Dispose();
    }
}
