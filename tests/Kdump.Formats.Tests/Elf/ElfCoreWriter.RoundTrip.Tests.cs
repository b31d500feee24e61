using Kdump.Formats.Elf;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Formats.Tests.Elf;

public class ElfCoreWriterRoundTripTests
{
    public static TheoryData<bool, bool, bool> Layouts => new()
    {
        { false, true, false }, { true, true, false }, { false, false, false }, { true, false, false },
        { false, true, true }, { true, true, true }, { false, false, true }, { true, false, true },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Write_then_read_gives_the_same_headers_notes_and_memory(bool bigEndian, bool is64, bool sectionFirst)
    {
        var layout = new DataLayout(bigEndian, is64);
        var dump = TestDumps.SmallElf(layout, sectionFirst);
        using var opened = DumpOpener.Open(new MemoryByteSource(dump.Bytes, "gen.elf"));
        Assert.Equal(layout, opened.Layout);
        Assert.Equal(is64 ? "elf64" : "elf32", opened.FormatName);
        Assert.Equal(TestDumps.VmcoreInfoText, System.Text.Encoding.ASCII.GetString(opened.VmcoreInfo.Span));
        var elf = Assert.IsType<ElfDump>(opened);
        Assert.Equal(2, elf.Core.PrStatusCount);
        Assert.Equal(dump.Machine, elf.Core.Header.Machine);
        foreach (var (paddr, bytes) in dump.Pages)
        {
            var buf = new byte[bytes.Length];
            Assert.Equal(PageReadStatus.Ok, opened.Physical.TryRead(new PhysAddr(paddr), buf));
            Assert.Equal(bytes, buf);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Little_and_big_endian_cores_read_back_identically(bool is64)
    {
        var le = ElfCoreReader.Read(new MemoryByteSource(TestDumps.SmallElf(new DataLayout(false, is64)).Bytes));
        var be = ElfCoreReader.Read(new MemoryByteSource(TestDumps.SmallElf(new DataLayout(true, is64)).Bytes));
        Assert.Equal(le.ProgramHeaders, be.ProgramHeaders);
        Assert.Equal(le.Notes.Select(n => (n.Name, n.Type, n.Descriptor.ToArray())), be.Notes.Select(n => (n.Name, n.Type, n.Descriptor.ToArray())));
    }
}
