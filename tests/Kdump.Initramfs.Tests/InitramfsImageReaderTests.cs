using System.IO.Compression;
using System.Text;
using Kdump.Compression;
using Kdump.Initramfs.Cpio;
using Kdump.Primitives.Errors;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// The initramfs reader over archives written here by our writer (and, independently, by GNU
/// cpio, gzip and zstd), then over the same bytes broken on purpose: each break has its exact message.
/// </summary>
public sealed class InitramfsImageReaderTests : IDisposable
{
    private const string File = "img";
    private const string Wanted = "usr/lib/dracut/build-parameter.txt";
    private static readonly byte[] s_content = "--hostonly --mount '/dev/vdb1 /kdumproot/var xfs rw'\n"u8.ToArray();
    private readonly ScratchDir _scratch = Lab.Scratch("cpio-read");

    public void Dispose() => _scratch.Dispose();

    /// <summary>A newc archive by our writer: early-cpio-like entries, then the wanted file.</summary>
    private static byte[] Archive(string name = Wanted, byte[]? content = null, bool trailer = true)
    {
        using var ms = new MemoryStream();
        var w = new CpioNewcWriter(ms);
        w.WriteDirectory("usr", UnixMode.Perm0755);
        w.WriteFile("usr/other", UnixMode.Perm0644, "abc"u8);
        w.WriteFile(name, UnixMode.Perm0644, content ?? s_content);
        if (trailer) w.Finish();
        return ms.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    private static byte[] Zstd(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(ms, 3, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    /// <summary>The system xz with dracut's options for compress="xz".</summary>
    private static byte[] Xz(byte[] data)
    {
        using var scratch = Lab.Scratch("cpio-xz");
        var plain = Path.Combine(scratch.Path, "plain");
        System.IO.File.WriteAllBytes(plain, data);
        var r = ExternalProcess.Run("xz", ["--check=crc32", "--lzma2=dict=1MiB", "-c", plain]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Zeros(int n) => new byte[n];

    private static InitramfsContents Read(byte[] image, CpioReadLimits? limits = null) =>
        InitramfsImageReader.ReadFiles(new MemoryStream(image), File, [Wanted], limits);

    /// <summary>Offset of the wanted file's header in <see cref="Archive"/>: "usr" (112+4), "usr/other" (120+4).</summary>
    private const int WantedHeader = 116 + 124;

    [Fact]
    public void Plain_gzip_zstd_and_xz_images_and_an_early_cpio_before_the_compressed_archive()
    {
        var early = Archive("kernel/x86/microcode/GenuineIntel.bin", "ucode"u8.ToArray());
        var cases = new (string Name, byte[] Image, InitramfsSegment[] Segments)[]
        {
            ("plain", Archive(), [new(InitramfsSegmentKind.Cpio, 0, 1, 3)]),
            ("gzip", Gzip(Archive()), [new(InitramfsSegmentKind.Gzip, 0, 1, 3)]),
            ("zstd", Zstd(Archive()), [new(InitramfsSegmentKind.Zstd, 0, 1, 3)]),
            ("xz", Xz(Archive()), [new(InitramfsSegmentKind.Xz, 0, 1, 3)]),
            ("early+xz", Concat(early, Zeros(512 - early.Length % 512), Xz(Archive())),
                [new(InitramfsSegmentKind.Cpio, 0, 1, 3), new(InitramfsSegmentKind.Xz, early.Length + 512 - early.Length % 512, 1, 3)]),
            // dracut pads the early cpio to 512 bytes with zeros.
            ("early+zstd", Concat(early, Zeros(512 - early.Length % 512), Zstd(Archive())),
                [new(InitramfsSegmentKind.Cpio, 0, 1, 3), new(InitramfsSegmentKind.Zstd, early.Length + 512 - early.Length % 512, 1, 3)]),
            // Two archives in one compressed stream, zero padding between: the later entry wins.
            ("gzip two archives", Gzip(Concat(Archive(content: "first"u8.ToArray()), Zeros(8), Archive())),
                [new(InitramfsSegmentKind.Gzip, 0, 2, 6)]),
        };
        foreach (var (name, image, segments) in cases)
        {
            var r = Read(image);
            Assert.True(r.Files.TryGetValue(Wanted, out var data), name);
            Assert.Equal(s_content, data);
            Assert.Equal(segments, r.Segments);
        }
    }

    [Fact]
    public void Archives_by_gnu_cpio_with_dot_slash_names_read_the_same()
    {
        // dracut runs `find . | cpio -o -H newc` in the image directory: names start with "./".
        var dir = Path.Combine(_scratch.Path, "tree");
        Directory.CreateDirectory(Path.Combine(dir, "usr/lib/dracut"));
        System.IO.File.WriteAllBytes(Path.Combine(dir, Wanted), s_content);
        var cpio = ExternalProcess.Run("sh", ["-c", $"cd '{dir}' && find . | LC_ALL=C sort | cpio --quiet -o -H newc"]);
        Assert.Equal(0, cpio.ExitCode);
        var gz = ExternalProcess.Run("sh", ["-c", $"cd '{dir}' && find . | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -9"]);
        Assert.Equal(0, gz.ExitCode);
        foreach (var image in new[] { cpio.Stdout, gz.Stdout })
        {
            var r = InitramfsImageReader.ReadFiles(new MemoryStream(image), File, ["/" + Wanted]);
            Assert.Equal(s_content, r.Files[Wanted]);
        }
    }

    [Fact]
    public void A_file_that_is_not_there_reads_as_absent()
    {
        var r = InitramfsImageReader.ReadFiles(new MemoryStream(Archive()), File, ["usr/lib/dracut/hostonly-kernel-modules.txt"]);
        Assert.Empty(r.Files);
    }

    public static TheoryData<string, Func<byte[]>, Type, string> Broken => new()
    {
        { "empty file", () => [], typeof(DumpCorruptException), "'img': initramfs at offset 0x0: holds no archive (empty or all zeros)" },
        { "only zeros", () => Zeros(1024), typeof(DumpCorruptException), "'img': initramfs at offset 0x0: holds no archive (empty or all zeros)" },
        { "truncated header", () => Archive()[..50], typeof(UnexpectedEndOfDumpException),
            "'img': cpio header at offset 0x0: needs 110 bytes but the file ends at 0x32 (truncated?)" },
        { "odc magic", () => Patch(Archive(), 0, "070707"), typeof(DumpCorruptException),
            "'img': c_magic '070707' at offset 0x0: an old portable (odc) cpio header; only newc is read" },
        { "unknown data", () => Concat("\u007fELF\u0002\u0001\u0001\0"u8.ToArray(), Zeros(8)), typeof(DumpCorruptException),
            "'img': segment '\\x7fELF\\x02\\x01' at offset 0x0: neither a newc cpio archive nor gzip, zstd or xz data" },
        { "lz4 data", () => Concat([0x02, 0x21, 0x4C, 0x18], Zeros(28)), typeof(DumpFeatureNotSupportedException),
            "'img': segment lz4 at offset 0x0: lz4-compressed initramfs data is not read (only gzip, zstd and xz)" },
        { "xz magic, then zeros", () => Concat(CompressedFile.XzMagic.ToArray(), Zeros(26)), typeof(DumpCorruptException),
            "'img': xz data at offset 0x0: cannot be decompressed after 0x0 output bytes: " },
        { "xz cut mid-archive", () => { var x = Xz(Archive()); return x[..(x.Length / 2)]; }, typeof(UnexpectedEndOfDumpException),
            "'img': xz data at offset 0x0: the compressed stream ends early after 0x" },
        { "xz with a flipped byte", () => Patch(Xz(Archive()), 40, "\u00ff"), typeof(DumpCorruptException),
            "'img': xz data at offset 0x0: cannot be decompressed after 0x" },
        { "non-hex filesize", () => Patch(Archive(), WantedHeader + 54, "0000ZZ00"), typeof(DumpCorruptException),
            $"'img': c_filesize '0000ZZ00' at offset 0x{WantedHeader + 54:x}: is not 8 hexadecimal digits" },
        { "name size 0", () => Patch(Archive(), WantedHeader + 94, "00000000"), typeof(DumpCorruptException),
            $"'img': c_namesize 0 at offset 0x{WantedHeader + 94:x}: a name needs at least its NUL byte" },
        { "name size huge", () => Patch(Archive(), WantedHeader + 94, "FFFFFFFF"), typeof(DumpCorruptException),
            $"'img': c_namesize 4294967295 at offset 0x{WantedHeader + 94:x}: exceeds the maximum of 4096" },
        { "name without NUL", () => Patch(Archive(), WantedHeader + 94, "00000003"), typeof(DumpCorruptException),
            $"'img': name 'usr' at offset 0x{WantedHeader + 110:x}: is not NUL-terminated within c_namesize 3" },
        { "wanted file over the limit", () => Patch(Archive(), WantedHeader + 54, "01000001"), typeof(DumpCorruptException),
            $"'img': c_filesize of {Wanted} 16777217 at offset 0x{WantedHeader + 54:x}: exceeds the maximum of 16777216" },
        { "data beyond the end", () => Patch(Archive(), 116 + 54, "00100000"), typeof(UnexpectedEndOfDumpException),
            $"'img': data of usr/other at offset 0x{116 + 120:x}: needs 1048576 bytes but the file ends at 0x{Archive().Length:x} (truncated?)" },
        { "no trailer", () => Archive(trailer: false), typeof(DumpCorruptException),
            $"'img': archive at offset 0x{Archive(trailer: false).Length:x}: ends without its TRAILER!!! entry" },
        { "broken padding", () => Concat(Archive(), Zeros(1), Archive()), typeof(DumpCorruptException),
            $"'img': padding at offset 0x{Archive().Length + 1:x}: data after zero padding does not start on a 4-byte boundary (broken padding)" },
        { "junk in gzip", () => Gzip(Concat(Archive(), "junk"u8.ToArray())), typeof(DumpCorruptException),
            $"'img': gzip data at 0x0: archive 'junk' at offset 0x{Archive().Length:x}: junk within compressed archive (no cpio magic)" },
        { "bad magic in zstd", () => Zstd(Patch(Archive(), 0, "070700")), typeof(DumpCorruptException),
            "'img': zstd data at 0x0: c_magic '070700' at offset 0x0: not a newc cpio header" },
        { "gzip cut short", () => Gzip(Archive())[..40], typeof(DumpCorruptException),
            "'img': gzip data at offset 0x0: decompresses to no archive (cut short or empty)" },
        { "zstd cut mid-archive", () => Zstd(Archive())[..^8], typeof(UnexpectedEndOfDumpException),
            "'img': zstd data at offset 0x0: the compressed stream ends early after 0x" },
        { "gzip with a bad block", () => Patch(Gzip(Archive()), 10, "\u00ff\u00ff\u00ff\u00ff"), typeof(DumpCorruptException),
            "'img': gzip data at offset 0x0: cannot be decompressed after 0x0 output bytes:" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Broken_images_fail_with_a_precise_error(string what, Func<byte[]> image, Type type, string message)
    {
        var e = Assert.ThrowsAny<KdumpException>(() => Read(image()));
        Assert.True(e.GetType() == type, $"{what}: {e.GetType().Name}: {e.Message}");
        Assert.True(e.Message.StartsWith(message, StringComparison.Ordinal), $"{what}:\n expected {message}\n actual   {e.Message}");
        Assert.Equal(File, e.FilePath);
    }

    [Fact]
    public void Limits_stop_entry_floods_archive_floods_and_decompression_bombs_before_walking_them()
    {
        var many = Concat(Archive(), Archive(), Archive());
        var e1 = Assert.Throws<DumpCorruptException>(() => Read(many, new CpioReadLimits { MaxEntries = 4 }));
        Assert.Equal($"'img': entry count 5 at offset 0x{Archive().Length + 116:x}: exceeds the maximum of 4", e1.Message);
        var e2 = Assert.Throws<DumpCorruptException>(() => Read(many, new CpioReadLimits { MaxArchives = 2 }));
        Assert.Equal($"'img': archive count 3 at offset 0x{2 * Archive().Length:x}: exceeds the maximum of 2", e2.Message);
        // 64 MiB of zero-filled file data compresses to ~64 KiB; the walk stops at the byte limit.
        var big = Archive("big", new byte[64 << 20]);
        var e3 = Assert.Throws<DumpCorruptException>(() => Read(Gzip(big), new CpioReadLimits { MaxArchiveBytes = 1 << 20 }));
        Assert.Equal($"'img': gzip data at 0x0: archive bytes {WantedHeader + 116 + (64 << 20)} at offset 0x{WantedHeader:x}: exceeds the maximum of 1048576", e3.Message);
    }

    [Fact]
    public void Zero_padding_counts_against_the_byte_limit_so_a_stream_of_zeros_stops_early()
    {
        // 64 MiB of zeros: no archive at all, only what unpack_to_rootfs skips as padding.
        var bomb = Zstd(Zeros(64 << 20));
        var e = Assert.Throws<DumpCorruptException>(() => Read(bomb, new CpioReadLimits { MaxArchiveBytes = 1 << 20 }));
        // Padding is consumed 4 KiB at a time: the 257th block is the first over the limit.
        Assert.Equal($"'img': zstd data at 0x0: archive bytes {(1 << 20) + 4096} at offset 0x{1 << 20:x}: exceeds the maximum of 1048576", e.Message);
        // And padding plus archives share the budget.
        var padded = Gzip(Concat(Zeros(1 << 20), Archive()));
        var e2 = Assert.Throws<DumpCorruptException>(() => Read(padded, new CpioReadLimits { MaxArchiveBytes = (1 << 20) + 100 }));
        Assert.StartsWith("'img': gzip data at 0x0: archive bytes ", e2.Message, StringComparison.Ordinal);
        Assert.Equal(s_content, Read(padded, new CpioReadLimits { MaxArchiveBytes = (1 << 20) + Archive().Length }).Files[Wanted]);
    }

    [Fact]
    public void Compressed_data_may_start_off_a_4_byte_boundary_an_archive_may_not()
    {
        // unpack_to_rootfs tests the alignment only before a cpio magic; gzip after 1 byte of padding is read.
        var early = Archive("early_cpio", "1\n"u8.ToArray());
        var image = Concat(early, Zeros(1), Gzip(Archive()));
        var r = Read(image);
        Assert.Equal(s_content, r.Files[Wanted]);
        Assert.Equal([new(InitramfsSegmentKind.Cpio, 0, 1, 3), new(InitramfsSegmentKind.Gzip, early.Length + 1, 1, 3)], r.Segments);
    }

    [Fact]
    public void A_later_directory_of_the_wanted_name_removes_the_file_as_unpacking_does()
    {
        using var ms = new MemoryStream();
        var w = new CpioNewcWriter(ms);
        w.WriteDirectory(Wanted, UnixMode.Perm0755);
        w.Finish();
        Assert.Empty(Read(Concat(Archive(), ms.ToArray())).Files);
        // …and a later regular file of that name is read again.
        Assert.Equal(s_content, Read(Concat(Archive(), ms.ToArray(), Archive())).Files[Wanted]);
    }

    private static byte[] Patch(byte[] data, int offset, string ascii)
    {
        var copy = data.ToArray();
        Encoding.Latin1.GetBytes(ascii).CopyTo(copy, offset);
        return copy;
    }
}
