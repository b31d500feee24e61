namespace Kdump.Makedumpfile;

/// <summary>A read of -R's standard input failed (read_buf_from_stdin's "Can't read STDIN"), as opposed to a write of the dump file.</summary>
internal sealed class StdinReadException(Exception inner) : Exception(inner.Message, inner);

/// <summary>-R's standard input: its read errors become <see cref="StdinReadException"/>, so that they are not reported as the output's.</summary>
internal sealed class StdinStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StdinReadException(e);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
