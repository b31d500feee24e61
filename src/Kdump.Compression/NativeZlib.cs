using System.Buffers;
using System.Runtime.InteropServices;

namespace Kdump.Compression;

/// <summary>
/// Classic zlib (Debian's libz.so.1, which makedumpfile links) with one deflate stream per thread,
/// reset between pages as makedumpfile does (commit aa5ee50): level 1 gives makedumpfile's exact
/// bytes and its ratio, which the BCL's zlib-ng at level 1 does not (about 5 % larger on real
/// vmcores). Used when libz.so.1 loads; <see cref="ZlibPageCodec"/> falls back to the BCL otherwise.
/// </summary>
internal static unsafe partial class NativeZlib
{
    private const string Library = "libz.so.1";
    internal const int ZNoFlush = 0;        // Z_NO_FLUSH
    internal const int ZFinish = 4;         // Z_FINISH
    internal const int ZOk = 0;             // Z_OK
    internal const int ZStreamEnd = 1;      // Z_STREAM_END
    internal const int ZBufError = -5;      // Z_BUF_ERROR
    private const int GzipWindowBits = 16 + 15; // a gzip wrapper, 32 KiB window
    private const int ZBestSpeed = 1;      // Z_BEST_SPEED, makedumpfile's level

    [ThreadStatic]
    private static ZStream* t_stream;

    private static readonly Lazy<bool> s_available = new(Probe);

    public static bool IsAvailable => s_available.Value;

    /// <summary>z_stream on LP64 (zlib.h), 112 bytes. zlib keeps a pointer to it: the per-thread deflate stream lives in native memory, the inflate stream of one call on the stack.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ZStream
    {
        public byte* NextIn;        // next_in
        public uint AvailIn;        // avail_in
        public nuint TotalIn;       // total_in
        public byte* NextOut;       // next_out
        public uint AvailOut;       // avail_out
        public nuint TotalOut;      // total_out
        public nint Msg;            // msg
        public nint State;          // state
        public nint ZAlloc;         // zalloc
        public nint ZFree;          // zfree
        public nint Opaque;         // opaque
        public int DataType;        // data_type
        public nuint Adler;         // adler
        public nuint Reserved;      // reserved
    }

    [LibraryImport(Library, EntryPoint = "deflateInit_")]
    private static partial int DeflateInit(ZStream* stream, int level, byte* version, int streamSize);

    [LibraryImport(Library, EntryPoint = "deflate")]
    private static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "deflateReset")]
    private static partial int DeflateReset(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "inflateInit2_")]
    private static partial int InflateInit2(ZStream* stream, int windowBits, byte* version, int streamSize);

    [LibraryImport(Library, EntryPoint = "inflate")]
    private static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "inflateReset")]
    private static partial int InflateReset(ZStream* stream);

    [LibraryImport(Library, EntryPoint = "inflateEnd")]
    private static partial int InflateEnd(ZStream* stream);

    /// <summary>zlib checks only the major version character of the caller's ZLIB_VERSION.</summary>
    private static ReadOnlySpan<byte> Version => "1.2.13\0"u8;

    private static bool Probe()
    {
        try
        {
            return Stream() is not null;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static ZStream* Stream()
    {
        if (t_stream is not null) return t_stream;
        var s = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        fixed (byte* v = Version)
        {
            if (DeflateInit(s, ZBestSpeed, v, sizeof(ZStream)) != 0)
            {
                NativeMemory.Free(s);
                return null;
            }
        }
        t_stream = s;
        return s;
    }

    public static OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        var s = Stream();
        if (s is null) return OperationStatus.InvalidData;
        int rc;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            s->NextIn = src;
            s->AvailIn = (uint)source.Length;
            s->NextOut = dst;
            s->AvailOut = (uint)destination.Length;
            rc = Deflate(s, ZFinish);
            written = (int)((nuint)destination.Length - s->AvailOut);
            // A stream that cannot be reset is dropped; the next page initialises a new one.
            if (DeflateReset(s) != 0) t_stream = null;
            s->NextIn = null;
            s->NextOut = null;
        }
        if (rc == ZStreamEnd) return OperationStatus.Done;
        written = 0;
        return OperationStatus.DestinationTooSmall;
    }

    /// <summary>
    /// The decoded bytes of a gzip file, member after member as gzip reads it. Unlike the BCL's
    /// GZipStream, which ends quietly where a cut file ends, a member without its end is an error.
    /// </summary>
    public static byte[] GunzipFile(ReadOnlySpan<byte> input, string file, long limit)
    {
        var stream = default(ZStream);
        int rc;
        try
        {
            fixed (byte* v = Version)
                rc = InflateInit2(&stream, GzipWindowBits, v, sizeof(ZStream));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new Primitives.Errors.DumpFeatureNotSupportedException(
                Primitives.Errors.DumpErrors.Describe(file, "gzip stream", "", null, $"needs {Library}, which cannot be loaded ({e.Message})"), e);
        }
        if (rc != ZOk) throw Primitives.Errors.DumpErrors.Corrupt(file, "gzip stream", "", 0, $"zlib's inflateInit2 failed ({rc})");
        try
        {
            using var output = new MemoryStream();
            var chunk = new byte[64 << 10];
            fixed (byte* src = input)
            fixed (byte* dst = chunk)
            {
                stream.NextIn = src;
                stream.AvailIn = (uint)input.Length;
                while (true)
                {
                    stream.NextOut = dst;
                    stream.AvailOut = (uint)chunk.Length;
                    rc = Inflate(&stream, ZNoFlush);
                    var produced = chunk.Length - (int)stream.AvailOut;
                    if (output.Length + produced > limit)
                        throw Primitives.Errors.DumpErrors.OverLimit(file, "gzip decoded size", (ulong)(output.Length + produced), (ulong)limit, null);
                    output.Write(chunk, 0, produced);
                    var at = input.Length - (long)stream.AvailIn;
                    if (rc == ZStreamEnd)
                    {
                        // Another member follows; anything else after a member (zero padding, junk)
                        // is ignored, as zlib's gzread does for kmod and libdwfl.
                        if (stream.AvailIn < 2 || stream.NextIn[0] != 0x1f || stream.NextIn[1] != 0x8b) break;
                        rc = InflateReset(&stream);
                    }
                    else if (rc == ZBufError || (rc == ZOk && stream.AvailIn == 0 && produced == 0))
                    {
                        throw Primitives.Errors.DumpErrors.Corrupt(file, "gzip stream", "", at, "the file ends before the stream does");
                    }
                    if (rc != ZOk)
                    {
                        var why = stream.Msg != 0 ? Marshal.PtrToStringUTF8(stream.Msg) : null;
                        throw Primitives.Errors.DumpErrors.Corrupt(file, "gzip stream", "", at, $"compressed data is corrupt ({why ?? $"zlib error {rc}"})");
                    }
                }
            }
            return output.ToArray();
        }
        finally
        {
            _ = InflateEnd(&stream); // frees zlib's state; nothing to report after a result or an error
        }
    }
}
