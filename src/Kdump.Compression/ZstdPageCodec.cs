using System.Buffers;
using ZstdSharp;

namespace Kdump.Compression;

/// <summary>One zstd frame per page via ZstdSharp (makedumpfile: <c>ZSTD_compressCCtx</c> level 1).</summary>
internal sealed class ZstdPageCodec : IPageCodec
{
    // Contexts are not thread-safe; one per thread keeps the codec stateless for callers.
    [ThreadStatic]
    private static Decompressor? t_decompressor;

    [ThreadStatic]
    private static Compressor? t_compressor;

    public string Name => "zstd";

    public PageCompression Flag => PageCompression.Zstd;

    public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        try
        {
            var d = t_decompressor ??= new Decompressor();
            return d.TryUnwrap(source, destination, out written) ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
        }
        catch (ZstdException)
        {
            written = 0;
            return OperationStatus.InvalidData;
        }
    }

    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        if (NativeZstd.IsAvailable) return NativeZstd.Compress(source, destination, out written);
        written = 0;
        try
        {
            var c = t_compressor ??= new Compressor(1);
            return c.TryWrap(source, destination, out written) ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
        }
        catch (ZstdException)
        {
            written = 0;
            return OperationStatus.DestinationTooSmall;
        }
    }
}
