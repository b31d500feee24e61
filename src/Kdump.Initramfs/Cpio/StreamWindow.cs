using Kdump.Primitives.Errors;

namespace Kdump.Initramfs.Cpio;

/// <summary>
/// Forward-only reader over a stream with a look-ahead window and an offset count, for the
/// segments of an initramfs: the raw file, or a decompressor's output.
/// </summary>
internal sealed class StreamWindow
{
    private const int WindowBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _window = new byte[WindowBytes];
    private int _start;
    private int _end;
    private bool _eof;

    public StreamWindow(Stream stream, string file, string where)
    {
        _stream = stream;
        File = file;
        Where = where;
    }

    /// <summary>The image file, for messages.</summary>
    public string File { get; }

    /// <summary>Which segment this is, for messages ("" for the raw file).</summary>
    public string Where { get; }

    /// <summary>Offset of the next unread byte in this source.</summary>
    public long Offset { get; private set; }

    /// <summary>Up to <paramref name="count"/> (≤ 64 KiB) next bytes without consuming them; fewer only at the end.</summary>
    public ReadOnlySpan<byte> Peek(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, WindowBytes);
        if (_end - _start < count && !_eof)
        {
            Buffer.BlockCopy(_window, _start, _window, 0, _end - _start);
            _end -= _start;
            _start = 0;
            while (_end < count)
            {
                var n = _stream.Read(_window, _end, WindowBytes - _end);
                if (n == 0) { _eof = true; break; }
                _end += n;
            }
        }
        return _window.AsSpan(_start, Math.Min(count, _end - _start));
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _end - _start);
        _start += count;
        Offset = checked(Offset + count);
    }

    /// <summary>Fills <paramref name="destination"/> or throws a truncation error naming <paramref name="field"/>.</summary>
    public void ReadExactly(Span<byte> destination, string field)
    {
        var at = Offset;
        var done = 0;
        while (done < destination.Length)
        {
            var chunk = Peek(Math.Min(destination.Length - done, WindowBytes));
            if (chunk.Length == 0) throw Truncated(field, at, destination.Length);
            chunk.CopyTo(destination[done..]);
            done += chunk.Length;
            Advance(chunk.Length);
        }
    }

    /// <summary>Consumes <paramref name="count"/> bytes or throws a truncation error naming <paramref name="field"/>.</summary>
    public void Skip(long count, string field)
    {
        var at = Offset;
        var left = count;
        while (left > 0)
        {
            var chunk = Peek((int)Math.Min(left, WindowBytes));
            if (chunk.Length == 0) throw Truncated(field, at, count);
            Advance(chunk.Length);
            left -= chunk.Length;
        }
    }

    /// <summary>The bytes not yet consumed followed by the rest of the stream (for a decompressor).</summary>
    public Stream Remainder() => new RemainderStream(this);

    public UnexpectedEndOfDumpException Truncated(string field, long at, long wanted) =>
        new(DumpErrors.Describe(File, Where + field, "", at,
            $"needs {wanted} bytes but the {(Where.Length == 0 ? "file" : "data")} ends at 0x{Offset:x} (truncated?)"))
        { FilePath = File, Offset = at };

    public DumpCorruptException Corrupt(string field, string value, long at, string reason) =>
        DumpErrors.Corrupt(File, Where + field, value, at, reason);

    private sealed class RemainderStream(StreamWindow source) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty) return 0;
            var chunk = source.Peek(Math.Min(buffer.Length, WindowBytes));
            chunk.CopyTo(buffer);
            source.Advance(chunk.Length);
            return chunk.Length;
        }
    }
}
