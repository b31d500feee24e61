using System.Buffers;

namespace Kdump.Compression;

/// <summary>
/// One page codec. The shape follows <see cref="System.IO.Compression.BrotliEncoder"/>: span in,
/// span out, an <see cref="OperationStatus"/> instead of exceptions, because a damaged page in a
/// dump is data, not a programming error. Implementations are stateless and thread-safe.
/// </summary>
public interface IPageCodec
{
    /// <summary>Short name as makedumpfile's messages use it: "zlib", "lzo", "snappy", "zstd".</summary>
    string Name { get; }

    /// <summary>The <c>page_desc.flags</c> bit this codec is stored under.</summary>
    PageCompression Flag { get; }

    /// <summary>
    /// Decompresses one whole stored page. <see cref="OperationStatus.Done"/>: <paramref name="written"/>
    /// bytes were produced and the input was consumed exactly. <see cref="OperationStatus.DestinationTooSmall"/>:
    /// the page inflates to more than <paramref name="destination"/>. <see cref="OperationStatus.NeedMoreData"/>:
    /// the input ends early. <see cref="OperationStatus.InvalidData"/>: anything else.
    /// </summary>
    OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written);

    /// <summary>
    /// Compresses one page into <paramref name="destination"/>. <see cref="OperationStatus.DestinationTooSmall"/>
    /// when the result would not fit: a writer then stores the page raw, as makedumpfile does when the
    /// compressed size is not below the page size.
    /// </summary>
    OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written);
}
