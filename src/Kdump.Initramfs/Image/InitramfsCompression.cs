using System.IO.Compression;

namespace Kdump.Initramfs.Image;

/// <summary>Compressors whose frames every Debian kernel's initramfs unpacker takes (CONFIG_RD_GZIP, CONFIG_RD_ZSTD).</summary>
public enum InitramfsCompression
{
    None,
    Gzip,
    Zstd,
}

/// <summary>Wraps the archive stream in the chosen compressor.</summary>
public static class InitramfsCompressors
{
    public static bool TryParse(string word, out InitramfsCompression compression)
    {
        switch (word)
        {
            case "none": compression = InitramfsCompression.None; return true;
            case "gzip": compression = InitramfsCompression.Gzip; return true;
            case "zstd": compression = InitramfsCompression.Zstd; return true;
            default: compression = default; return false;
        }
    }

    /// <summary>
    /// zstd's window: 1 MiB. The kernel's unzstd (lib/decompress_unzstd.c) allocates a workspace of
    /// about the frame's window size while it unpacks the initramfs inside the crash reservation;
    /// level 19's default (8 MiB for an image this size) ran a 96M capture kernel out of memory
    /// (measured: eng/bench-capture/run.sh), 1 MiB costs ~1 % of image size.
    /// </summary>
    public const int ZstdWindowLog = 20;

    /// <summary>A stream that compresses into <paramref name="output"/> (left open) until disposed.</summary>
    public static Stream Open(InitramfsCompression compression, Stream output) => compression switch
    {
        InitramfsCompression.Gzip => new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
        InitramfsCompression.Zstd => Zstd(output),
        _ => new NonClosingStream(output),
    };

    private static ZstdSharp.CompressionStream Zstd(Stream output)
    {
        var z = new ZstdSharp.CompressionStream(output, 19, leaveOpen: true);
        z.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, ZstdWindowLog);
        return z;
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
