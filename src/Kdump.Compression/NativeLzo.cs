using System.Buffers;
using System.Runtime.InteropServices;

namespace Kdump.Compression;

/// <summary>
/// Debian's liblzo2 (the library makedumpfile links), bound at run time. Used when present and
/// initialised; otherwise <see cref="Lzo1xCompressor"/> produces the same bytes in managed code.
/// lzo_uint is unsigned long: <see cref="nuint"/> on LP64.
/// </summary>
public static partial class NativeLzo
{
    private const string Library = "liblzo2.so.2";

    /// <summary>LZO1X_1_MEM_COMPRESS = 16384 × sizeof(lzo_bytep): 128 KiB on LP64.</summary>
    public const int WorkMemoryBytes = 16384 * 8;

    /// <summary>LZO_VERSION of liblzo2 2.10, which lzo_init() passes to __lzo_init_v2.</summary>
    private const uint LzoVersion = 0x20a0;

    [ThreadStatic]
    private static byte[]? t_workMemory;

    private static readonly Lazy<bool> s_available = new(Initialise);

    /// <summary>True when liblzo2.so.2 loaded and accepted this process's type sizes.</summary>
    public static bool IsAvailable => s_available.Value;

    // lzo_init() is a macro over this: the library checks the caller's type sizes.
    [LibraryImport(Library, EntryPoint = "__lzo_init_v2")]
    private static partial int LzoInitV2(uint version, int shortSize, int intSize, int longSize, int uint32Size, int lzoUintSize,
        int dictSize, int charPtrSize, int voidPtrSize, int callbackSize);

    [LibraryImport(Library, EntryPoint = "lzo1x_1_compress")]
    private static partial int Lzo1x1Compress(ReadOnlySpan<byte> src, nuint srcLength, Span<byte> dst, ref nuint dstLength, Span<byte> workMemory);

    private static bool Initialise()
    {
        try
        {
            // sizeof: short, int, long, lzo_uint32_t, lzo_uint, dict entry (a pointer), char*, void*, lzo_callback_t (6 words).
            return LzoInitV2(LzoVersion, 2, 4, 8, 4, 8, 8, 8, 8, 6 * 8) == 0;
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

    /// <summary>lzo1x_1_compress into <paramref name="destination"/> (at least <see cref="Lzo1xCompressor.MaxCompressedLength"/> bytes).</summary>
    public static OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        if (destination.Length < Lzo1xCompressor.MaxCompressedLength(source.Length)) return OperationStatus.DestinationTooSmall;
        var work = t_workMemory ??= new byte[WorkMemoryBytes];
        var length = (nuint)destination.Length;
        if (Lzo1x1Compress(source, (nuint)source.Length, destination, ref length, work) != 0) return OperationStatus.InvalidData;
        written = (int)length;
        return OperationStatus.Done;
    }
}
