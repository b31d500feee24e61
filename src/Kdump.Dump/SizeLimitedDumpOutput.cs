using Kdump.Formats.Diskdump;

namespace Kdump.Dump;

/// <summary>A write reached makedumpfile -L's size limit: the bytes below it were written.</summary>
public sealed class SizeLimitReachedException(string output, long limit)
    : IOException($"{output}: the size limit ({limit} bytes, -L) is reached")
{
    public string Output { get; } = output;

    public long Limit { get; } = limit;
}

/// <summary>
/// makedumpfile -L SIZE (write_and_check_space): a write that would end past <c>limit</c> writes
/// what fits below it and fails, so the dump stops as on a full disk (flagged incomplete, its
/// header rewritten in place); the file never grows past the limit.
/// </summary>
public sealed class SizeLimitedDumpOutput(IDumpOutput inner, long limit) : IDumpOutput
{
    public string Name => inner.Name;

    public bool IsSeekable => inner.IsSeekable;

    public long Limit { get; } = limit;

    public void WriteAt(long offset, ReadOnlySpan<byte> data)
    {
        if (offset <= Limit - data.Length)
        {
            inner.WriteAt(offset, data);
            return;
        }
        if (offset < Limit) inner.WriteAt(offset, data[..(int)(Limit - offset)]);
        throw new SizeLimitReachedException(Name, Limit);
    }

    public void EnsureLength(long length) => inner.EnsureLength(Math.Min(length, Limit));

    public void Flush() => inner.Flush();
}

/// <summary>-L for a stream (-F on stdout): the flattened bytes count, cut at the limit as upstream does.</summary>
public sealed class SizeLimitedStream(Stream inner, string name, long limit) : Stream
{
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var room = limit - _written;
        if (buffer.Length <= room)
        {
            inner.Write(buffer);
            _written += buffer.Length;
            return;
        }
        if (room > 0) inner.Write(buffer[..(int)room]);
        _written = limit;
        throw new SizeLimitReachedException(name, limit);
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// -L for a file written at offsets (-R's reassembly): a write that would end past the limit
/// writes what fits below it and fails; the file never grows past the limit.
/// </summary>
public sealed class SizeLimitedSeekableStream(Stream inner, string name, long limit) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var room = limit - inner.Position;
        if (buffer.Length <= room)
        {
            inner.Write(buffer);
            return;
        }
        if (room > 0) inner.Write(buffer[..(int)room]);
        throw new SizeLimitReachedException(name, limit);
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => inner.SetLength(Math.Min(value, limit));
}
