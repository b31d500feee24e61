using System.Buffers;

namespace Kdump.Compression;

/// <summary>Raw (unframed) snappy via Snappier, as makedumpfile's <c>snappy_compress</c> writes it.</summary>
internal sealed class SnappyPageCodec : IPageCodec
{
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

    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
        Snappier.Snappy.TryCompress(source, destination, out written) ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
}
