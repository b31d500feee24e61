namespace Kdump.Formats.Flattened;

/// <summary>
/// Writes a flattened stream (makedumpfile -F): the header block, one record per
/// <see cref="WriteRecord"/>, and the end marker on <see cref="Complete"/>. Works on pipes.
/// </summary>
public sealed class FlattenedWriter
{
    private readonly Stream _output;
    private bool _completed;

    public FlattenedWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Span<byte> block = stackalloc byte[FlattenedHeader.BlockSize];
        new FlattenedHeader(FlattenedHeader.TypeFlatHeader, FlattenedHeader.VersionFlatHeader).WriteCore(block);
        _output.Write(block);
    }

    /// <summary>Bytes destined for <paramref name="offset"/> of the real file. Empty data writes nothing (a 0-size record would end the stream).</summary>
    public void WriteRecord(long offset, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (data.IsEmpty) return;
        Span<byte> rh = stackalloc byte[FlattenedRecordHeader.FieldLocations.Length];
        new FlattenedRecordHeader(offset, data.Length).WriteCore(rh);
        _output.Write(rh);
        _output.Write(data);
    }

    public void Complete()
    {
        if (_completed) return;
        Span<byte> rh = stackalloc byte[FlattenedRecordHeader.FieldLocations.Length];
        FlattenedRecordHeader.End.WriteCore(rh);
        _output.Write(rh);
        _output.Flush();
        _completed = true;
    }
}
