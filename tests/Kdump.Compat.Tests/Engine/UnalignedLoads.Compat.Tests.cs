using System.Text;
using Kdump.Compat.Tests.Tools;
using Kdump.Formats.Elf;
using Kdump.Memory;
using Kdump.Makedumpfile;
using Kdump.Primitives.IO;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Engine;

/// <summary>
/// PT_LOADs that do not start or end on a page, as /proc/vmcore shows them on EFI machines whose
/// firmware splits System RAM at setup_data (e.g. 5c7b8018): fs/proc/vmcore.c keeps p_paddr and
/// p_memsz, stores whole pages and points p_offset into the first one. The lab's vmcores are
/// aligned, so the test cuts the RAM segment of a real one that way, ends the last segment inside
/// a page, and checks our -E and -l output against makedumpfile 1.7.8's, byte for byte, with the
/// same report (-E recounts memory holes over the pages it walks).
/// </summary>
public sealed class UnalignedLoadsCompatTests
{
    private const int PageSize = 4096;

    /// <summary>Buddy blocks are at most 4 MiB (order 10) and aligned to their size: cuts there split none.</summary>
    private const ulong MaxBlockPages = 1024;

    private static InProcess.Result Run(params string[] args) => InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", args);

    [Fact]
    public void Elf_and_kdump_outputs_of_unaligned_loads_equal_makedumpfile_1_7_8s()
    {
        using var scratch = Lab.Scratch("unaligned-loads");
        var dir = scratch.Path;
        var source = Lab.Fixture("bookworm", "proc-vmcore.elf");
        HashSet<ulong> stored;
        using (var reference = KdumpCompressedDump.Open([Lab.Fixture("bookworm", "derived/l-d31.kdump")]))
            stored = [.. reference.StoredPfns()];

        var ram = ReadLoads(source).MaxBy(l => l.MemSize);
        var (first, end) = (ram.PAddr / PageSize, (ram.PAddr + ram.MemSize) / PageSize);
        // A cut 0x18 bytes into a page 1.7.8 keeps at -d 31 (not free: no buddy block spans it)
        // after 256 or more pages it drops (so that page, the first piece's partial last one,
        // follows a split), and a 4 MiB block with no kept page: a PT_LOAD whose pages all go.
        var kept = stored.Where(p => p >= first + ((end - first) / 2) + 256 && p < end
            && !Enumerable.Range(1, 256).Any(k => stored.Contains(p - (ulong)k))).Min();
        var empty = Enumerable.Range(0, (int)((end - first) / MaxBlockPages))
            .Select(i => ((first + MaxBlockPages - 1) / MaxBlockPages * MaxBlockPages) + ((ulong)i * MaxBlockPages))
            .First(b => b + MaxBlockPages <= end && !Enumerable.Range(0, (int)MaxBlockPages).Any(k => stored.Contains(b + (ulong)k)));
        ulong[] cuts = [.. new[] { (kept * PageSize) + 0x18, empty * PageSize, (empty + MaxBlockPages) * PageSize }.Order()];
        var vmcore = Path.Combine(dir, "unaligned.elf");
        WriteCut(source, vmcore, ram, cuts);
        TrimLast(vmcore, 0xe00);
        Assert.Contains(ReadLoads(vmcore), l => l.PAddr % PageSize != 0);

        foreach (var options in new[] { "-E -d 31", "-E -d 1", "-l -d 31" })
        {
            var theirFile = Path.Combine(dir, "theirs");
            var ourFile = Path.Combine(dir, "ours");
            string[] Argv(string output) => ["--message-level", "31", .. options.Split(' '), vmcore, output];
            var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), Argv(theirFile));
            var ours = Run(Argv(ourFile));
            Assert.True((theirs.ExitCode, ours.ExitCode) == (0, 0), $"{options}: exit codes {theirs.ExitCode} / {ours.ExitCode}: {ours.Stderr}");
            Assert.True(File.ReadAllBytes(theirFile).AsSpan().SequenceEqual(File.ReadAllBytes(ourFile)), $"{options}: our file differs from 1.7.8's");
            Assert.Equal(ReportText.PageCounts(Encoding.UTF8.GetString(theirs.Stdout)), ReportText.PageCounts(ours.StdoutText));
            if (options == "-E -d 31")
            {
                // What this test is for: a load that starts inside a page, and one without data
                // that ends its input segment (1.7.8 gives it the running p_offset, not 0).
                var outLoads = ReadLoads(ourFile);
                Assert.Contains(outLoads, l => l.PAddr % PageSize != 0 && l.FileSize > 0);
                Assert.Contains(outLoads, l => l.FileSize == 0 && l.Offset != 0);
                // The partial page after a split counts whole (1.7.8's memsz = filesz = page size).
                Assert.Contains(outLoads, l => l.PAddr == kept * PageSize && l.FileSize == PageSize && l.MemSize == PageSize);
            }
            File.Delete(theirFile);
            File.Delete(ourFile);
        }
    }

    /// <summary>A PT_LOAD and its place in the program header table.</summary>
    private readonly record struct Load(int Index, ElfProgramHeader Header)
    {
        public ulong PAddr => Header.PhysicalAddress;
        public ulong MemSize => Header.MemorySize;
        public ulong FileSize => Header.FileSize;
        public ulong Offset => Header.Offset;
    }

    private static ElfCore Headers(string path)
    {
        using var source = FileByteSource.Open(path);
        return ElfCoreReader.Read(source);
    }

    private static List<Load> ReadLoads(string path) =>
        [.. Headers(path).ProgramHeaders.Select((h, i) => new Load(i, h)).Where(l => l.Header.Type == ElfConstants.PtLoad)];

    /// <summary>The highest PT_LOAD made <paramref name="bytes"/> shorter: its last page partial, in no other PT_LOAD.</summary>
    private static void TrimLast(string path, ulong bytes)
    {
        var core = Headers(path);
        var last = ReadLoads(path).MaxBy(l => l.PAddr + l.MemSize);
        var headers = core.ProgramHeaders.ToArray();
        headers[last.Index] = last.Header with { FileSize = last.FileSize - bytes, MemorySize = last.MemSize - bytes };
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        ElfHeaderEdit.WriteProgramHeaders(f, core, headers);
    }

    /// <summary>
    /// A copy of <paramref name="source"/> with <paramref name="segment"/> cut at the addresses
    /// given, laid out as fs/proc/vmcore.c does: the first piece keeps its data in place, each
    /// other piece gets its whole pages appended (page aligned) and a p_offset into the first.
    /// </summary>
    private static void WriteCut(string source, string target, Load segment, ulong[] cuts)
    {
        var core = Headers(source);
        var firstData = ReadLoads(source).Min(l => l.Offset);
        Assert.True(core.Header.ProgramHeaderOffset + ((ulong)(core.ProgramHeaders.Count + cuts.Length) * core.Header.ProgramHeaderEntrySize) <= firstData,
            "no room for the new program headers");
        File.Copy(source, target);
        using var f = new FileStream(target, FileMode.Open, FileAccess.ReadWrite);

        ulong[] bounds = [segment.PAddr, .. cuts, segment.PAddr + segment.MemSize];
        var pieces = new List<ElfProgramHeader>();
        for (var i = 0; i + 1 < bounds.Length; i++)
        {
            var (start, stop) = (bounds[i], bounds[i + 1]);
            ulong offset = segment.Offset + (start - segment.PAddr);
            if (i > 0)
            {
                var pageStart = start / PageSize * PageSize;
                var pageEnd = (stop + PageSize - 1) / PageSize * PageSize;
                var at = (f.Length + PageSize - 1) / PageSize * PageSize;
                var buffer = new byte[1 << 20];
                for (var done = 0UL; done < pageEnd - pageStart; done += (ulong)buffer.Length)
                {
                    var n = (int)Math.Min((ulong)buffer.Length, pageEnd - pageStart - done);
                    f.Position = (long)(segment.Offset + (pageStart - segment.PAddr) + done);
                    f.ReadExactly(buffer.AsSpan(0, n));
                    f.Position = at + (long)done;
                    f.Write(buffer.AsSpan(0, n));
                }
                offset = (ulong)at + (start - pageStart);
            }
            pieces.Add(segment.Header with
            {
                Offset = offset,
                VirtualAddress = segment.Header.VirtualAddress + (start - segment.PAddr),
                PhysicalAddress = start,
                FileSize = stop - start,
                MemorySize = stop - start,
            });
        }
        var headers = core.ProgramHeaders.ToList();
        headers.RemoveAt(segment.Index);
        headers.InsertRange(segment.Index, pieces);
        ElfHeaderEdit.WriteProgramHeaders(f, core, headers);
    }
}
