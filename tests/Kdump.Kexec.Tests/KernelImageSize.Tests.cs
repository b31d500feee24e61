using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Kdump.Kexec.Images;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// kdumpctl estimate's kernel size from a real bzImage (Debian's xz and zstd payloads) against
/// readelf's PT_LOAD MemSiz of the same build's debug vmlinux, and from generated images.
/// </summary>
public sealed class KernelImageSizeTests
{
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void A_real_bzimage_gives_the_pt_load_sizes_of_its_vmlinux_as_readelf_reads_them(string release)
    {
        var vmlinuz = Path.Combine(Lab.Dir, "kernels", release, "vmlinuz");
        var readelf = ExternalProcess.Run(Lab.SystemTool("/usr/bin/readelf"), ["-l", "-W", Lab.Vmlinux(release)]);
        Assert.True(readelf.ExitCode == 0, readelf.Stderr);
        // MemSiz is the sixth column of a LOAD line ("  LOAD 0x… 0x… 0x… 0x… 0xMEMSIZ …").
        var expected = Encoding.UTF8.GetString(readelf.Stdout).Split('\n')
            .Where(l => l.StartsWith("  LOAD ", StringComparison.Ordinal))
            .Select(l => ulong.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .Aggregate(0UL, (a, b) => a + b);
        Assert.True(expected > 16 << 20, $"{release}: {expected}");
        Assert.Equal(expected, KernelImageSize.FromFile(vmlinuz));
    }

    /// <summary>An ELF64 vmlinux's first bytes: the header and program headers of the given types and memory sizes.</summary>
    private static byte[] Elf(params (uint Type, ulong MemSize)[] headers)
    {
        var b = new byte[64 + 56 * headers.Length];
        "\u007fELF"u8.CopyTo(b);
        b[4] = 2; b[5] = 1; b[6] = 1;                                 // ELFCLASS64, little-endian, EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 2);    // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), 62);   // EM_X86_64
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), 64);   // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(54), 56);   // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(56), (ushort)headers.Length);
        for (var i = 0; i < headers.Length; i++)
        {
            var ph = b.AsSpan(64 + 56 * i);
            BinaryPrimitives.WriteUInt32LittleEndian(ph, headers[i].Type);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], headers[i].MemSize);   // p_memsz
        }
        return b;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var m = new MemoryStream();
        using (var z = new GZipStream(m, CompressionLevel.Fastest)) z.Write(data);
        return m.ToArray();
    }

    [Fact]
    public void Generated_images_plain_compressed_or_hostile()
    {
        var vmlinux = Elf((1, 0x1000), (4, 0x30), (1, 0x2345));
        Assert.Equal(0x3345UL, KernelImageSize.FromImage(vmlinux));
        // A setup header, a false gzip magic, then the payload: the first occurrence that decodes to ELF counts.
        byte[] image = [.. new byte[512], 0x1f, 0x8b, 0x08, 0xff, 0xff, .. Gzip([.. vmlinux, .. new byte[100_000]]), .. new byte[64]];
        Assert.Equal(0x3345UL, KernelImageSize.FromImage(image));
        // Compressed data that is no ELF, no compressed data at all: upstream's /proc/iomem fallback.
        Assert.Null(KernelImageSize.FromImage([.. new byte[512], .. Gzip(new byte[5000])]));
        Assert.Null(KernelImageSize.FromImage(new byte[4096]));
        // Program headers past the decoded bytes, a table of 65535 × 65535 bytes, sizes summing past 2^64.
        var far = Elf((1, 1));
        BinaryPrimitives.WriteUInt64LittleEndian(far.AsSpan(32), 1UL << 40);
        Assert.Null(KernelImageSize.FromImage(far));
        Assert.Null(KernelImageSize.FromImage(Gzip(far)));
        var huge = Elf((1, 1));
        BinaryPrimitives.WriteUInt16LittleEndian(huge.AsSpan(54), ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(huge.AsSpan(56), ushort.MaxValue);
        Assert.Null(KernelImageSize.FromImage(Gzip([.. huge, .. new byte[1 << 16]])));
        Assert.Null(KernelImageSize.FromImage(Elf((1, ulong.MaxValue), (1, 2))));
    }
}
