using System.Buffers;
using System.IO.Compression;

namespace Kdump.Compression;

/// <summary>
/// zlib streams via the BCL. .NET 10 has no span-based zlib decoder (only streams), so each page
/// goes through a <see cref="ZLibStream"/> over a fixed buffer; output larger than the page is
/// detected by reading one byte past it.
/// </summary>
internal sealed class ZlibPageCodec : IPageCodec
{
    public string Name => "zlib";

    public PageCompression Flag => PageCompression.Zlib;

    public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        var input = ArrayPool<byte>.Shared.Rent(Math.Max(source.Length, 1));
        try
        {
            source.CopyTo(input);
            using var ms = new MemoryStream(input, 0, source.Length, writable: false);
            using var z = new ZLibStream(ms, CompressionMode.Decompress);
            int n;
            while (written < destination.Length && (n = z.Read(destination[written..])) > 0)
                written += n;
            if (written == destination.Length)
            {
                Span<byte> extra = stackalloc byte[1];
                if (z.Read(extra) > 0) return OperationStatus.DestinationTooSmall;
            }
            // A short result is not an error here: the page reader compares written with the page size.
            return OperationStatus.Done;
        }
        catch (InvalidDataException)
        {
            return OperationStatus.InvalidData;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        if (NativeZlib.IsAvailable) return NativeZlib.Compress(source, destination, out written);
        // makedumpfile's level: Z_BEST_SPEED. zlib-ng (inside the BCL) compresses worse at this level.
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(source);
        if (ms.Length > destination.Length)
        {
            written = 0;
            return OperationStatus.DestinationTooSmall;
        }
        written = (int)ms.Length;
        ms.GetBuffer().AsSpan(0, written).CopyTo(destination);
        return OperationStatus.Done;
    }
}
