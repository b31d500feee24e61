using System.Diagnostics.CodeAnalysis;
using Kdump.Primitives.Errors;

namespace Kdump.Compression;

/// <summary>The codec table: one entry per <see cref="PageCompression"/> bit.</summary>
public static class PageCodecs
{
    public static IPageCodec Zlib { get; } = new ZlibPageCodec();

    public static IPageCodec Lzo { get; } = new LzoPageCodec();

    public static IPageCodec Snappy { get; } = new SnappyPageCodec();

    public static IPageCodec Zstd { get; } = new ZstdPageCodec();

    public static IReadOnlyList<IPageCodec> All { get; } = [Zlib, Lzo, Snappy, Zstd];

    /// <summary>The codec for exactly one flag bit; false for 0, for several bits, or an unknown bit.</summary>
    public static bool TryGet(uint flags, [NotNullWhen(true)] out IPageCodec? codec)
    {
        foreach (var c in All)
        {
            if ((uint)c.Flag == flags)
            {
                codec = c;
                return true;
            }
        }
        codec = null;
        return false;
    }

    /// <summary>
    /// The codec for a stored page's flags. Unknown or combined bits are a feature we do not have
    /// (a newer makedumpfile may add codecs), not corruption.
    /// </summary>
    public static IPageCodec Get(uint flags, string? file = null, long? offset = null) =>
        TryGet(flags, out var codec)
            ? codec
            : throw new DumpFeatureNotSupportedException(DumpErrors.Describe(
                file, "page_desc.flags", $"0x{flags:x}", offset,
                "unknown page compression (known: zlib 0x1, lzo 0x2, snappy 0x4, zstd 0x20)"))
            { FilePath = file, Offset = offset };
}
