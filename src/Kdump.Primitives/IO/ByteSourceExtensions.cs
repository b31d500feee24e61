using Kdump.Primitives.Errors;

namespace Kdump.Primitives.IO;

public static class ByteSourceExtensions
{
    /// <summary>Fills <paramref name="buffer"/> or throws a truncation error naming <paramref name="field"/>.</summary>
    public static void ReadExactlyAt(this IByteSource source, long offset, Span<byte> buffer, string field)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (offset < 0 || offset > source.Length || buffer.Length > source.Length - offset)
            throw DumpErrors.Truncated(source.Name, field, offset, buffer.Length, source.Length);
        var done = 0;
        while (done < buffer.Length)
        {
            var n = source.ReadAt(offset + done, buffer[done..]);
            if (n <= 0)
                throw DumpErrors.Truncated(source.Name, field, offset, buffer.Length, offset + done);
            done += n;
        }
    }

    /// <summary>True when <c>[offset, offset+length)</c> lies inside the source.</summary>
    public static bool Contains(this IByteSource source, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(source);
        return offset >= 0 && length >= 0 && offset <= source.Length && length <= source.Length - offset;
    }
}
