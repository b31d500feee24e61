using System.IO.MemoryMappedFiles;

namespace Kdump.Memory;

/// <summary>
/// Bytes of a dump lent in place (an mmap'd range): valid until disposed, so a caller holds the view
/// for as long as it uses <see cref="Span"/> and disposes it exactly once, from any thread.
/// </summary>
public sealed unsafe class MappedView : IDisposable
{
    private readonly MemoryMappedViewAccessor _accessor;
    private byte* _pointer;

    internal MappedView(MemoryMappedViewAccessor accessor, int length)
    {
        _accessor = accessor;
        Length = length;
        byte* p = null;
        accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p + accessor.PointerOffset;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer is null, this);
            return new ReadOnlySpan<byte>(_pointer, Length);
        }
    }

    public void Dispose()
    {
        if (_pointer is null) return;
        _pointer = null;
        _accessor.SafeMemoryMappedViewHandle.ReleasePointer();
        _accessor.Dispose();
    }
}
