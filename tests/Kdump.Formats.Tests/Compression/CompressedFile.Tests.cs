using System.Text;
using Kdump.Compression;
using Kdump.Primitives.Errors;
using Kdump.Tests.Shared;

namespace Kdump.Formats.Tests.Compression;

/// <summary>
/// Whole compressed files (kernel modules) decoded by their magic: inputs made here by the xz, zstd
/// and gzip programs (kbuild's xz options), and the real .ko.xz modules of the lab's Debian 13 kernel.
/// </summary>
public class CompressedFileTests
{
    private const long Limit = 64 << 20;

    /// <summary>200 KiB of text-like and random bytes, seeded: compressible, but not trivially.</summary>
    private static byte[] Sample()
    {
        var random = new Random(20261128);
        var text = new StringBuilder();
        while (text.Length < 100_000) text.Append("module_layout ").Append(random.Next(1_000_000)).Append(" ext4_fill_super\n");
        var bytes = new byte[200 << 10];
        Encoding.ASCII.GetBytes(text.ToString(), bytes);
        random.NextBytes(bytes.AsSpan(150 << 10));
        return bytes;
    }

    private static byte[] Compress(ScratchDir scratch, byte[] data, string program, params string[] options)
    {
        var input = Path.Combine(scratch.Path, "plain");
        File.WriteAllBytes(input, data);
        var r = ExternalProcess.Run(program, [.. options, "-c", input]);
        Assert.True(r.ExitCode == 0, $"{program}: {r.Stderr}");
        return r.Stdout;
    }

    private static string Write(ScratchDir scratch, string name, byte[] bytes)
    {
        var path = Path.Combine(scratch.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("xz", new[] { "--check=crc32", "--lzma2=dict=1MiB" })] // how kbuild compresses modules (scripts/Makefile.modinst)
    [InlineData("xz", new[] { "-9e" })]
    [InlineData("zstd", new[] { "-q", "-19" })]
    [InlineData("gzip", new[] { "-n", "-9" })]
    public void Each_format_is_told_by_its_magic_and_decoded(string program, string[] options)
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        // A name that says nothing: the magic decides.
        var path = Write(scratch, "module", Compress(scratch, data, program, options));
        Assert.Equal(data, CompressedFile.ReadPlain(path, Limit));
    }

