using System.Text;
using Kdump.Compression;
using Kdump.Formats;
using Kdump.Formats.Diskdump;
using Kdump.Memory;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Dump.Tests;

/// <summary>
/// Erase ranges through --split and --reassemble on the generated vmcore: each part erases the
/// ranges of its own pfns from the whole list and keeps its own eraseinfo; the reassembled file
/// has the pages of the parts and their eraseinfo joined in part order (reassemble_dumpfile).
/// </summary>
public class EraseSplitTests
{
    private const int PageSize = 4096;

    [Fact]
    public void Parts_erase_their_own_pfns_and_the_reassembly_joins_their_eraseinfo()
    {
        var erase = new EraseList();
        var (low, high, across) = (new EraseList.Command("low"), new EraseList.Command("high"), new EraseList.Command("across"));
        erase.Add(0x20 * PageSize + 100, 50, false, low);
        erase.Add(0x420 * PageSize + 8, 8, nullify: true, high);
        erase.Add(0x2ff * PageSize + 4000, 200, false, across);   // runs into the hole after pfn 0x2ff: cut there
        using var source = DumpOpener.Open(new MemoryByteSource(GeneratedDumpTests.MakeVmcore(), "generated.elf"));
        using var input = DumpInput.Open(source);
        var parts = new[] { new GeneratedDumpTests.MemoryOutput(), new GeneratedDumpTests.MemoryOutput(), new GeneratedDumpTests.MemoryOutput() };
        var options = new DumpOptions { Codec = PageCodecs.Lzo, Level = Kdump.Kernel.Pages.DumpLevel.Zero, Erase = erase, SplitblockBytes = 0x40 * PageSize };
        new KdumpCompressedDumper(input, new GeneratedDumpTests.MemoryOutput(), options).WriteSplit(parts);

        string Info(byte[] file)
        {
            using var d = KdumpCompressedDump.Open([new MemoryByteSource(file, "part")]);
            return Encoding.Latin1.GetString(d.Primary.EraseInfo.Span);
        }
        (ulong Start, ulong End) Range(byte[] file)
        {
            using var d = KdumpCompressedDump.Open([new MemoryByteSource(file, "part")]);
            return (d.Primary.StartPfn, d.Primary.EndPfn);
        }
        var infos = parts.Select(p => Info(p.Bytes)).ToArray();
        // Each line is in the part that holds its range's first pfn, and only there; lines come in
        // the order the commands first added a range (write_eraseinfo), not by address.
        var lines = new (ulong Pfn, string Line)[] { (0x20, "erase low size 50\n"), (0x420, "erase high nullify\n"), (0x2ff, "erase across size 96\n") };
        for (var i = 0; i < parts.Length; i++)
        {
            var (start, end) = Range(parts[i].Bytes);
            Assert.Equal(string.Concat(lines.Where(l => l.Pfn >= start && l.Pfn < end).Select(l => l.Line)), infos[i]);
        }
        Assert.True(infos.Count(i => i.Length > 0) >= 2, "the ranges fell in one part: the join is not tested");

        using var set = KdumpCompressedDump.Open([.. parts.Select((p, i) => (IByteSource)new MemoryByteSource(p.Bytes, $"part{i}"))]);
        using var setInput = DumpInput.Open(set);
        var whole = new GeneratedDumpTests.MemoryOutput();
        new KdumpCompressedDumper(setInput, whole, new DumpOptions { Codec = PageCodecs.Lzo }).Write();
        Assert.Equal(string.Concat(infos), Info(whole.Bytes));

        using var result = KdumpCompressedDump.Open([new MemoryByteSource(whole.Bytes, "whole")]);
        var page = new byte[PageSize];
        Assert.Equal(PageReadStatus.Ok, result.Physical.TryRead(new PhysAddr(0x20 * PageSize), page));
        Assert.All(page.AsSpan(100, 50).ToArray(), b => Assert.Equal((byte)'X', b));
        Assert.NotEqual((byte)'X', page[99]);
        Assert.Equal(PageReadStatus.Ok, result.Physical.TryRead(new PhysAddr(0x420 * PageSize), page));
        Assert.Equal(new byte[8], page.AsSpan(8, 8).ToArray());
        Assert.Equal(PageReadStatus.Ok, result.Physical.TryRead(new PhysAddr(0x2ff * PageSize), page));
        Assert.All(page.AsSpan(4000, 96).ToArray(), b => Assert.Equal((byte)'X', b));
    }
}
