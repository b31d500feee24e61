using System.IO.Compression;
using Kdump.Compression;
using Kdump.Formats.Elf;

namespace Kdump.Kexec.Images;

/// <summary>
/// kdumpctl estimate's kernel size (kdump-utils 1.0.61 <c>get_kernel_size</c>): the sum of the
/// PT_LOAD memory sizes of the kernel's vmlinux (<c>readelf -l</c>'s MemSiz), the image itself when
/// it is ELF, else the vmlinux found by decompressing from each place a compressor's magic occurs
/// (upstream's <c>try_decompress</c>, in its order). Only the ELF header and program headers are
/// decompressed, not the whole kernel. Null when no vmlinux is found: upstream then falls back to
/// /proc/iomem's Kernel code/rodata/data/bss.
/// </summary>
public static class KernelImageSize
{
    /// <summary>
    /// The compressors kdump-utils tries, in its order, with a decoder where one is at hand: bzip2,
    /// lzma, lzo and lz4 payloads (rare on x86_64: Debian and Fedora use xz, zstd or gzip) are skipped.
    /// </summary>
    private static readonly (byte[] Magic, Func<Stream, Stream>? Open)[] s_compressors =
    [
        ([0x1f, 0x8b, 0x08], s => new GZipStream(s, CompressionMode.Decompress)),
        ([0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00], s => new XzDecoderStream(s)),
        ("BZh"u8.ToArray(), null),
        ([0x5d, 0x00, 0x00, 0x00], null),
        ([0x89, 0x4c, 0x5a], null),
        ([0x02, 0x21, 0x4c, 0x18], null),
        ([0x28, 0xb5, 0x2f, 0xfd], s => new ZstdSharp.DecompressionStream(s)),
    ];

    /// <summary>A kernel image larger than this is not searched (x86_64 bzImages are 5–20 MiB).</summary>
    public const int MaxImageBytes = 256 << 20;

    /// <summary>The ELF and program headers must lie in the vmlinux's first bytes (64 + a few × 56 in practice).</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>The kernel size of the image at <paramref name="path"/>; null when no vmlinux is found in it.</summary>
    public static ulong? FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] image;
        try
        {
            using var f = File.OpenRead(path);
            if (f.Length > MaxImageBytes) return null;
            image = new byte[f.Length];
            f.ReadExactly(image);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return FromImage(image);
    }

    /// <summary>The kernel size of an image's bytes; null when no vmlinux is found in them.</summary>
    public static ulong? FromImage(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (SumLoads(image) is { } plain) return plain;
        foreach (var (magic, open) in s_compressors)
        {
            if (open is null) continue;
            for (var at = image.AsSpan().IndexOf(magic); at >= 0;)
            {
                if (Decompressed(image, at, open) is { } head && SumLoads(head) is { } size) return size;
                var next = image.AsSpan(at + 1).IndexOf(magic);
                at = next < 0 ? -1 : at + 1 + next;
            }
        }
        return null;
    }

    /// <summary>The first bytes decoded from <paramref name="at"/> on (enough for the headers, when they are there); null when the data is not of that kind.</summary>
    private static byte[]? Decompressed(byte[] image, int at, Func<Stream, Stream> open)
    {
        try
        {
            using var decoder = open(new MemoryStream(image, at, image.Length - at, writable: false));
            var head = new byte[4096];
            var length = decoder.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (!TryHeader(head.AsSpan(0, length), out _, out _, out var needed) || needed <= (ulong)length) return head[..length];
            if (needed > MaxHeaderBytes) return null;
            Array.Resize(ref head, (int)needed);
            length += decoder.ReadAtLeast(head.AsSpan(length), head.Length - length, throwOnEndOfStream: false);
            return head[..length];
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ZstdSharp.ZstdException or Primitives.Errors.DumpFeatureNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The ELF header <paramref name="head"/> starts with and where its program headers end; false when it starts none.</summary>
    private static bool TryHeader(ReadOnlySpan<byte> head, out ElfIdent ident, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ElfHeader? header, out ulong headersEnd)
    {
        header = null;
        headersEnd = 0;
        if (!ElfIdent.TryReadCore(head, out ident) || ident.Class is not (ElfConstants.ElfClass32 or ElfConstants.ElfClass64)
            || ident.Data is not (ElfConstants.ElfData2Lsb or ElfConstants.ElfData2Msb)
            || !ElfHeader.TryReadCore(head, ident, out header)) return false;
        var table = (ulong)header.ProgramHeaderCount * header.ProgramHeaderEntrySize;
        headersEnd = header.ProgramHeaderOffset > ulong.MaxValue - table ? ulong.MaxValue : header.ProgramHeaderOffset + table;
        return true;
    }

    /// <summary>readelf -l's MemSiz summed over PT_LOAD; null when <paramref name="head"/> is not an ELF file with its program headers.</summary>
    private static ulong? SumLoads(ReadOnlySpan<byte> head)
    {
        if (!TryHeader(head, out var ident, out var header, out var end) || end > (ulong)head.Length) return null;
        var layout = ident.Layout;
        if (header.ProgramHeaderCount > 0 && header.ProgramHeaderEntrySize < ElfProgramHeader.SizeOf(layout)) return null;
        ulong sum = 0;
        for (var i = 0; i < header.ProgramHeaderCount; i++)
        {
            var at = (int)header.ProgramHeaderOffset + i * header.ProgramHeaderEntrySize;
            if (!ElfProgramHeader.TryReadCore(head[at..], layout, out var ph)) return null;
            if (ph.Type != ElfConstants.PtLoad) continue;
            if (ph.MemorySize > ulong.MaxValue - sum) return null; // a sum past 2^64 is no kernel
            sum += ph.MemorySize;
        }
        return sum;
    }
}
