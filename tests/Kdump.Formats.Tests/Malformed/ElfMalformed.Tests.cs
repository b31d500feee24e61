using System.Buffers.Binary;
using Kdump.Formats.Elf;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Formats.Tests.Malformed;

/// <summary>Damaged ELF cores built from a generated one: each must fail with the right error type and a full message.</summary>
public class ElfMalformedTests
{
    private const string File = "bad.elf";
    private static readonly DataLayout s_le64 = DataLayout.LittleEndian64;

    private static byte[] Good() => TestDumps.SmallElf(s_le64).Bytes;

    private static ElfCore Headers(byte[] b) => ElfCoreReader.Read(new MemoryByteSource(b, File));

    private static T Fails<T>(byte[] bytes, params string[] parts) where T : KdumpException
    {
        var e = Assert.Throws<T>(() => ElfCoreReader.Read(new MemoryByteSource(bytes, File)));
        Assert.Contains($"'{File}'", e.Message);
        foreach (var p in parts) Assert.Contains(p, e.Message);
        return e;
    }

    [Fact]
    public void Truncation_anywhere_in_headers_notes_or_data_is_an_error_not_a_crash()
    {
        var good = Good();
        var core = Headers(good);
        var notesEnd = (int)core.ProgramHeaders.Where(p => p.Type == ElfConstants.PtNote).Max(p => p.Offset + p.FileSize);
        // Every length up to the end of the notes, then every page into the data.
        var lengths = Enumerable.Range(0, notesEnd + 1).Concat(Enumerable.Range(0, good.Length / 4096).Select(i => notesEnd + 1 + i * 4096));
        foreach (var len in lengths)
        {
            if (len >= good.Length) continue;
            var e = Record.Exception(() => DumpOpener.Open(new MemoryByteSource(good.AsMemory(0, len), File)).Dispose());
            Assert.True(e is KdumpException, $"length {len}: {e?.GetType().Name}: {e?.Message}");
            Assert.Contains($"'{File}'", e!.Message);
        }
    }

    [Fact]
    public void Truncated_program_header_table_names_e_phoff()
    {
        var b = Good();
        Fails<UnexpectedEndOfDumpException>(b[..100], "program header table", "e_phoff 0x40", "at offset 0x40", "0x64");
    }

