using System.Diagnostics;
using Kdump.Formats.Flattened;
using Kdump.Memory;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;
using Kdump.Tests.Shared;

namespace Kdump.Formats.Tests.Flattened;

public class FlattenedTests
{
    /// <summary>Out-of-order, overlapping records with a hole, as makedumpfile's cache flushes produce.</summary>
    private static (byte[] Flat, byte[] Expected) Generate()
    {
        var expected = new byte[20000];
        using var ms = new MemoryStream();
        var w = new FlattenedWriter(ms);
        void Put(long at, byte fill, int len)
        {
            var data = Enumerable.Range(0, len).Select(i => unchecked((byte)(fill + i))).ToArray();
            w.WriteRecord(at, data);
            data.CopyTo(expected, at);
        }
        Put(0, 1, 464);
        Put(4200, 2, 300);
        Put(4096, 3, 104);
        Put(12000, 4, 8000);
        Put(100, 5, 50);        // overwrites part of the first record
        Put(11990, 6, 20);      // overlaps the start of a later-offset record
        // 500..4095 except what was written is a hole: zeros.
        w.Complete();
        return (ms.ToArray(), expected);
    }

    [Fact]
    public void The_in_place_view_equals_sequential_replay()
    {
        var (flat, expected) = Generate();
        using var view = FlattenedByteSource.Open(new MemoryByteSource(flat, "x.flat"));
        Assert.Equal(expected.Length, view.Length);
        var all = new byte[view.Length];
        view.ReadExactlyAt(0, all, "all");
        Assert.Equal(expected, all);
        // Odd-sized reads across piece borders.
        for (var at = 0; at < expected.Length; at += 977)
        {
            var part = new byte[Math.Min(1500, expected.Length - at)];
            view.ReadExactlyAt(at, part, "part");
            Assert.Equal(expected.AsSpan(at, part.Length).ToArray(), part);
        }
    }

    [Fact]
    public void Reassemble_from_a_pipe_gives_the_replayed_file()
    {
        var (flat, expected) = Generate();
        using var scratch = Lab.Scratch("kdump-flat");
        var dir = scratch.Path;
        var input = Path.Combine(dir, "in.flat");
        File.WriteAllBytes(input, flat);
        // A real pipe: cat writes, we read forward only from its stdout.
        var psi = new ProcessStartInfo("cat") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(input);
        using var cat = Process.Start(psi)!;
        var output = Path.Combine(dir, "out");
        using (var fs = new FileStream(output, FileMode.Create, FileAccess.ReadWrite))
            FlattenedReassembler.Reassemble(cat.StandardOutput.BaseStream, fs);
        cat.WaitForExit();
        Assert.Equal(expected, File.ReadAllBytes(output));
    }

    [Fact]
    public void DumpOpener_refuses_flattened_unless_asked_and_reads_it_when_asked()
    {
        var w = Diskdump.TestDiskDumpWriter.Standard(Kdump.Compression.PageCompression.Zlib);
        var kdump = w.Write();
        using var ms = new MemoryStream();
        var fw = new FlattenedWriter(ms);
        // Descriptors and data before the headers, in 3000-byte pieces, in reverse.
        var pieces = Enumerable.Range(0, (kdump.Length + 2999) / 3000).Reverse();
        foreach (var i in pieces) fw.WriteRecord(i * 3000L, kdump.AsSpan(i * 3000, Math.Min(3000, kdump.Length - i * 3000)));
        fw.Complete();
        var flat = ms.ToArray();

        var e = Assert.Throws<DumpFormatMismatchException>(() => DumpOpener.Open(new MemoryByteSource(flat, "/x/F.flat")));
        Assert.Equal("'/x/F.flat' is a flattened-format dump; reassemble it with makedumpfile -R", e.Message);
        Assert.Equal("flattened", e.DetectedFormat);

        using var dump = DumpOpener.Open(new MemoryByteSource(flat, "/x/F.flat"), new DumpOpenOptions { AcceptFlattened = true });
        Assert.Equal("flattened+kdump-compressed", dump.FormatName);
        var buf = new byte[4096];
        Assert.Equal(PageReadStatus.Ok, dump.Physical.TryRead(new(0x11 * 4096), buf));
        Assert.Equal(w.Pages[0x11], buf);
    }

    [Theory]
    [InlineData(-2L, 10L, "offset")]
    [InlineData(100L, 0L, "buf_size")]
    [InlineData(100L, -5L, "buf_size")]
    public void Bad_record_headers_are_corrupt(long offset, long size, string field)
    {
        using var ms = new MemoryStream();
        var fw = new FlattenedWriter(ms);
        fw.WriteRecord(0, new byte[10]);
        Span<byte> rh = stackalloc byte[16];
        new FlattenedRecordHeader(offset, size).WriteCore(rh);
        ms.Write(rh);
        var e = Assert.Throws<DumpCorruptException>(() => FlattenedByteSource.Open(new MemoryByteSource(ms.ToArray(), "bad.flat")));
        Assert.Contains("'bad.flat'", e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains("at offset 0x101a", e.Message);
        var r = Assert.Throws<DumpCorruptException>(() =>
            FlattenedReassembler.Reassemble(new MemoryStream(ms.ToArray()), new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose)));
        Assert.Contains("end", r.Message);
    }

    [Fact]
    public void A_stream_without_end_marker_is_truncated()
    {
        using var ms = new MemoryStream();
        var fw = new FlattenedWriter(ms);
        fw.WriteRecord(0, new byte[10]);
        var bytes = ms.ToArray();
        var e = Assert.Throws<UnexpectedEndOfDumpException>(() => FlattenedByteSource.Open(new MemoryByteSource(bytes, "cut.flat")));
        Assert.Contains("'cut.flat'", e.Message);
        Assert.Contains("0x101a", e.Message);
        // Data cut short inside a record.
        var e2 = Assert.Throws<UnexpectedEndOfDumpException>(() => FlattenedByteSource.Open(new MemoryByteSource(bytes.AsSpan(0, bytes.Length - 3).ToArray(), "cut.flat")));
        Assert.Contains("buf_size 10", e2.Message);
    }
}
