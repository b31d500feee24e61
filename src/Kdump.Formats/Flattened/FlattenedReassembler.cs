using Kdump.Primitives.Errors;

namespace Kdump.Formats.Flattened;

/// <summary>
/// makedumpfile -R: replays a flattened stream into a regular file, record by record, so later
/// records overwrite earlier bytes. The input is read forward only, so it may be a pipe.
/// </summary>
public static class FlattenedReassembler
{
    /// <summary>makedumpfile copies record data in pieces of this size.</summary>
    private const int CopyChunkBytes = 64 * 1024;

    /// <summary>Replays <paramref name="input"/> into <paramref name="output"/>, which must seek (a file, or <see cref="Stream.Null"/> for a dry run).</summary>
    public static void Reassemble(Stream input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanSeek) throw new ArgumentException("the output must be seekable", nameof(output));
        var file = input is FileStream fs ? fs.Name : "<stdin>";
        var head = new byte[FlattenedHeader.BlockSize];
        long pos = 0;
        ReadExactly(input, head, file, "flattened header", ref pos);
        if (!FlattenedHeader.TryReadCore(head, out var header))
            throw new DumpFormatMismatchException(DumpErrors.Describe(file, "flattened signature", "", 0,
                $"not a flattened-format dump: it is {FormatProbe.Describe(FormatProbe.Detect(head))}"))
            { FilePath = file, Offset = 0, DetectedFormat = FormatProbe.ShortName(FormatProbe.Detect(head)) };
        if (header.Type != FlattenedHeader.TypeFlatHeader)
            DumpErrors.ThrowCorrupt(file, "flattened header type", header.Type.ToString(), FlattenedHeader.FieldLocations.Type, "must be 1 (TYPE_FLAT_HEADER)");

        var rh = new byte[FlattenedRecordHeader.FieldLocations.Length];
        var buffer = new byte[CopyChunkBytes];
        while (true)
        {
            var at = pos;
            ReadExactly(input, rh, file, "flattened record header", ref pos);
            var rec = FlattenedRecordHeader.ReadCore(rh);
            if (rec.IsTerminator)
            {
                if (!rec.IsEnd)
                    DumpErrors.ThrowCorrupt(file, "flattened end marker", $"(offset {rec.Offset}, buf_size {rec.Size})", at,
                        "is not (-1, -1): can't get valid end header of flattened format");
                break;
            }
            if (rec.Offset > long.MaxValue - rec.Size)
                DumpErrors.ThrowCorrupt(file, "flattened record offset", rec.Offset.ToString(), at, $"plus buf_size {rec.Size} overflows");
            output.Seek(rec.Offset, SeekOrigin.Begin);
            var left = rec.Size;
            while (left > 0)
            {
                var n = (int)Math.Min(left, buffer.Length);
                ReadExactly(input, buffer.AsSpan(0, n), file, "flattened record data", ref pos);
                output.Write(buffer, 0, n);
                left -= n;
            }
        }
        output.Flush();
    }

    private static void ReadExactly(Stream input, Span<byte> buffer, string file, string field, ref long pos)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = input.Read(buffer[done..]);
            if (n <= 0)
                throw new UnexpectedEndOfDumpException(DumpErrors.Describe(file, field, "", pos + done,
                    $"needs {buffer.Length} bytes but the stream ends (truncated, or no end marker)"))
                { FilePath = file, Offset = pos };
            done += n;
        }
        pos += done;
    }
}
