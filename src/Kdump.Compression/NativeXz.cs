using System.Runtime.InteropServices;
using Kdump.Primitives.Errors;

namespace Kdump.Compression;

/// <summary>
/// .xz decoding through liblzma (liblzma.so.5, on every Debian and Fedora system: dpkg and systemd
/// link it). The BCL has no xz decoder; kernel modules on Fedora, RHEL and Debian 13 are .ko.xz.
/// </summary>
internal static unsafe partial class NativeXz
{
    private const string Library = "liblzma.so.5";
    internal const int LzmaOk = 0;              // LZMA_OK
    internal const int LzmaStreamEnd = 1;       // LZMA_STREAM_END
    internal const int LzmaMemError = 5;        // LZMA_MEM_ERROR
    internal const int LzmaMemlimitError = 6;   // LZMA_MEMLIMIT_ERROR
    internal const int LzmaFormatError = 7;     // LZMA_FORMAT_ERROR
    internal const int LzmaOptionsError = 8;    // LZMA_OPTIONS_ERROR
    internal const int LzmaDataError = 9;       // LZMA_DATA_ERROR
    internal const int LzmaBufError = 10;       // LZMA_BUF_ERROR
    internal const int LzmaFinish = 3;          // LZMA_FINISH
    internal const uint LzmaConcatenated = 0x08; // LZMA_CONCATENATED

    /// <summary>Decoder memory: xz -9's 64 MiB dictionary needs ~65 MiB (kbuild's modules use 1–2 MiB).</summary>
    private const ulong MemoryLimit = 128UL << 20;

    private const int Chunk = 64 << 10;

    /// <summary><c>lzma_stream</c> of &lt;lzma/base.h&gt; (liblzma 5.x, ABI-stable; LZMA_STREAM_INIT is all zeros).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LzmaStream
    {
        public byte* NextIn;        // next_in
        public nuint AvailIn;       // avail_in
        public ulong TotalIn;       // total_in
        public byte* NextOut;       // next_out
        public nuint AvailOut;      // avail_out
        public ulong TotalOut;      // total_out
        public nint Allocator;      // allocator
        public nint Internal;       // internal
        public nint ReservedPtr1;   // reserved_ptr1
        public nint ReservedPtr2;   // reserved_ptr2
        public nint ReservedPtr3;   // reserved_ptr3
        public nint ReservedPtr4;   // reserved_ptr4
        public ulong SeekPos;       // seek_pos (reserved_int1 before 5.4)
        public ulong ReservedInt2;  // reserved_int2
        public nuint ReservedInt3;  // reserved_int3
        public nuint ReservedInt4;  // reserved_int4
        public int ReservedEnum1;   // reserved_enum1
        public int ReservedEnum2;   // reserved_enum2
    }

    [LibraryImport(Library, EntryPoint = "lzma_stream_decoder")]
    private static partial int StreamDecoder(LzmaStream* stream, ulong memlimit, uint flags);

    [LibraryImport(Library, EntryPoint = "lzma_code")]
    private static partial int Code(LzmaStream* stream, int action);

    [LibraryImport(Library, EntryPoint = "lzma_end")]
    private static partial void End(LzmaStream* stream);

    /// <summary>
    /// The decoded bytes of one or more concatenated .xz streams; a damaged or cut stream, trailing
    /// bytes or more than <paramref name="limit"/> decoded bytes throw <see cref="DumpCorruptException"/>.
    /// </summary>
    public static byte[] Decode(ReadOnlySpan<byte> input, string file, long limit)
    {
        var stream = default(LzmaStream);
        int ret;
        try
        {
            ret = StreamDecoder(&stream, MemoryLimit, LzmaConcatenated);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new DumpFeatureNotSupportedException(DumpErrors.Describe(file, "xz stream", "", null, $"needs {Library}, which cannot be loaded ({e.Message})"), e);
        }
        // A failed init frees what it allocated (lzma_next_strm_init), so End is not needed then.
        if (ret != LzmaOk) throw Failed(file, ret, 0);
        try
        {
            using var output = new MemoryStream();
            var chunk = new byte[Chunk];
            fixed (byte* src = input)
            fixed (byte* dst = chunk)
            {
                stream.NextIn = src;
                stream.AvailIn = (nuint)input.Length;
                while (true)
                {
                    stream.NextOut = dst;
                    stream.AvailOut = Chunk;
                    // All input is given at once, so every call may finish the stream; a call
                    // without progress returns LZMA_BUF_ERROR, so the loop cannot spin.
                    ret = Code(&stream, LzmaFinish);
                    var produced = Chunk - (int)stream.AvailOut;
                    if (output.Length + produced > limit)
                        throw DumpErrors.OverLimit(file, "xz decoded size", (ulong)(output.Length + produced), (ulong)limit, null);
                    output.Write(chunk, 0, produced);
                    if (ret == LzmaStreamEnd) break;
                    if (ret != LzmaOk) throw Failed(file, ret, (long)stream.TotalIn);
                }
            }
            return output.ToArray();
        }
        finally
        {
            End(&stream);
        }
    }

    private static DumpCorruptException Failed(string file, int ret, long at) => DumpErrors.Corrupt(file, "xz stream", "", at, ret switch
    {
        LzmaMemError => "liblzma could not allocate memory (LZMA_MEM_ERROR)",
        LzmaMemlimitError => $"needs more than {MemoryLimit >> 20} MiB of decoder memory (LZMA_MEMLIMIT_ERROR)",
        LzmaFormatError => "is not in the .xz format (LZMA_FORMAT_ERROR)",
        LzmaOptionsError => "uses options liblzma does not support (LZMA_OPTIONS_ERROR)",
        LzmaDataError => "compressed data is corrupt (LZMA_DATA_ERROR)",
        LzmaBufError => "the file ends before the stream does (LZMA_BUF_ERROR)",
        _ => $"liblzma returned {ret}",
    });
}
