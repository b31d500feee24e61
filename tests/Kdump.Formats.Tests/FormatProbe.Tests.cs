using Kdump.Memory;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Formats.Tests;

public class FormatProbeTests
{
    [Theory]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 1, 1 }, DumpFormat.Elf32)]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 2, 2 }, DumpFormat.Elf64)]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 9 }, DumpFormat.ElfInvalid)]
    [InlineData(new byte[] { (byte)'K', (byte)'D', (byte)'U', (byte)'M', (byte)'P', 32, 32, 32, 6, 0 }, DumpFormat.KdumpCompressed)]
    [InlineData(new byte[] { (byte)'D', (byte)'I', (byte)'S', (byte)'K', (byte)'D', (byte)'U', (byte)'M', (byte)'P' }, DumpFormat.DiskDump)]
    [InlineData(new byte[] { 0x1f, 0x8b, 8, 0 }, DumpFormat.Gzip)]
    [InlineData(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0 }, DumpFormat.Xz)]
    [InlineData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0 }, DumpFormat.Zstd)]
    [InlineData(new byte[] { (byte)'B', (byte)'Z', (byte)'h', (byte)'9' }, DumpFormat.Bzip2)]
    [InlineData(new byte[] { 1, 2, 3 }, DumpFormat.Unknown)]
    [InlineData(new byte[0], DumpFormat.Unknown)]
    public void Detects_by_magic(byte[] head, DumpFormat expected) => Assert.Equal(expected, FormatProbe.Detect(head));

    [Fact]
    public void Detects_flattened_by_makedumpfile_signature() =>
        Assert.Equal(DumpFormat.Flattened, FormatProbe.Detect("makedumpfile\0\0\0\0\0\0\0\0\0\0\0\x01"u8));

    [Fact]
    public void A_zstd_file_is_named_as_such()
    {
        var e = Assert.Throws<DumpFormatMismatchException>(() => DumpOpener.Open(new MemoryByteSource(new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3 }, "vmcore.zst")));
        Assert.Contains("'vmcore.zst'", e.Message);
        Assert.Contains("a zstd-compressed file; decompress it first", e.Message);
        Assert.Equal("zstd", e.DetectedFormat);
    }

    [Fact]
    public void An_unknown_file_shows_its_first_bytes()
    {
        var e = Assert.Throws<DumpFormatMismatchException>(() => DumpOpener.Open(new MemoryByteSource("hello world"u8.ToArray(), "notes.txt")));
        Assert.Contains("'notes.txt' is not a vmcore", e.Message);
        Assert.Contains("68656c6c6f", e.Message);
    }

    [Fact]
    public void An_elf_given_to_the_kdump_reader_is_named()
    {
        var elf = TestDumps.SmallElf(Kdump.Primitives.DataLayout.LittleEndian64).Bytes;
        var e = Assert.Throws<DumpFormatMismatchException>(() => Kdump.Formats.Diskdump.DiskDumpFile.Open(new MemoryByteSource(elf, "vmcore")));
        Assert.Contains("an ELF64 vmcore", e.Message);
    }
}
