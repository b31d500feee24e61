using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Formats.Flattened;

/// <summary>
/// The reassembled file of a flattened stream, read in place: records are indexed once, and a
/// byte belongs to the last record that wrote it (what sequential replay by makedumpfile -R gives).
/// Bytes no record wrote read as zeros, like the holes of the file -R would create.
/// </summary>
public sealed class FlattenedByteSource : IByteSource
{
    private readonly IByteSource _inner;
    private readonly RangeMap<int> _map;
    private readonly long[] _sourceOffsets;
    private readonly long[] _targetOffsets;

    private FlattenedByteSource(IByteSource inner, RangeMap<int> map, long[] sourceOffsets, long[] targetOffsets, long length)
    {
        _inner = inner;
        _map = map;
        _sourceOffsets = sourceOffsets;
        _targetOffsets = targetOffsets;
        Length = length;
    }

    public string Name => _inner.Name;

    public long Length { get; }

    public int RecordCount => _sourceOffsets.Length;

    /// <summary>Indexes <paramref name="inner"/>; takes ownership of it (disposed with the view).</summary>
    public static FlattenedByteSource Open(IByteSource inner, ParseLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        limits ??= ParseLimits.Default;
        var file = inner.Name;
        Span<byte> head = stackalloc byte[FlattenedHeader.FieldLocations.Size];
        inner.ReadExactlyAt(0, head, "flattened header");
        if (!FlattenedHeader.TryReadCore(head, out var header))
            throw new DumpFormatMismatchException(DumpErrors.Describe(file, "flattened signature", "", 0, "not a flattened-format dump")) { FilePath = file, Offset = 0 };
        if (header.Type != FlattenedHeader.TypeFlatHeader)
            DumpErrors.ThrowCorrupt(file, "flattened header type", header.Type.ToString(), FlattenedHeader.FieldLocations.Type, "must be 1 (TYPE_FLAT_HEADER)");

        // Each record costs 32 bytes of index; bound the count before it grows.
        var maxRecords = limits.MaxInMemoryTableBytes / 32;
        var ranges = new List<(ulong, ulong, long, int)>();
        var sources = new List<long>();
        var targets = new List<long>();
        long length = 0;
        long pos = FlattenedHeader.BlockSize;
        Span<byte> rh = stackalloc byte[FlattenedRecordHeader.FieldLocations.Length];
        while (true)
        {
            if (!inner.Contains(pos, rh.Length))
                throw new UnexpectedEndOfDumpException(DumpErrors.Describe(file, "flattened record header", "", pos,
                    $"the stream ends at 0x{inner.Length:x} without the end marker (truncated?)"))
                { FilePath = file, Offset = pos };
            inner.ReadExactlyAt(pos, rh, "flattened record header");
            var rec = FlattenedRecordHeader.ReadCore(rh);
            if (rec.IsEnd) break;
            if (rec.Offset < 0)
                DumpErrors.ThrowCorrupt(file, "flattened record offset", rec.Offset.ToString(), pos, "is negative and the header is not the end marker (-1, -1)");
            if (rec.Size <= 0)
                DumpErrors.ThrowCorrupt(file, "flattened record buf_size", rec.Size.ToString(), pos, "must be positive, or the header must be the end marker (-1, -1)");
            var dataAt = pos + rh.Length;
            if (!inner.Contains(dataAt, rec.Size))
                throw new UnexpectedEndOfDumpException(DumpErrors.Describe(file, "flattened record buf_size", rec.Size.ToString(), pos,
                    $"its data runs past the end of the stream at 0x{inner.Length:x} (truncated?)"))
                { FilePath = file, Offset = pos };
            if (rec.Offset > long.MaxValue - rec.Size)
                DumpErrors.ThrowCorrupt(file, "flattened record offset", rec.Offset.ToString(), pos, $"plus buf_size {rec.Size} overflows");
            if (sources.Count >= maxRecords)
                throw DumpErrors.OverLimit(file, "flattened record count", (ulong)sources.Count + 1, (ulong)maxRecords, pos);
            ranges.Add(((ulong)rec.Offset, (ulong)rec.Size, sources.Count, sources.Count));
            sources.Add(dataAt);
            targets.Add(rec.Offset);
            length = Math.Max(length, rec.Offset + rec.Size);
            pos = dataAt + rec.Size; // rec.Size > 0: every record moves forward
        }
        return new FlattenedByteSource(inner, new RangeMap<int>(ranges), [.. sources], [.. targets], length);
    }

    public int ReadAt(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset >= Length) return 0;
        var total = (int)Math.Min(buffer.Length, Length - offset);
        var done = 0;
        while (done < total)
        {
            var at = (ulong)(offset + done);
            int n;
            if (_map.TryFind(at, out var record, out _, out var pieceEnd))
            {
                n = (int)Math.Min((ulong)(total - done), pieceEnd - at);
                var src = _sourceOffsets[record] + ((long)at - _targetOffsets[record]);
                _inner.ReadExactlyAt(src, buffer.Slice(done, n), "flattened record data");
            }
            else
            {
                var holeEnd = _map.TryFindNextStart(at, out var next) ? next : (ulong)Length;
                n = (int)Math.Min((ulong)(total - done), holeEnd - at);
                buffer.Slice(done, n).Clear();
            }
            done += n;
        }
        return done;
    }

    public void Dispose() => _inner.Dispose();
}
