using System.Runtime.InteropServices;
using Kdump.Primitives.Errors;

namespace Kdump.Compression;

/// <summary>
/// A read-only stream of the decoded bytes of one or more concatenated .xz streams read from
/// <c>source</c>, through liblzma. As the BCL's decoders do, damaged data throws
/// <see cref="InvalidDataException"/> and a source that ends inside a stream
/// <see cref="EndOfStreamException"/> ("LZMA_BUF_ERROR"); a missing liblzma throws
/// <see cref="DumpFeatureNotSupportedException"/> from the constructor.
/// </summary>
public sealed unsafe class XzDecoderStream : Stream
{
    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly byte[] _input = new byte[64 << 10];
    private int _inputStart;
    private int _inputEnd;
    private bool _sourceDone;
    private bool _finished;
    // In native memory: its address stays the same from call to call without pinning.
    private NativeXz.LzmaStream* _stream;

    public XzDecoderStream(Stream source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _leaveOpen = leaveOpen;
        var stream = (NativeXz.LzmaStream*)NativeMemory.AllocZeroed((nuint)sizeof(NativeXz.LzmaStream));
        int ret;
        try
        {
            ret = NativeXz.StreamDecoder(stream, NativeXz.MemoryLimit, NativeXz.LzmaConcatenated);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            NativeMemory.Free(stream);
            throw new DumpFeatureNotSupportedException($"xz data needs {NativeXz.Library}, which cannot be loaded ({e.Message})", e);
        }
        // A failed init frees what it allocated (lzma_next_strm_init): only the struct is ours.
        if (ret != NativeXz.LzmaOk)
        {
            NativeMemory.Free(stream);
            throw Error(ret);
        }
        _stream = stream;
    }

    ~XzDecoderStream() => Dispose(false);

    public override bool CanRead => _stream is not null;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_stream is null, this);
        if (_finished || buffer.IsEmpty) return 0;
        while (true)
        {
            if (_inputStart == _inputEnd && !_sourceDone)
            {
                // Only after the read returns: a caller that retries after the source threw must not
                // be handed the consumed chunk again.
                var n = _source.Read(_input);
                _inputStart = 0;
                _inputEnd = n;
                _sourceDone = n == 0;
            }
            int ret;
            int produced;
            fixed (byte* input = _input)
            fixed (byte* output = buffer)
            {
                _stream->NextIn = input + _inputStart;
                _stream->AvailIn = (nuint)(_inputEnd - _inputStart);
                _stream->NextOut = output;
                _stream->AvailOut = (nuint)buffer.Length;
                // LZMA_FINISH once the source is done: a stream cut there gives LZMA_BUF_ERROR
                // instead of waiting for input. What a full output buffer leaves unconsumed stays
                // in _input for the next call.
                ret = NativeXz.Code(_stream, _sourceDone ? NativeXz.LzmaFinish : NativeXz.LzmaRun);
                _inputStart = _inputEnd - (int)_stream->AvailIn;
                produced = buffer.Length - (int)_stream->AvailOut;
                _stream->NextIn = null;
                _stream->NextOut = null;
            }
            if (ret == NativeXz.LzmaStreamEnd) _finished = true;
            else if (ret != NativeXz.LzmaOk) throw Error(ret);
            if (produced > 0 || _finished) return produced;
        }
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_stream is not null)
        {
            NativeXz.End(_stream);
            NativeMemory.Free(_stream);
            _stream = null;
        }
        if (disposing && !_leaveOpen) _source.Dispose();
        base.Dispose(disposing);
    }

    private static Exception Error(int ret) => ret switch
    {
        NativeXz.LzmaBufError => new EndOfStreamException("LZMA_BUF_ERROR"),
        // Not the data's fault: out of memory, or a call of ours liblzma rejects.
        NativeXz.LzmaMemError => new InsufficientMemoryException("liblzma could not allocate memory (LZMA_MEM_ERROR)"),
        NativeXz.LzmaProgError => new InvalidOperationException("liblzma rejected a call (LZMA_PROG_ERROR)"),
        NativeXz.LzmaMemlimitError => new InvalidDataException($"needs more than {NativeXz.MemoryLimit >> 20} MiB of decoder memory (LZMA_MEMLIMIT_ERROR)"),
        NativeXz.LzmaFormatError => new InvalidDataException("not in the .xz format (LZMA_FORMAT_ERROR)"),
        NativeXz.LzmaOptionsError => new InvalidDataException("uses options liblzma does not support (LZMA_OPTIONS_ERROR)"),
        NativeXz.LzmaDataError => new InvalidDataException("compressed data is corrupt (LZMA_DATA_ERROR)"),
        _ => new InvalidDataException($"liblzma returned {ret}"),
    };
}
