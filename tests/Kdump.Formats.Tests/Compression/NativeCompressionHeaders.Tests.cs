using System.Runtime.InteropServices;
using Kdump.Compression;
using Kdump.Tests.Shared;

namespace Kdump.Formats.Tests.Compression;

/// <summary>
/// The hand-declared <c>lzma_stream</c> and <c>z_stream</c> and the return codes the decoders act on,
/// against liblzma's and zlib's headers: a program compiled with gcc prints each value.
/// </summary>
public sealed class NativeCompressionHeadersTests
{
    private const string Program = """
        #include <stdio.h>
        #include <stddef.h>
        #include <lzma.h>
        #include <zlib.h>
        #define P(name) printf("%s=%llu\n", #name, (unsigned long long)(name))
        #define O(s, f) printf("%s.%s=%llu\n", #s, #f, (unsigned long long)offsetof(s, f))
        int main(void) {
            P(sizeof(lzma_stream)); O(lzma_stream, next_in); O(lzma_stream, avail_in); O(lzma_stream, total_in);
            O(lzma_stream, next_out); O(lzma_stream, avail_out); O(lzma_stream, total_out); O(lzma_stream, allocator);
            O(lzma_stream, internal); O(lzma_stream, reserved_ptr4); O(lzma_stream, reserved_int2);
            O(lzma_stream, reserved_int4); O(lzma_stream, reserved_enum1); O(lzma_stream, reserved_enum2);
            P(LZMA_OK); P(LZMA_STREAM_END); P(LZMA_MEM_ERROR); P(LZMA_MEMLIMIT_ERROR); P(LZMA_FORMAT_ERROR);
            P(LZMA_OPTIONS_ERROR); P(LZMA_DATA_ERROR); P(LZMA_BUF_ERROR); P(LZMA_PROG_ERROR); P(LZMA_RUN); P(LZMA_FINISH); P(LZMA_CONCATENATED);
            P(sizeof(z_stream)); O(z_stream, next_in); O(z_stream, avail_in); O(z_stream, total_in); O(z_stream, next_out);
            O(z_stream, avail_out); O(z_stream, total_out); O(z_stream, msg); O(z_stream, state); O(z_stream, zalloc);
            O(z_stream, opaque); O(z_stream, data_type); O(z_stream, adler); O(z_stream, reserved);
            P(Z_NO_FLUSH); P(Z_FINISH); P(Z_OK); P(Z_STREAM_END); P(Z_BUF_ERROR + 100);
            return 0;
        }
        """;

    private static ulong Offset<T>(string field) => (ulong)Marshal.OffsetOf<T>(field);

    [Fact]
    public unsafe void Stream_structs_and_return_codes_match_the_headers()
    {
        var c = CProgram.Values(Program, "compression-headers");
        var expected = new Dictionary<string, ulong>
        {
            ["sizeof(lzma_stream)"] = (ulong)sizeof(NativeXz.LzmaStream),
            ["lzma_stream.next_in"] = Offset<NativeXz.LzmaStream>("NextIn"), ["lzma_stream.avail_in"] = Offset<NativeXz.LzmaStream>("AvailIn"),
            ["lzma_stream.total_in"] = Offset<NativeXz.LzmaStream>("TotalIn"), ["lzma_stream.next_out"] = Offset<NativeXz.LzmaStream>("NextOut"),
            ["lzma_stream.avail_out"] = Offset<NativeXz.LzmaStream>("AvailOut"), ["lzma_stream.total_out"] = Offset<NativeXz.LzmaStream>("TotalOut"),
            ["lzma_stream.allocator"] = Offset<NativeXz.LzmaStream>("Allocator"), ["lzma_stream.internal"] = Offset<NativeXz.LzmaStream>("Internal"),
            ["lzma_stream.reserved_ptr4"] = Offset<NativeXz.LzmaStream>("ReservedPtr4"), ["lzma_stream.reserved_int2"] = Offset<NativeXz.LzmaStream>("ReservedInt2"),
            ["lzma_stream.reserved_int4"] = Offset<NativeXz.LzmaStream>("ReservedInt4"), ["lzma_stream.reserved_enum1"] = Offset<NativeXz.LzmaStream>("ReservedEnum1"),
            ["lzma_stream.reserved_enum2"] = Offset<NativeXz.LzmaStream>("ReservedEnum2"),
            ["LZMA_OK"] = NativeXz.LzmaOk, ["LZMA_STREAM_END"] = NativeXz.LzmaStreamEnd, ["LZMA_MEM_ERROR"] = NativeXz.LzmaMemError,
            ["LZMA_MEMLIMIT_ERROR"] = NativeXz.LzmaMemlimitError, ["LZMA_FORMAT_ERROR"] = NativeXz.LzmaFormatError,
            ["LZMA_OPTIONS_ERROR"] = NativeXz.LzmaOptionsError, ["LZMA_DATA_ERROR"] = NativeXz.LzmaDataError,
            ["LZMA_BUF_ERROR"] = NativeXz.LzmaBufError, ["LZMA_PROG_ERROR"] = NativeXz.LzmaProgError, ["LZMA_RUN"] = NativeXz.LzmaRun, ["LZMA_FINISH"] = NativeXz.LzmaFinish, ["LZMA_CONCATENATED"] = NativeXz.LzmaConcatenated,
            ["sizeof(z_stream)"] = (ulong)sizeof(NativeZlib.ZStream),
            ["z_stream.next_in"] = Offset<NativeZlib.ZStream>("NextIn"), ["z_stream.avail_in"] = Offset<NativeZlib.ZStream>("AvailIn"),
            ["z_stream.total_in"] = Offset<NativeZlib.ZStream>("TotalIn"), ["z_stream.next_out"] = Offset<NativeZlib.ZStream>("NextOut"),
            ["z_stream.avail_out"] = Offset<NativeZlib.ZStream>("AvailOut"), ["z_stream.total_out"] = Offset<NativeZlib.ZStream>("TotalOut"),
            ["z_stream.msg"] = Offset<NativeZlib.ZStream>("Msg"), ["z_stream.state"] = Offset<NativeZlib.ZStream>("State"),
            ["z_stream.zalloc"] = Offset<NativeZlib.ZStream>("ZAlloc"), ["z_stream.opaque"] = Offset<NativeZlib.ZStream>("Opaque"),
            ["z_stream.data_type"] = Offset<NativeZlib.ZStream>("DataType"), ["z_stream.adler"] = Offset<NativeZlib.ZStream>("Adler"),
            ["z_stream.reserved"] = Offset<NativeZlib.ZStream>("Reserved"),
            ["Z_NO_FLUSH"] = NativeZlib.ZNoFlush, ["Z_FINISH"] = NativeZlib.ZFinish, ["Z_OK"] = NativeZlib.ZOk,
            ["Z_STREAM_END"] = NativeZlib.ZStreamEnd, ["Z_BUF_ERROR + 100"] = (ulong)(NativeZlib.ZBufError + 100),
        };
        Assert.Equal(expected.Count, c.Count);
        foreach (var (name, value) in expected) Assert.True(c[name] == value, $"{name}: ours {value}, the headers' {c[name]}");
    }
}
