using Kdump.Formats.Diskdump;
using Kdump.Formats.Flattened;

namespace Kdump.Dump;

/// <summary>makedumpfile -F: every write becomes a flattened record on a stream (usually a pipe on stdout).</summary>
public sealed class FlattenedDumpOutput : IDumpOutput
{
    private readonly FlattenedWriter _writer;
    private readonly Stream _stream;

    public FlattenedDumpOutput(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _writer = new FlattenedWriter(stream);
        Name = name;
    }

    public string Name { get; }

    public bool IsSeekable => false;

    public void WriteAt(long offset, ReadOnlySpan<byte> data) => _writer.WriteRecord(offset, data);

    public void EnsureLength(long length)
    {
    }

    public void Flush() => _stream.Flush();

    /// <summary>The end marker (-1, -1): only for a dump that completed.</summary>
    public void Complete() => _writer.Complete();
}
