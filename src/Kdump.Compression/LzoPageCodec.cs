using System.Buffers;
using Kdump.Primitives.Errors;

namespace Kdump.Compression;

/// <summary>
/// LZO1X, decoded by <see cref="Lzo1xDecoder"/> (our own code, written from the format description in
/// docs/formats/diskdump.md). There is no managed LZO encoder yet: A2 adds one or binds liblzo2.
/// </summary>
internal sealed class LzoPageCodec : IPageCodec
{
    public string Name => "lzo";

    public PageCompression Flag => PageCompression.Lzo;

    public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        Lzo1xDecoder.Decompress(source, destination, out written);

    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        throw new DumpFeatureNotSupportedException("LZO compression is not implemented yet (decompression is)");
}
