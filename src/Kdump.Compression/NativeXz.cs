using System.Runtime.InteropServices;

namespace Kdump.Compression;

/// <summary>
/// liblzma's decoder API (liblzma.so.5, on every Debian and Fedora system: dpkg and systemd link it),
/// used by <see cref="XzDecoderStream"/>. The BCL has no xz decoder; kernel modules on Fedora, RHEL
/// and Debian 13 are .ko.xz, and dracut can write xz initramfs images.
/// </summary>
internal static unsafe partial class NativeXz
{
    internal const string Library = "liblzma.so.5";
    internal const int LzmaOk = 0;              // LZMA_OK
    internal const int LzmaStreamEnd = 1;       // LZMA_STREAM_END
    internal const int LzmaMemError = 5;        // LZMA_MEM_ERROR
    internal const int LzmaMemlimitError = 6;   // LZMA_MEMLIMIT_ERROR
    internal const int LzmaFormatError = 7;     // LZMA_FORMAT_ERROR
    internal const int LzmaOptionsError = 8;    // LZMA_OPTIONS_ERROR
    internal const int LzmaDataError = 9;       // LZMA_DATA_ERROR
    internal const int LzmaBufError = 10;       // LZMA_BUF_ERROR
    internal const int LzmaProgError = 11;      // LZMA_PROG_ERROR
    internal const int LzmaRun = 0;             // LZMA_RUN
    internal const int LzmaFinish = 3;          // LZMA_FINISH
    internal const uint LzmaConcatenated = 0x08; // LZMA_CONCATENATED

    /// <summary>Decoder memory: xz -9's 64 MiB dictionary needs ~65 MiB (kbuild's modules use 1–2 MiB).</summary>
    internal const ulong MemoryLimit = 128UL << 20;

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
    internal static partial int StreamDecoder(LzmaStream* stream, ulong memlimit, uint flags);

    [LibraryImport(Library, EntryPoint = "lzma_code")]
    internal static partial int Code(LzmaStream* stream, int action);

    [LibraryImport(Library, EntryPoint = "lzma_end")]
    internal static partial void End(LzmaStream* stream);
}
