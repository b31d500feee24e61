using Kdump.Primitives.Errors;

namespace Kdump.Compression;

/// <summary>
/// A whole file that may be gzip, xz or zstd compressed — kernel modules (.ko.gz, .ko.xz, .ko.zst),
/// which kbuild makes, kmod loads and libdwfl reads — told apart by its magic bytes as libdwfl does,
/// not by its name. Everything is bounded: the file and its decoded bytes. A stream cut short is an
/// error for each format (gzip through libz: the BCL's GZipStream ends quietly there). The magics
/// are declared here once for every reader that tells compressed files apart.
/// </summary>
public static class CompressedFile
{
    /// <summary>The first bytes of a gzip member (RFC 1952 ID1 ID2).</summary>
    public static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    /// <summary>The first bytes of an .xz stream (xz-file-format 2.1.1.1).</summary>
    public static ReadOnlySpan<byte> XzMagic => [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];

    /// <summary>The first bytes of a zstd frame (RFC 8878 3.1.1, little-endian 0xFD2FB528).</summary>
    public static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>
    /// The plain bytes of <paramref name="path"/> (a link is followed to its final target): decoded
    /// when it starts with a gzip, xz or zstd magic, else as read. Throws
    /// <see cref="DumpCorruptException"/> for a damaged or cut stream or more than
    /// <paramref name="limit"/> bytes (read or decoded), <see cref="DumpFeatureNotSupportedException"/>
    /// when liblzma or libz cannot be loaded, and IOException (FileNotFoundException …) as File does.
    /// </summary>
    public static byte[] ReadPlain(string path, long limit)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        // FileInfo of a link reports the link's own size: take the final target's.
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (info is not FileInfo { Exists: true } file) throw new FileNotFoundException($"{path}: No such file or directory", path);
        // A FIFO or device reports size 0: never opened, so a stray FIFO cannot block the reader.
        if (file.Length == 0) return [];
        using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        // The size of what was opened, checked before the buffer is allocated.
        var length = stream.Length;
        if (length > limit) throw DumpErrors.OverLimit(path, "file size", (ulong)length, (ulong)limit, null);
        var data = new byte[length];
        stream.ReadExactly(data);
        return Decode(data, path, limit);
    }

    /// <summary><paramref name="data"/> decoded by its magic (returned as it is without one), at most <paramref name="limit"/> bytes.</summary>
    public static byte[] Decode(byte[] data, string file, long limit)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var span = data.AsSpan();
        if (span.StartsWith(XzMagic))
        {
            XzDecoderStream xz;
            try
            {
                xz = new XzDecoderStream(new MemoryStream(data, writable: false));
            }
            catch (DumpFeatureNotSupportedException e)
            {
                throw new DumpFeatureNotSupportedException(DumpErrors.Describe(file, "xz stream", "", null, e.Message), e);
            }
            using (xz) return CopyBounded(xz, file, "xz", limit);
        }
        if (span.StartsWith(ZstdMagic))
        {
            using var z = new ZstdSharp.DecompressionStream(new MemoryStream(data, writable: false));
            return CopyBounded(z, file, "zstd", limit);
        }
        if (span.StartsWith(GzipMagic)) return NativeZlib.GunzipFile(span, file, limit);
        return data.Length <= limit ? data : throw DumpErrors.OverLimit(file, "file size", (ulong)data.Length, (ulong)limit, null);
    }

    private static byte[] CopyBounded(Stream decoder, string file, string format, long limit)
    {
        using var output = new MemoryStream();
        var chunk = new byte[64 << 10];
        try
        {
            int n;
            while ((n = decoder.Read(chunk)) > 0)
            {
                if (output.Length + n > limit)
                    throw DumpErrors.OverLimit(file, $"{format} decoded size", (ulong)(output.Length + n), (ulong)limit, null);
                output.Write(chunk, 0, n);
            }
        }
        catch (EndOfStreamException e)
        {
            throw DumpErrors.Corrupt(file, $"{format} stream", "", null, $"the file ends before the stream does ({e.Message})");
        }
        catch (InvalidDataException e)
        {
            throw DumpErrors.Corrupt(file, $"{format} stream", "", null, e.Message);
        }
        catch (ZstdSharp.ZstdException e)
        {
            throw DumpErrors.Corrupt(file, $"{format} stream", "", null, $"cannot be decoded ({e.Message})");
        }
        return output.ToArray();
    }
}
