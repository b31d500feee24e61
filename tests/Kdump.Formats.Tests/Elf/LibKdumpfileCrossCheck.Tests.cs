using Kdump.Formats.Elf;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Formats.Tests.Elf;

/// <summary>
/// Our writer must not vouch for our reader: libkdumpfile reads the same generated big-endian and
/// 32-bit cores, and both must agree on VMCOREINFO and every page.
/// </summary>
public class LibKdumpfileCrossCheckTests
{
    [Theory]
    [InlineData(false, true, ElfConstants.EmX8664)]
    [InlineData(true, true, ElfConstants.EmS390)]
    [InlineData(false, false, ElfConstants.Em386)]
    [InlineData(true, false, ElfConstants.EmPpc)]
    public void Libkdumpfile_reads_our_generated_cores_like_we_do(bool bigEndian, bool is64, ushort machine)
    {
        var layout = new DataLayout(bigEndian, is64);
        var gen = TestDumps.SmallElf(layout, machine: machine);
        var path = Path.Combine(Path.GetTempPath(), $"gen-{layout.IsBigEndian}-{layout.Is64Bit}-{machine}-{Environment.ProcessId}.elf");
        File.WriteAllBytes(path, gen.Bytes);
        try
        {
            using var ours = DumpOpener.Open(path);
            // Skip the kernel-text overlap (lab-notes: libkdumpfile 0.5.1 misreads overlapping PT_LOADs)
            // and [p_filesz, p_memsz) (0x208..0x20b): libkdumpfile says "no data" there, we read zeros as drgn does.
            var sample = gen.Pages.Select(p => p.PhysAddr).Where(a => a / 4096 is (< 0x104 or >= 0x108) and (< 0x208 or >= 0x20c)).ToList();
            var theirs = LibKdumpfile.Read(path, 4096, sample);
            Assert.Equal(ours.VmcoreInfo.ToArray(), theirs.VmcoreInfo);
            var buf = new byte[4096];
            foreach (var a in sample)
            {
                Assert.Equal(PageReadStatus.Ok, ours.Physical.TryRead(new PhysAddr(a), buf));
                Assert.True(LibKdumpfile.Hash(buf) == theirs.PageHashes[a], $"page 0x{a:x}: ours {LibKdumpfile.Hash(buf)}, libkdumpfile {theirs.PageHashes[a]}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
