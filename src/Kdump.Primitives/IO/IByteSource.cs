namespace Kdump.Primitives.IO;

/// <summary>
/// Positional reads from a dump (a file, a reassembled flattened stream, or bytes made by a
/// test). Formats read through this and never through a Stream position.
/// </summary>
public interface IByteSource : IDisposable
{
    /// <summary>Name used in messages (usually the path given by the user).</summary>
    string Name { get; }

    /// <summary>Length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns fewer only at the end.</summary>
    int ReadAt(long offset, Span<byte> buffer);
}
