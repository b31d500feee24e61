namespace Kdump.Primitives.IO;

/// <summary>Bytes in memory, for generated test dumps and small reassembled pieces.</summary>
public sealed class MemoryByteSource(ReadOnlyMemory<byte> data, string name = "<memory>") : IByteSource
{
    public string Name { get; } = name;

    public long Length => data.Length;

    public int ReadAt(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset >= data.Length) return 0;
        var n = (int)Math.Min(buffer.Length, data.Length - offset);
        data.Span.Slice((int)offset, n).CopyTo(buffer);
        return n;
    }

    public void Dispose()
    {
    }
}
