using System.Runtime.InteropServices;

namespace Kdump.Formats.Tests.Compression;

/// <summary>
/// Debian's liblzo2 (the library makedumpfile links), used only to make LZO test vectors and as
/// an oracle for our decoder. lzo_uint is unsigned long: nuint on LP64.
/// </summary>
internal static partial class LibLzo2
{
    private const string Lib = "liblzo2.so.2";

    /// <summary>LZO1X_1_MEM_COMPRESS = 16384 × sizeof(lzo_bytep).</summary>
    public const int Lzo1x1WorkBytes = 16384 * 8;

    /// <summary>LZO1X_999_MEM_COMPRESS = 14 × 16384 × sizeof(short).</summary>
    public const int Lzo1x999WorkBytes = 14 * 16384 * 2;

    [LibraryImport(Lib)]
    private static partial int lzo1x_1_compress(ReadOnlySpan<byte> src, nuint srcLen, Span<byte> dst, ref nuint dstLen, Span<byte> wrkmem);

    [LibraryImport(Lib)]
    private static partial int lzo1x_999_compress(ReadOnlySpan<byte> src, nuint srcLen, Span<byte> dst, ref nuint dstLen, Span<byte> wrkmem);

    [LibraryImport(Lib)]
    private static partial int lzo1x_decompress_safe(ReadOnlySpan<byte> src, nuint srcLen, Span<byte> dst, ref nuint dstLen, nint wrkmem);

    /// <summary>Worst case from the LZO FAQ: n + n/16 + 64 + 3.</summary>
    public static int Bound(int n) => n + n / 16 + 64 + 3;

    public static byte[] Compress1(ReadOnlySpan<byte> src) => Compress(src, best: false);

    public static byte[] Compress999(ReadOnlySpan<byte> src) => Compress(src, best: true);

    private static byte[] Compress(ReadOnlySpan<byte> src, bool best)
    {
        var dst = new byte[Bound(src.Length)];
        var work = new byte[best ? Lzo1x999WorkBytes : Lzo1x1WorkBytes];
        nuint len = (nuint)dst.Length;
        var rc = best ? lzo1x_999_compress(src, (nuint)src.Length, dst, ref len, work) : lzo1x_1_compress(src, (nuint)src.Length, dst, ref len, work);
        Assert.Equal(0, rc);
        return dst.AsSpan(0, (int)len).ToArray();
    }

    /// <summary>liblzo's safe decoder: (LZO_E_* code, bytes written).</summary>
    public static (int Code, int Written) DecompressSafe(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        nuint len = (nuint)dst.Length;
        var rc = lzo1x_decompress_safe(src, (nuint)src.Length, dst, ref len, 0);
        return (rc, (int)len);
    }
}