    /// <summary>A source that hands out 1–7 bytes a read, so the decoder sees every split of its input.</summary>
    private sealed class Trickle(byte[] data) : MemoryStream(data, writable: false)
    {
        private int _n;

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (_n++ % 7))]);
    }

    [Fact]
    public void The_xz_stream_decodes_input_in_any_pieces_into_any_buffer_sizes()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        var half = data.Length / 2;
        byte[] packed = [.. Compress(scratch, data[..half], "xz"), .. Compress(scratch, data[half..], "xz", "--check=crc32")];
        using var xz = new XzDecoderStream(new Trickle(packed));
        var output = new MemoryStream();
        var buffer = new byte[13];
        int n, i = 0;
        while ((n = xz.Read(buffer.AsSpan(0, 1 + (i++ % buffer.Length)))) > 0) output.Write(buffer, 0, n);
        Assert.Equal(data, output.ToArray());
        Assert.Equal(0, xz.Read(buffer));

        using var cut = new XzDecoderStream(new Trickle(packed[..^5]));
        Assert.Throws<EndOfStreamException>(() => cut.CopyTo(Stream.Null));
    }

    /// <summary>A source whose third read fails once (a transient I/O error), then reads on.</summary>
    private sealed class FailsOnce(byte[] data) : MemoryStream(data, writable: false)
    {
        private int _reads;

        public override int Read(Span<byte> buffer) =>
            ++_reads == 3 ? throw new IOException("transient") : base.Read(buffer[..Math.Min(buffer.Length, 4096)]);
    }

    [Fact]
    public void A_read_retried_after_the_source_failed_goes_on_where_it_stopped()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        using var xz = new XzDecoderStream(new FailsOnce(Compress(scratch, data, "xz")));
        var output = new MemoryStream();
        var buffer = new byte[1 << 16];
        var failures = 0;
        while (true)
        {
            int n;
            try { n = xz.Read(buffer); }
            catch (IOException) { failures++; continue; }
            if (n == 0) break;
            output.Write(buffer, 0, n);
        }
        Assert.Equal(1, failures);
        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public void Xz_stream_padding_an_empty_source_and_dispose_behave_as_streams_do()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        var packed = Compress(scratch, data, "xz");
        // Stream padding (multiples of 4 zero bytes) after and between streams is part of the format.
        using (var padded = new XzDecoderStream(new MemoryStream([.. packed, 0, 0, 0, 0, .. packed, 0, 0, 0, 0, 0, 0, 0, 0])))
        {
            var output = new MemoryStream();
            padded.CopyTo(output);
            Assert.Equal([.. data, .. data], output.ToArray());
        }
        using (var empty = new XzDecoderStream(new MemoryStream()))
            Assert.Throws<EndOfStreamException>(() => empty.ReadByte());

        var source = new MemoryStream(packed);
        var xz = new XzDecoderStream(source, leaveOpen: true);
        Assert.True(xz.CanRead);
        Assert.Throws<ArgumentNullException>(() => xz.Read(null!, 0, 1));
        xz.Dispose();
        xz.Dispose();
        Assert.False(xz.CanRead);
        Assert.Throws<ObjectDisposedException>(() => xz.ReadByte());
        Assert.True(source.CanRead, "leaveOpen keeps the source open");
        new XzDecoderStream(source).Dispose();
        Assert.False(source.CanRead);
    }

    [Fact]
    public void Concatenated_xz_streams_decode_as_one_file_and_plain_files_come_back_as_read()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        var half = data.Length / 2;
        var a = Compress(scratch, data[..half], "xz");
        var b = Compress(scratch, data[half..], "xz");
        Assert.Equal(data, CompressedFile.ReadPlain(Write(scratch, "two.xz", [.. a, .. b]), Limit));
        Assert.Equal(data, CompressedFile.ReadPlain(Write(scratch, "plain.ko.xz", data), Limit));
    }

    [Fact]
    public void Damaged_truncated_and_oversized_streams_are_refused_with_the_file_named()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        foreach (var (program, format) in new[] { ("xz", "xz"), ("zstd", "zstd"), ("gzip", "gzip") })
        {
            var packed = Compress(scratch, data, program);

            var damaged = (byte[])packed.Clone();
            damaged[damaged.Length / 2] ^= 0x55;
            var path = Write(scratch, $"damaged.{program}", damaged);
            var e = Assert.Throws<DumpCorruptException>(() => CompressedFile.ReadPlain(path, Limit));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains($"{format} stream", e.Message, StringComparison.Ordinal);

            var cut = Write(scratch, $"cut.{program}", packed[..(packed.Length / 2)]);
            var truncated = Record.Exception(() => CompressedFile.ReadPlain(cut, Limit));
            Assert.True(truncated is DumpCorruptException, $"{program}: a stream cut in half gave {truncated?.GetType().Name ?? "no error"}");

            var whole = Write(scratch, $"whole.{program}", packed);
            var over = Assert.Throws<DumpCorruptException>(() => CompressedFile.ReadPlain(whole, data.Length - 1));
            Assert.Contains("exceeds the maximum of " + (data.Length - 1), over.Message, StringComparison.Ordinal);
            Assert.Equal(data, CompressedFile.ReadPlain(whole, data.Length));
        }
    }

    [Fact]
    public void Gzip_members_follow_each_other_and_bytes_after_the_last_are_ignored_as_gzread_does()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        var half = data.Length / 2;
        byte[] members = [.. Compress(scratch, data[..half], "gzip", "-n"), .. Compress(scratch, data[half..], "gzip", "-n")];
        Assert.Equal(data, CompressedFile.ReadPlain(Write(scratch, "two.gz", members), Limit));
        Assert.Equal(data, CompressedFile.ReadPlain(Write(scratch, "padded.gz", [.. members, 0, 0, 0, 0]), Limit));
        Assert.Equal(data, CompressedFile.ReadPlain(Write(scratch, "junk.gz", [.. members, (byte)'j', (byte)'u', (byte)'n', (byte)'k']), Limit));
        // A third member that starts but is cut is still an error.
        var third = Compress(scratch, data[..1000], "gzip", "-n");
        Assert.Throws<DumpCorruptException>(() => CompressedFile.ReadPlain(Write(scratch, "cut3.gz", [.. members, .. third[..(third.Length / 2)]]), Limit));
    }

    [Fact]
    public void Links_are_followed_to_their_target_for_its_size_and_type()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var data = Sample();
        var plain = Write(scratch, "plain.ko", data);
        var link = Path.Combine(scratch.Path, "link.ko");
        File.CreateSymbolicLink(link, plain);
        Assert.Equal(data, CompressedFile.ReadPlain(link, Limit));
        // The bound is the target's size, not the link's (a few bytes of path).
        var over = Assert.Throws<DumpCorruptException>(() => CompressedFile.ReadPlain(link, data.Length - 1));
        Assert.Contains("file size " + data.Length, over.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => CompressedFile.ReadPlain(Path.Combine(scratch.Path, "dangling.ko"), Limit));
        File.CreateSymbolicLink(Path.Combine(scratch.Path, "dangling.ko"), Path.Combine(scratch.Path, "none"));
        Assert.Throws<FileNotFoundException>(() => CompressedFile.ReadPlain(Path.Combine(scratch.Path, "dangling.ko"), Limit));
    }

    [Fact]
    public async Task A_fifo_or_an_empty_file_reads_as_empty_without_blocking()
    {
        using var scratch = Lab.Scratch("compressed-file");
        var fifo = Path.Combine(scratch.Path, "fifo.ko");
        var r = ExternalProcess.Run("mkfifo", [fifo]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var link = Path.Combine(scratch.Path, "link-to-fifo.ko");
        File.CreateSymbolicLink(link, fifo);
        foreach (var path in new[] { fifo, link })
        {
            // Opening a FIFO for reading would wait for a writer that never comes.
            var read = Task.Run(() => CompressedFile.ReadPlain(path, Limit));
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))) != read)
            {
                await File.WriteAllBytesAsync(fifo, []); // lets the blocked open return
                Assert.Fail($"ReadPlain blocked on {path}");
            }
            Assert.Empty(await read);
        }
        Assert.Empty(CompressedFile.ReadPlain(Write(scratch, "empty", []), Limit));
        Assert.Throws<FileNotFoundException>(() => CompressedFile.ReadPlain(Path.Combine(scratch.Path, "none"), Limit));
    }

    /// <summary>Debian 13's real modules (.ko.xz as its linux-image package ships them) equal xz's own decoding.</summary>
    [Fact]
    public void Real_ko_xz_modules_of_the_lab_kernel_decode_as_xz_decodes_them()
    {
        var (modules, _) = Lab.Modules("trixie");
        var files = Directory.EnumerateFiles(modules, "*.ko.xz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 100, $"{files.Count} .ko.xz under {modules}");
        // The three largest and two small ones: the sizes kbuild's 1 MiB dictionary sees.
        var chosen = files.OrderByDescending(f => new FileInfo(f).Length).Take(3).Concat(files.Take(2)).ToList();
        foreach (var file in chosen)
        {
            var xz = ExternalProcess.Run("xz", ["-dc", file]);
            Assert.True(xz.ExitCode == 0, xz.Stderr);
            var plain = CompressedFile.ReadPlain(file, 1L << 30);
            Assert.Equal(xz.Stdout.Length, plain.Length);
            Assert.True(xz.Stdout.AsSpan().SequenceEqual(plain), file);
            Assert.True(plain.AsSpan().StartsWith("\x7f"u8 + "ELF"u8), file);
        }
    }
}