    [Fact]
    public void Program_header_count_over_the_limit_is_rejected_before_allocation()
    {
        var b = Good();
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(56), 60000);
        var e = Assert.Throws<DumpCorruptException>(() => ElfCoreReader.Read(new MemoryByteSource(b, File), new ParseLimits { MaxProgramHeaders = 1000 }));
        Assert.Contains("'bad.elf': e_phnum 60000 at offset 0x38: exceeds the maximum of 1000", e.Message);
    }

    [Fact]
    public void Huge_p_filesz_names_the_program_header()
    {
        var b = Good();
        var at = 64 + 56 * 2; // the RAM PT_LOAD
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 32), 0x7fff_0000_0000_0000);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 40), 0x7fff_0000_0000_0000);
        Fails<UnexpectedEndOfDumpException>(b, "program header 2 (PT_LOAD) p_offset", $"at offset 0x{at:x}", "0x7fff000000000000");
    }

    [Fact]
    public void P_filesz_above_p_memsz_is_corrupt()
    {
        var b = Good();
        var at = 64 + 56 * 2;
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 40), 4096);
        Fails<DumpCorruptException>(b, "p_filesz 0x10000", "larger than p_memsz 0x1000", $"at offset 0x{at:x}");
    }

    [Fact]
    public void Physical_range_past_52_bits_is_corrupt()
    {
        // p_paddr (offset 24 in an Elf64_Phdr) near the top of the 52-bit physical space: a pfn
        // range that would size max_mapnr and every bitmap from a lie.
        var b = Good();
        var at = 64 + 56 * 2;
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 24), (1UL << 52) - 4096);
        Fails<DumpCorruptException>(b, "program header 2 (PT_LOAD) p_paddr 0xffffffffff000", "ends past the 52-bit physical address space", $"at offset 0x{at:x}");
    }

    /// <summary>
    /// A core flagged incomplete (makedumpfile's DUMP_ELF_INCOMPLETE in e_flags, after a full disk or
    /// -L) is read as far as it goes: the cut PT_LOAD is accepted and its missing pages read as not
    /// stored; without the flag the same file is truncation.
    /// </summary>
    [Fact]
    public void A_core_flagged_incomplete_reads_up_to_its_cut()
    {
        var good = Good();
        var core = Headers(good);
        var last = core.Loads.Where(l => l.FileSize >= 8192).MaxBy(l => l.Offset);
        var cut = good.AsSpan(0, checked((int)last.Offset + 4096)).ToArray();
        Fails<UnexpectedEndOfDumpException>(cut, "p_offset", "end past the end of the file");

        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(48), BinaryPrimitives.ReadUInt32LittleEndian(cut.AsSpan(48)) | ElfCoreReader.IncompleteFlag);
        using var dump = (ElfDump)DumpOpener.Open(new MemoryByteSource(cut, File));
        var page = new byte[4096];
        Assert.Equal(PageReadStatus.Ok, dump.Physical.TryRead(new Kdump.Primitives.Units.PhysAddr(last.PhysicalAddress), page));
        Assert.Equal(good.AsSpan((int)last.Offset, 4096).ToArray(), page);
        Assert.Equal(PageReadStatus.NotStored, dump.Physical.TryRead(new Kdump.Primitives.Units.PhysAddr(last.PhysicalAddress + 4096), page));
    }

    [Fact]
    public void P_offset_past_the_end_is_truncation()
    {
        var b = Good();
        var at = 64 + 56 * 3;
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at + 8), (ulong)b.Length + 10);
        Fails<UnexpectedEndOfDumpException>(b, "program header 3 (PT_LOAD) p_offset", $"0x{b.Length + 10:x}", $"at offset 0x{at:x}");
    }

    [Fact]
    public void Huge_note_sizes_are_corrupt()
    {
        var b = Good();
        var notes = (int)Headers(b).ProgramHeaders[0].Offset;
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(notes + 4), 0xfffffff0);
        Fails<DumpCorruptException>(b, "ELF note n_descsz 4294967280", $"at offset 0x{notes:x}");
        b = Good();
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(notes), 0x10000000);
        Fails<DumpCorruptException>(b, "ELF note n_namesz 268435456", $"at offset 0x{notes:x}");
    }

    [Fact]
    public void Zero_padding_after_the_last_note_ends_the_list_cleanly()
    {
        var layout = s_le64;
        var note = new ElfNote("VMCOREINFO", 0, "A=1\n"u8.ToArray(), 0);
        var segment = new byte[note.EncodedSize + 4096];
        note.WriteCore(segment, layout);
        var notes = ElfNote.ParseAll(segment, layout, File, 0);
        Assert.Single(notes);
        // Fewer than 12 bytes of padding too.
        Assert.Single(ElfNote.ParseAll(segment.AsMemory(0, note.EncodedSize + 7), layout, File, 0));
    }

    [Fact]
    public void Bad_class_and_data_bytes_are_named()
    {
        var b = Good();
        b[4] = 3;
        var e = Assert.Throws<DumpFormatMismatchException>(() => DumpOpener.Open(new MemoryByteSource(b, File)));
        Assert.Contains("invalid class", e.Message);
        Fails<DumpCorruptException>(b, "e_ident[EI_CLASS] 3", "at offset 0x4");
        b = Good();
        b[5] = 7;
        Fails<DumpCorruptException>(b, "e_ident[EI_DATA] 7", "at offset 0x5");
    }

    [Fact]
    public void Extended_program_header_numbering_is_read_from_section_header_0()
    {
        var w = new ElfCoreWriter(s_le64, ElfConstants.EmX8664) { ForceExtendedNumbering = true };
        w.AddNote("VMCOREINFO", 0, "A=1\n"u8.ToArray());
        w.AddLoad(0x1000, 0, new byte[4096]);
        var core = Headers(w.ToArray());
        Assert.Equal(ElfConstants.PnXnum, core.Header.ProgramHeaderCount);
        Assert.Equal(2, core.ProgramHeaders.Count);
    }
}
