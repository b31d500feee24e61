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
    private const int ZFinish = 4;         // Z_FINISH
    private const int ZStreamEnd = 1;      // Z_STREAM_END
    private const int ZBestSpeed = 1;      // Z_BEST_SPEED, makedumpfile's level

    [ThreadStatic]
    private static ZStream* t_stream;

    private static readonly Lazy<bool> s_available = new(Probe);

    public static bool IsAvailable => s_available.Value;

    /// <summary>z_stream on LP64 (zlib.h), 112 bytes; zlib keeps a pointer to it, so it lives in native memory.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
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
        // zlib checks only the major version character of the caller's ZLIB_VERSION.
        var version = "1.2.13\0"u8;
        fixed (byte* v = version)
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
}
