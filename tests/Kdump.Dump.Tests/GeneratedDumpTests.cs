using System.Buffers;
using Kdump.Compression;
using Kdump.Formats;
using Kdump.Formats.Diskdump;
using Kdump.Formats.Elf;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Dump.Tests;

/// <summary>
/// The engine on ELF vmcores generated here (no lab needed): two RAM ranges with a hole, a segment
/// with p_memsz &gt; p_filesz, zero pages, compressible and random pages.
/// </summary>
public class GeneratedDumpTests
{
    private const int PageSize = 4096;

    /// <summary>Pfns 0x10–0x2ff and 0x400–0x47f (last 0x20 pages without file data), VMCOREINFO without a kernel.</summary>
    internal static byte[] MakeVmcore()
    {
        byte[] Pages(ulong firstPfn, int count)
        {
            var data = new byte[count * PageSize];
            for (var i = 0; i < count; i++)
            {
                var page = data.AsSpan(i * PageSize, PageSize);
                var pfn = firstPfn + (ulong)i;
                switch (pfn % 5)
                {
                    case 0: break; // zero page
                    case 1: TestPages.Random((int)pfn).CopyTo(page); break;
                    default: TestPages.Mixed((int)pfn).CopyTo(page); break;
                }
            }
            return data;
        }
        var info = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n"u8.ToArray();
        return new ElfCoreWriter(DataLayout.LittleEndian64, 62)
            .AddNote("CORE", ElfConstants.NtPrstatus, new byte[336])
            .AddNote("VMCOREINFO", 0, info)
            .AddLoad(0x10 * PageSize, 0, Pages(0x10, 0x2f0))
            .AddLoad(0x400 * PageSize, 0, Pages(0x400, 0x60), memorySize: 0x80 * PageSize)
            .ToArray();
    }

    /// <summary>A dump file in memory; writes past <c>failAfter</c> bytes fail as a full disk.</summary>
    internal sealed class MemoryOutput(long failAfter = long.MaxValue) : IDumpOutput
    {
        public byte[] Bytes = [];
        private long _written;

        public string Name => "memory";

        public bool IsSeekable => true;

        public void WriteAt(long offset, ReadOnlySpan<byte> data)
        {
            if (_written + data.Length > failAfter) throw new IOException("No space left on device");
            _written += data.Length;
            EnsureLength(offset + data.Length);
            data.CopyTo(Bytes.AsSpan((int)offset));
        }

        public void EnsureLength(long length)
        {
            if (Bytes.Length < length) Array.Resize(ref Bytes, (int)length);
        }

        public void Flush()
        {
        }
    }

