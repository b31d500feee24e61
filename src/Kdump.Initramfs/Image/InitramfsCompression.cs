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
    /// What kdump.conf's <c>dracut_args</c> asks dracut to compress with, for the minimal backend,
    /// which writes the image itself: <c>--no-compress</c>, <c>--gzip</c>, <c>--zstd</c>, or
    /// <c>--compress PROGRAM [ARGS]</c> (gzip or pigz, zstd, cat: none), the last one winning as in
    /// dracut's option parsing, except <c>--no-compress</c>, which dracut applies after all of them;
    /// null when none is given. A compressor this backend does not write (xz, lz4, …; a squash
    /// image) is a warning, and the choice before it stands.
    /// </summary>
    public static InitramfsCompression? FromDracutArgs(IReadOnlyList<string> argv, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(warnings);
        InitramfsCompression? chosen = null;
        var noCompress = false;
        for (var i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            string? program = null;
            switch (a)
            {
                case "--no-compress": noCompress = true; continue;
                case "--gzip": chosen = InitramfsCompression.Gzip; continue;
                case "--zstd": chosen = InitramfsCompression.Zstd; continue;
                case "--bzip2" or "--lzma" or "--xz" or "--lzo" or "--lz4":
                    warnings.Add($"dracut_args {a}: the minimal backend writes zstd, gzip or no compression; that option is not followed");
                    continue;
                case "--squash-compressor":
                    if (i + 1 < argv.Count) i++;
                    warnings.Add($"dracut_args {a}: the minimal backend makes no squash image; that option is not followed");
                    continue;
                case "--compress":
                    if (i + 1 < argv.Count) program = argv[++i];
                    break;
                default:
                    if (a.StartsWith("--compress=", StringComparison.Ordinal)) program = a["--compress=".Length..];
                    else continue;
                    break;
            }
            // dracut runs the value as a command: its first word names the program.
            var name = Path.GetFileName(program?.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "");
            InitramfsCompression? known = name switch
            {
                "gzip" or "pigz" => InitramfsCompression.Gzip,
                "zstd" => InitramfsCompression.Zstd,
                "cat" => InitramfsCompression.None,
                _ => null,
            };
            if (known is null) warnings.Add($"dracut_args --compress {program}: the minimal backend writes zstd, gzip or no compression; that option is not followed");
            else
            {
                if (program!.Trim().Contains(' ', StringComparison.Ordinal) || program.Contains('\t', StringComparison.Ordinal))
                    warnings.Add($"dracut_args --compress {program}: the minimal backend compresses with its own settings, not that command's arguments");
                chosen = known;
            }
        }
        return noCompress ? InitramfsCompression.None : chosen;
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
