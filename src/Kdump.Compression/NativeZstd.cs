using System.Buffers;
using System.Runtime.InteropServices;

namespace Kdump.Compression;

/// <summary>
/// libzstd (Debian's libzstd.so.1) with one compression context per thread, as makedumpfile uses it
/// (ZSTD_compressCCtx, level 1, a frame per page). Measured against ZstdSharp in eng/bench/codecs.
/// </summary>
internal static partial class NativeZstd
{
    private const string Library = "libzstd.so.1";
    private const int Level = 1;

    [ThreadStatic]
    private static nint t_context;

    private static readonly Lazy<bool> s_available = new(Probe);

    public static bool IsAvailable => s_available.Value;

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    private static partial nint CreateContext();

    [LibraryImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    private static partial nuint CompressContext(nint context, Span<byte> dst, nuint dstCapacity, ReadOnlySpan<byte> src, nuint srcSize, int level);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    private static partial uint IsError(nuint code);

    private static bool Probe()
    {
        try
        {
            return Context() != 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static nint Context() => t_context != 0 ? t_context : (t_context = CreateContext());

    public static OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        var context = Context();
        if (context == 0) return OperationStatus.InvalidData;
        var n = CompressContext(context, destination, (nuint)destination.Length, source, (nuint)source.Length, Level);
        if (IsError(n) != 0) return OperationStatus.DestinationTooSmall;
        written = (int)n;
        return OperationStatus.Done;
    }
}
