using System.Buffers;

namespace Kdump.Compression;

/// <summary>
/// Raw (unframed) snappy, as makedumpfile's <c>snappy_compress</c> writes it: encoded by
/// <see cref="SnappyCompressor"/> (no allocation per page) for pages up to 4 KiB, by Snappier for
/// larger ones; decoded by Snappier.
/// </summary>
internal sealed class SnappyPageCodec : IPageCodec
{
    // One encoder per thread: its hash table is scratch state.
    [ThreadStatic]
    private static SnappyCompressor? t_compressor;

    public string Name => "snappy";

    public PageCompression Flag => PageCompression.Snappy;

    public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        try
        {
            // The preamble is the uncompressed length: check it before Snappier writes anything.
            var length = Snappier.Snappy.GetUncompressedLength(source);
            if (length > destination.Length) return OperationStatus.DestinationTooSmall;
            return Snappier.Snappy.TryDecompress(source, destination, out written)
                ? OperationStatus.Done
                : OperationStatus.InvalidData;
        }
        catch (InvalidDataException)
        {
            written = 0;
            return OperationStatus.InvalidData;
        }
        catch (ArgumentException)
        {
            written = 0;
            return OperationStatus.InvalidData;
        }
    }

    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        if (source.Length <= SnappyCompressor.MaxInput)
            return (t_compressor ??= new SnappyCompressor()).Compress(source, destination, out written);
        return Snappier.Snappy.TryCompress(source, destination, out written) ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
    }
}