    private static byte[] Dump(DumpOptions options, long failAfter = long.MaxValue)
    {
        using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(MakeVmcore(), "generated.elf")));
        var output = new MemoryOutput(failAfter);
        new KdumpCompressedDumper(input, output, options).Write();
        return output.Bytes;
    }

    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (var codec in new[] { 0, 0x1, 0x2, 0x4, 0x20 })
        {
            data.Add(codec, 0);
            data.Add(codec, 1);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_stored_page_equals_the_source_page(int codecFlag, int level)
    {
        PageCodecs.TryGet((uint)codecFlag, out var codec);
        var bytes = Dump(new DumpOptions { Codec = codec, Level = (DumpLevel)level, WindowPfns = 32768 });
        using var source = DumpOpener.Open(new MemoryByteSource(MakeVmcore(), "generated.elf"));
        using var dump = KdumpCompressedDump.Open([new MemoryByteSource(bytes, "out.kdump")]);
        Assert.False(dump.IsIncomplete);
        Assert.Equal(0x480UL, dump.Primary.MaxMapNr);
        Assert.Equal(level, dump.Primary.SubHeader.DumpLevel);
        Assert.Equal(0x2f0 + 0x60, dump.StoredPfns().Count());
        Assert.False(dump.Primary.InMemoryBitmap.IsSet(0x300));
        Assert.True(dump.Primary.InMemoryBitmap.IsSet(0x470));
        Assert.False(dump.Primary.DumpableBitmap.IsSet(0x470));
        var a = new byte[PageSize];
        var b = new byte[PageSize];
        foreach (var pfn in dump.StoredPfns())
        {
            Assert.Equal(PageReadStatus.Ok, source.Physical.TryRead(new PhysAddr(pfn * PageSize), a));
            Assert.Equal(PageReadStatus.Ok, dump.Physical.TryRead(new PhysAddr(pfn * PageSize), b));
            Assert.True(a.AsSpan().SequenceEqual(b), $"pfn 0x{pfn:x}");
        }
    }

    [Fact]
    public void Thread_counts_and_windows_do_not_change_the_bytes()
    {
        var reference = Dump(new DumpOptions { Codec = PageCodecs.Zstd, Level = DumpLevel.Zero });
        foreach (var (threads, window) in new[] { (2, 1 << 20), (4, 32768), (3, 65536) })
            Assert.Equal(reference, Dump(new DumpOptions { Codec = PageCodecs.Zstd, Level = DumpLevel.Zero, Threads = threads, WindowPfns = window }));
    }

    /// <summary>
    /// Pages read in place from an mmap'd file (the path /proc/vmcore and regular files take) make the
    /// same bytes as pages copied with pread from the same vmcore, on one thread and on several.
    /// </summary>
    [Fact]
    public void Mapped_file_input_gives_the_bytes_of_copied_input()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kdump-dump-tests-{Environment.ProcessId}-{Guid.NewGuid():n}.elf");
        File.WriteAllBytes(path, MakeVmcore());
        try
        {
            foreach (var (codec, threads) in new[] { (PageCodecs.Lzo, 1), (PageCodecs.Lzo, 3), (PageCodecs.Zstd, 2) })
            {
                var options = new DumpOptions { Codec = codec, Level = DumpLevel.Zero, Threads = threads, WindowPfns = 32768 };
                using var input = DumpInput.Open(DumpOpener.Open(path));
                using (var view = input.TryMapPages(0x10, 0xf0))
                {
                    Assert.NotNull(view);
                    Assert.Equal(0xf0 * PageSize, view.Span.Length);
                }
                Assert.Null(input.TryMapPages(0x2f0, 0x20));   // runs past the first PT_LOAD
                var output = new MemoryOutput();
                new KdumpCompressedDumper(input, output, options).Write();
                Assert.Equal(Dump(options), output.Bytes);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A codec that fails on its 100th page: a programming error or a damaged input, not an I/O error.</summary>
    private sealed class FailingCodec : IPageCodec
    {
        private int _pages;

        public string Name => "failing";

        public PageCompression Flag => PageCodecs.Lzo.Flag;

        public OperationStatus Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
            PageCodecs.Lzo.Decompress(source, destination, out written);

        public OperationStatus Compress(ReadOnlySpan<byte> source, Span<byte> destination, out int written) =>
            Interlocked.Increment(ref _pages) == 100
                ? throw new InvalidOperationException("codec failure")
                : PageCodecs.Lzo.Compress(source, destination, out written);
    }

    /// <summary>Any failure after the headers, not only I/O, leaves the incomplete flag set (on one thread and from a worker).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_failure_other_than_io_still_flags_the_file_incomplete(int threads)
    {
        using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(MakeVmcore(), "generated.elf")));
        var output = new MemoryOutput();
        var dumper = new KdumpCompressedDumper(input, output, new DumpOptions { Codec = new FailingCodec(), Level = DumpLevel.Zero, Threads = threads });
        Assert.ThrowsAny<Exception>(() => dumper.Write());
        Assert.True(dumper.Report.Incomplete);
        using var dump = KdumpCompressedDump.Open([new MemoryByteSource(output.Bytes, "incomplete.kdump")]);
        Assert.True(dump.IsIncomplete);
    }

    /// <summary>
    /// -E of PT_LOADs that start and end inside pages (fs/proc/vmcore.c on EFI machines), as
    /// write_elf_pages_cyclic writes them. A segment over two pages: its own bytes from the partial
    /// first page (frac_head, always written) on; the partial last page is in no PT_LOAD's whole
    /// pages, so the cyclic first bitmap calls it a hole and it stays out of p_filesz. A segment
    /// inside one page: p_filesz = p_memsz = the first page's rest (frac_head), more than the
    /// segment; its bytes first, then what follows in the file (here its end: zeros), as upstream reads.
    /// </summary>
    [Fact]
    public void Elf_output_of_loads_inside_pages_is_makedumpfiles()
    {
        var info = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n"u8.ToArray();
        var (data, small) = (TestPages.Mixed(1), TestPages.Mixed(2, 0x100));
        var vmcore = new ElfCoreWriter(DataLayout.LittleEndian64, 62)
            .AddNote("CORE", ElfConstants.NtPrstatus, new byte[336])
            .AddNote("VMCOREINFO", 0, info)
            .AddLoad((0x10 * PageSize) + 0x200, 0, data)
            .AddLoad((0x20 * PageSize) + 0x100, 0, small)
            .ToArray();
        using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(vmcore, "unaligned.elf")));
        var output = new MemoryOutput();
        new KdumpCompressedDumper(input, output, new DumpOptions { Level = DumpLevel.Zero }).WriteElf();
        var file = output.Bytes;
        var core = ElfCoreReader.Read(new MemoryByteSource(file, "out.elf"));
        Assert.Equal(3, core.ProgramHeaders.Count);
        var loads = core.Loads.ToArray();
        Assert.Equal((0x10200UL, 0xe00UL, 0x1000UL), (loads[0].PhysicalAddress, loads[0].FileSize, loads[0].MemorySize));
        Assert.True(file.AsSpan((int)loads[0].Offset, 0xe00).SequenceEqual(data.AsSpan(0, 0xe00)), "the first segment's bytes are not the input's");
        Assert.Equal((0x20100UL, 0xf00UL, 0xf00UL), (loads[1].PhysicalAddress, loads[1].FileSize, loads[1].MemorySize));
        Assert.Equal(loads[0].Offset + 0xe00, loads[1].Offset);
        Assert.True(file.AsSpan((int)loads[1].Offset, 0x100).SequenceEqual(small), "the second segment's bytes are not the input's");
        Assert.True(file.AsSpan((int)loads[1].Offset + 0x100, 0xe00).IndexOfAnyExcept((byte)0) < 0);
    }

    /// <summary>
    /// -E plans its segments per PT_LOAD through the filter's windows: a machine whose memory reaches
    /// 16 TiB (max_mapnr 2^32, whose whole 2nd bitmap is 512 MiB, over the 256 MiB table limit the
    /// old whole-dump map was refused by) is written in a window's memory, in cyclic and in
    /// one-cycle counting alike, with a run of 0x180 zero pages split out far above 4 GiB.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Elf_output_of_memory_far_above_the_first_gib_needs_no_whole_dump_bitmap(bool oneCycle)
    {
        const ulong high = 1UL << 44;
        var info = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n"u8.ToArray();
        var low = new byte[0x20 * PageSize];
        for (var i = 0; i < 0x20; i += 2) TestPages.Mixed(i).CopyTo(low.AsSpan(i * PageSize));
        var far = new byte[0x300 * PageSize];
        for (var i = 0; i < 0x300; i++)
        {
            if (i is < 0x80 or >= 0x200) TestPages.Mixed(0x1000 + i).CopyTo(far.AsSpan(i * PageSize));
        }
        var vmcore = new ElfCoreWriter(DataLayout.LittleEndian64, 62)
            .AddNote("CORE", ElfConstants.NtPrstatus, new byte[336])
            .AddNote("VMCOREINFO", 0, info)
            .AddLoad(0x10 * PageSize, 0, low)
            .AddLoad(high, 0, far)
            .ToArray();
        using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(vmcore, "far.elf")));
        Assert.Equal((high / PageSize) + 0x300, input.MaxMapNr);
        var options = new DumpOptions { Level = DumpLevel.Zero, OneCycle = oneCycle };
        // What the engine allocates, the output discarded (the MemoryOutput below grows by copies).
        var before = GC.GetAllocatedBytesForCurrentThread();
        new KdumpCompressedDumper(input, new DiscardDumpOutput("discard"), options).WriteElf();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 << 20, $"{allocated} bytes allocated");

        var output = new MemoryOutput();
        var dumper = new KdumpCompressedDumper(input, output, options);
        dumper.WriteElf();
        var core = ElfCoreReader.Read(new MemoryByteSource(output.Bytes, "out.elf"));
        var loads = core.Loads.ToArray();
        Assert.Equal(3, loads.Length);
        // Odd pages are zero: kept inside the segment, the trailing one is p_memsz past p_filesz.
        Assert.Equal((0x10UL * PageSize, 0x1fUL * PageSize, 0x20UL * PageSize), (loads[0].PhysicalAddress, loads[0].FileSize, loads[0].MemorySize));
        Assert.Equal((high, 0x80UL * PageSize, 0x200UL * PageSize), (loads[1].PhysicalAddress, loads[1].FileSize, loads[1].MemorySize));
        Assert.Equal((high + (0x200UL * PageSize), 0x100UL * PageSize, 0x100UL * PageSize), (loads[2].PhysicalAddress, loads[2].FileSize, loads[2].MemorySize));
        Assert.True(output.Bytes.AsSpan((int)loads[2].Offset, 0x100 * PageSize).SequenceEqual(far.AsSpan(0x200 * PageSize)), "the far segment's pages are not the input's");
        // The split-out run and the low segment's trailing zero page.
        Assert.Equal(0x181UL, dumper.Report.ElfExcluded);
    }

    [Fact]
    public void A_write_failure_leaves_a_readable_file_flagged_incomplete()
    {
        using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(MakeVmcore(), "generated.elf")));
        // The engine's write caches are at least 1 MiB: raw pages and a 2 MiB budget let the first
        // flushes land and a later one fail, so the file holds some pages and loses others.
        var output = new MemoryOutput(failAfter: 2 << 20);
        var dumper = new KdumpCompressedDumper(input, output, new DumpOptions { Level = DumpLevel.Zero, CacheOrder = 2 });
        Assert.Throws<IOException>(() => dumper.Write());
        Assert.True(dumper.Report.Incomplete);

        using var dump = KdumpCompressedDump.Open([new MemoryByteSource(output.Bytes, "incomplete.kdump")]);
        Assert.True(dump.IsIncomplete);
        using var source = DumpOpener.Open(new MemoryByteSource(MakeVmcore(), "generated.elf"));
        var a = new byte[PageSize];
        var b = new byte[PageSize];
        int ok = 0, lost = 0;
        foreach (var pfn in dump.StoredPfns())
        {
            var status = dump.Physical.TryRead(new PhysAddr(pfn * PageSize), b);
            if (status == PageReadStatus.NotStored)
            {
                lost++;
                continue;
            }
            Assert.Equal(PageReadStatus.Ok, status);
            Assert.Equal(PageReadStatus.Ok, source.Physical.TryRead(new PhysAddr(pfn * PageSize), a));
            Assert.True(a.AsSpan().SequenceEqual(b), $"pfn 0x{pfn:x}");
            ok++;
        }
        Assert.True(ok > 0 && lost > 0, $"{ok} readable, {lost} lost");
    }
}
