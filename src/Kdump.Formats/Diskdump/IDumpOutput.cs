namespace Kdump.Formats.Diskdump;

/// <summary>
/// Where a dump writer puts bytes: a regular file written at offsets, or a flattened stream that
/// records each write with its offset (makedumpfile -F). Writes may come in any offset order;
/// a later write of the same range wins.
/// </summary>
public interface IDumpOutput
{
    /// <summary>The name for messages (a path, or "standard output").</summary>
    string Name { get; }

    /// <summary>True when bytes never written read back as zeros (a seekable file); false for a stream.</summary>
    bool IsSeekable { get; }

    void WriteAt(long offset, ReadOnlySpan<byte> data);

    /// <summary>Makes the file at least <paramref name="length"/> bytes (a sparse hole); streams ignore it.</summary>
    void EnsureLength(long length);

    void Flush();
}
