using System.Buffers;

namespace Kdump.Compression;

/// <summary>
/// LZO1X: decoded by <see cref="Lzo1xDecoder"/>, encoded by <see cref="Lzo1xCompressor"/> (managed, the
/// same bytes as liblzo2's lzo1x_1_compress). <see cref="NativeLzo"/> is the measured alternative
/// (eng/bench/codecs; docs/compat/makedumpfile.md has the numbers).
/// </summary>
internal sealed class LzoPageCodec : IPageCodec
{
    // One encoder per thread: its hash table is scratch state.
    [ThreadStatic]
    private static Lzo1xCompressor? t_compressor;

    public string Name => "lzo";

    public PageCompression Flag => PageCompression.Lzo;

    public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        Lzo1xDecoder.Decompress(source, destination, out written);

    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        (t_compressor ??= new Lzo1xCompressor()).Compress(source, destination, out written);
}
