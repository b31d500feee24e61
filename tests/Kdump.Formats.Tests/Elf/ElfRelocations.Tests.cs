using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Kdump.Formats.Dwarf;
using Kdump.Formats.Elf;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Tests.Shared;

namespace Kdump.Formats.Tests.Elf;

/// <summary>
/// The DWARF of a relocatable object (ET_REL), as a kernel module's debug file is: two C files
/// compiled by the system's gcc with -c and merged by ld -r, read through DwarfFile with the
/// SHT_RELA sections applied. Oracles: the same sources linked by gcc into a program (ld applies the
/// relocations there), offsetof/sizeof printed by a compiled C program, and ld's own bytes for each
/// relocation type.
/// </summary>
public class ElfRelocationsTests
{
    private const string Common = """
        struct list_node { struct list_node *next, *prev; };
        struct fw_cfg_entry { struct list_node list; unsigned int size; unsigned short select; char name[56]; unsigned long long flags; };
        struct sb_info_like { unsigned long s_desc_size; unsigned int s_inodes_per_block; struct fw_cfg_entry *s_entry;
        	int s_mount_state; struct list_node s_orphans; };
        """;

    private const string UnitA = Common + """

        struct fw_cfg_entry first_entry;
        unsigned int fw_cfg_rev = 3;
        static int fw_cfg_probe(void) { return (int)fw_cfg_rev; }
        int (*fw_cfg_probe_ptr)(void) = fw_cfg_probe;
        """;

    private const string UnitB = Common + """

        struct sb_info_like *the_sb_info;
        struct sb_info_like sb_template;
        unsigned long sb_counter = 7;
        """;

    private const ulong DwAtLocation = 0x02;   // DW_AT_location
    private const byte DwOpAddr = 0x03;        // DW_OP_addr

    /// <summary>offsetof and sizeof of the structures above, as gcc lays them out.</summary>
    private static readonly Lazy<Dictionary<string, ulong>> s_layout = new(() => CProgram.Values(Common + """

        #include <stddef.h>
        #include <stdio.h>
        #define M(s, m) printf(#s "." #m "=%zu\n", offsetof(struct s, m))
        int main(void)
        {
        	M(fw_cfg_entry, list); M(fw_cfg_entry, size); M(fw_cfg_entry, select); M(fw_cfg_entry, name); M(fw_cfg_entry, flags);
        	M(sb_info_like, s_desc_size); M(sb_info_like, s_inodes_per_block); M(sb_info_like, s_entry);
        	M(sb_info_like, s_mount_state); M(sb_info_like, s_orphans);
        	printf("fw_cfg_entry=%zu\nsb_info_like=%zu\n", sizeof(struct fw_cfg_entry), sizeof(struct sb_info_like));
        	return 0;
        }
        """, "reloc-layout"));

    /// <summary>How a variant's debug sections are stored: as gcc writes them, or compressed (SHF_COMPRESSED).</summary>
    public enum Packing
    {
        Plain,
        Zlib,   // gcc -gz and ld -r --compress-debug-sections=zlib
        Zstd,   // objcopy --compress-debug-sections=zstd after ld -r
    }

    private static void Run(string tool, params string[] args)
    {
        var r = ExternalProcess.Run(tool, args);
        Assert.True(r.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed: {r.Stderr}");
    }

    /// <summary>The two units as a module (gcc -c, ld -r) and as a linked program, with DWARF <paramref name="version"/>.</summary>
    private static (byte[] Module, byte[] Program) Build(string dir, int version, Packing packing)
    {
        var a = Path.Combine(dir, "a.c");
        var b = Path.Combine(dir, "b.c");
        var main = Path.Combine(dir, "main.c");
        File.WriteAllText(a, UnitA + "\n");
        File.WriteAllText(b, UnitB + "\n");
        File.WriteAllText(main, "int main(void) { return 0; }\n");
        string[] flags = ["-g", $"-gdwarf-{version}", "-O0", "-fno-eliminate-unused-debug-types", .. packing == Packing.Zlib ? new[] { "-gz" } : []];
        Run("gcc", [.. flags, "-c", "-o", a + ".o", a]);
        Run("gcc", [.. flags, "-c", "-o", b + ".o", b]);
        var module = Path.Combine(dir, "mod.ko");
        Run("ld", ["-r", .. packing == Packing.Zlib ? new[] { "--compress-debug-sections=zlib" } : [], "-o", module, a + ".o", b + ".o"]);
        if (packing == Packing.Zstd)
        {
            Run("objcopy", ["--compress-debug-sections=zstd", module, module + ".zst"]);
            module += ".zst";
        }
        var program = Path.Combine(dir, "prog");
        Run("gcc", [.. flags, "-o", program, a, b, main]);
        return (File.ReadAllBytes(module), File.ReadAllBytes(program));
    }

    private static readonly Lazy<byte[]> s_module = new(() =>
    {
        using var scratch = Lab.Scratch("reloc-module");
        return Build(scratch.Path, 5, Packing.Plain).Module;
    });

    /// <summary>
    /// What a type lookup sees of units a.c and b.c: each unit, its top-level structures with their
    /// size, declaring file and members' offsets, and its variables with their declaring file.
    /// </summary>
    private static List<string> Describe(DwarfFile dwarf)
    {
        var lines = new List<string>();
        foreach (var unit in dwarf.Units)
        {
            if (dwarf.UnitDie(unit) is not { } top || dwarf.Name(top) is not { } unitName) continue;
            if (!unitName.EndsWith("/a.c", StringComparison.Ordinal) && !unitName.EndsWith("/b.c", StringComparison.Ordinal)) continue;
            lines.Add($"unit {Path.GetFileName(unitName)}");
            for (var die = dwarf.FirstChild(top); die is { } d; die = dwarf.NextSibling(d))
            {
                var file = dwarf.TryGetAttribute(d, DwarfAttribute.DeclFile, out var f) && dwarf.TryUnsigned(f, out var fi)
                    ? Path.GetFileName(dwarf.FileName(unit, fi)) : null;
                if (d.Tag == DwarfTag.Variable)
                {
                    lines.Add($"variable {dwarf.Name(d)} in {file}");
                }
                else if (d.Tag == DwarfTag.StructureType && d.HasChildren)
                {
                    dwarf.TryGetAttribute(d, DwarfAttribute.ByteSize, out var bs);
                    dwarf.TryUnsigned(bs, out var size);
                    lines.Add($"struct {dwarf.Name(d)} size {size} in {file}");
                    for (var m = dwarf.FirstChild(d); m is { } member; m = dwarf.NextSibling(member))
                    {
                        var offset = dwarf.TryGetAttribute(member, DwarfAttribute.DataMemberLocation, out var loc) && dwarf.TryLocationNumber(loc, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "?";
                        lines.Add($"  {dwarf.Name(member)} @ {offset}");
                    }
                }
            }
        }
        return lines;
    }

    /// <summary>
    /// A module's DWARF read with its relocations applied: struct types, members and their offsets,
    /// and variables of both compile units, the same as ld gives in the linked program and as
    /// offsetof says; for DWARF 4 and 5, and with the debug sections compressed (inflated, then relocated).
    /// </summary>
    [Theory]
    [InlineData(4, Packing.Plain)]
    [InlineData(5, Packing.Plain)]
    [InlineData(4, Packing.Zlib)]
    [InlineData(5, Packing.Zlib)]
    [InlineData(5, Packing.Zstd)]
    public void Module_gives_the_types_and_variables_of_every_unit(int version, Packing packing)
    {
        using var scratch = Lab.Scratch("reloc-units");
        var (moduleBytes, programBytes) = Build(scratch.Path, version, packing);
        var module = ElfObject.Parse(moduleBytes, "mod.ko");
        Assert.True(module.IsRelocatable);
        Assert.NotNull(module.SectionHeader(".rela.debug_info"));
        Assert.NotNull(module.SectionHeader(".rela.debug_line"));
        Assert.Equal(packing != Packing.Plain, module.IsCompressed(".debug_info"));
        var program = ElfObject.Parse(programBytes, "prog");
        Assert.False(program.IsRelocatable);

        var ours = Describe(DwarfFile.Open(module)!);
        var linked = Describe(DwarfFile.Open(program)!);
        Assert.Equal(linked, ours);

        var layout = s_layout.Value;
        string Struct(string s) => $"struct {s} size {layout[s]} in {(s == "fw_cfg_entry" ? "a.c" : "b.c")}";
        string Member(string s, string m) => $"  {m} @ {layout[$"{s}.{m}"]}";
        // Unit a.c, then unit b.c: each with its own definitions and variables.
        var a = ours.IndexOf("unit a.c");
        var b = ours.IndexOf("unit b.c");
        Assert.True(a >= 0 && b > a, string.Join('\n', ours));
        string[] inA = [Struct("fw_cfg_entry"), Member("fw_cfg_entry", "list"), Member("fw_cfg_entry", "size"), Member("fw_cfg_entry", "select"),
            Member("fw_cfg_entry", "name"), Member("fw_cfg_entry", "flags"), "variable first_entry in a.c", "variable fw_cfg_rev in a.c",
            "variable fw_cfg_probe_ptr in a.c"];
        string[] inB = [Struct("sb_info_like"), Member("sb_info_like", "s_desc_size"), Member("sb_info_like", "s_inodes_per_block"),
            Member("sb_info_like", "s_entry"), Member("sb_info_like", "s_mount_state"), Member("sb_info_like", "s_orphans"),
            "variable the_sb_info in b.c", "variable sb_template in b.c", "variable sb_counter in b.c"];
        foreach (var line in inA) Assert.Contains(line, ours.GetRange(a, b - a));
        foreach (var line in inB) Assert.Contains(line, ours.GetRange(b, ours.Count - b));
    }

    /// <summary>
    /// R_X86_64_64 in DW_OP_addr: a variable's location is its offset in the merged section, the
    /// st_value ld -r gave its symbol (sb_template lies past unit a.c's .bss).
    /// </summary>
    [Fact]
    public void Variable_locations_are_the_offsets_of_their_symbols()
    {
        var module = ElfObject.Parse(s_module.Value, "mod.ko");
        var dwarf = DwarfFile.Open(module)!;
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var unit in dwarf.Units)
        {
            dwarf.Walk(unit, (die, depth) =>
            {
                if (depth != 1 || die.Tag != DwarfTag.Variable || dwarf.Name(die) is not { } name || !dwarf.TryGetAttribute(die, DwAtLocation, out var location))
                    return;
                Assert.Equal(DwarfForm.Exprloc, location.Form);
                var ops = module.RelocatedSection(".debug_info")!.Value.Span[location.Position..];
                // An exprloc of 9 bytes: DW_OP_addr and its 8 address bytes.
                Assert.Equal(9, ops[0]);
                Assert.Equal(DwOpAddr, ops[1]);
                found[name] = BinaryPrimitives.ReadUInt64LittleEndian(ops[2..]);
            });
        }
        foreach (var name in new[] { "first_entry", "fw_cfg_rev", "fw_cfg_probe_ptr", "the_sb_info", "sb_template", "sb_counter" })
            Assert.Equal(module.Symbols[name], found[name]);
        Assert.NotEqual(0UL, module.Symbols["sb_template"]);
    }

    /// <summary>
    /// The same object read without its relocations is wrong: the second unit's debug_abbrev_offset
    /// and every DW_FORM_strp read 0 (RELA keeps the value in the addend), and a reader that took
    /// the bytes as a linked file (e_type patched to ET_EXEC) does not find the structures.
    /// </summary>
    [Fact]
    public void Without_relocation_offsets_and_names_read_zero()
    {
        var bytes = s_module.Value;
        var module = ElfObject.Parse(bytes, "mod.ko");
        var dwarf = DwarfFile.Open(module)!;
        var raw = module.Section(".debug_info")!.Value.Span;
        var str = module.Section(".debug_str")!.Value.Span;

        Assert.True(dwarf.Units.Count >= 2);
        var second = dwarf.Units[1];
        Assert.NotEqual(0UL, second.AbbrevOffset);
        // DWARF 5 unit header: unit_length, version, unit_type, address_size, debug_abbrev_offset.
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(raw[(second.Offset + 4 + 2 + 1 + 1)..]));

        var checkedNames = 0;
        foreach (var unit in dwarf.Units)
        {
            dwarf.Walk(unit, (die, _) =>
            {
                if (!dwarf.TryGetAttribute(die, DwarfAttribute.Name, out var name) || name.Form != DwarfForm.Strp) return;
                var relocated = BinaryPrimitives.ReadUInt32LittleEndian(module.RelocatedSection(".debug_info")!.Value.Span[name.Position..]);
                Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(module.Section(".debug_info")!.Value.Span[name.Position..]));
                Assert.True(dwarf.TryGetString(name, out var text));
                Assert.Equal(text.ToArray(), module.Section(".debug_str")!.Value.Span[(int)relocated..].ToArray().TakeWhile(c => c != 0).ToArray());
                checkedNames++;
            });
        }
        Assert.True(checkedNames > 10, $"{checkedNames} strp names");
        Assert.NotEqual("fw_cfg_entry"u8.ToArray(), str.ToArray().TakeWhile(c => c != 0).ToArray());

        var asLinked = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(asLinked.AsSpan(ElfHeader.FieldLocations.Elf64.Type), 2); // ET_EXEC
        List<string>? unrelocated;
        try
        {
            unrelocated = Describe(DwarfFile.Open(ElfObject.Parse(asLinked, "as-linked"))!);
        }
        catch (KdumpException)
        {
            unrelocated = null;
        }
        Assert.True(unrelocated is null || !unrelocated.Any(l => l.StartsWith("struct fw_cfg_entry ", StringComparison.Ordinal)),
            string.Join('\n', unrelocated ?? []));
    }

    /// <summary>Relocated once and kept (one copy of each section); a linked program's sections stay slices of its file.</summary>
    [Fact]
    public void Relocated_sections_are_copied_once_and_linked_files_not_at_all()
    {
        var bytes = s_module.Value;
        var module = ElfObject.Parse(bytes, "mod.ko");
        var first = module.RelocatedSection(".debug_info")!.Value;
        var again = module.RelocatedSection(".debug_info")!.Value;
        Assert.True(MemoryMarshal.TryGetArray(first, out var a));
        Assert.True(MemoryMarshal.TryGetArray(again, out var b));
        Assert.Same(a.Array, b.Array);
        Assert.NotSame(bytes, a.Array);
        Assert.Null(module.RelocatedSection(".no_such_section"));

        var asLinked = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(asLinked.AsSpan(ElfHeader.FieldLocations.Elf64.Type), 2); // ET_EXEC
        var linked = ElfObject.Parse(asLinked, "as-linked");
        Assert.True(MemoryMarshal.TryGetArray(linked.RelocatedSection(".debug_info")!.Value, out var slice));
        Assert.Same(asLinked, slice.Array);
    }

    /// <summary>
    /// Every type applied here, written by as into a non-allocated section against a label of
    /// another: the bytes equal what ld writes when it links the object (non-allocated sections
    /// sit at address 0 there too); R_X86_64_NONE leaves its bytes alone.
    /// </summary>
    [Fact]
    public void Each_relocation_type_writes_what_ld_writes()
    {
        using var scratch = Lab.Scratch("reloc-types");
        var source = Path.Combine(scratch.Path, "t.s");
        File.WriteAllText(source, """
                    .section .debug_other,"",@progbits
                    .zero 24
            there:  .zero 40
            after:  .byte 0
                    .section .debug_test,"",@progbits
                    .quad there + 5
                    .long after
                    .long there - .
                    .quad after - . - 3
                    .reloc ., R_X86_64_32S, there - 8
                    .long 0
                    .word after + 1
                    .byte there
                    .reloc ., R_X86_64_NONE, there
                    .long 0x11223344

            """);
        var obj = Path.Combine(scratch.Path, "t.o");
        var exe = Path.Combine(scratch.Path, "t");
        Run("as", ["-o", obj, source]);
        Run("ld", ["-e", "0", "-o", exe, obj]);
        var readelf = System.Text.Encoding.ASCII.GetString(ExternalProcess.Run("readelf", ["-r", "-W", obj]).Stdout);
        foreach (var type in new[] { "R_X86_64_64", "R_X86_64_32 ", "R_X86_64_PC32", "R_X86_64_PC64", "R_X86_64_32S", "R_X86_64_16", "R_X86_64_8", "R_X86_64_NONE" })
            Assert.Contains(type, readelf, StringComparison.Ordinal);

        var ours = ElfObject.Parse(File.ReadAllBytes(obj), obj);
        var theirs = ElfObject.Parse(File.ReadAllBytes(exe), exe).Section(".debug_test")!.Value.ToArray();
        Assert.Equal(theirs, ours.RelocatedSection(".debug_test")!.Value.ToArray());
        Assert.NotEqual(theirs, ours.Section(".debug_test")!.Value.ToArray());
    }

    /// <summary>A value ld refuses ("relocation truncated to fit") is an error here too.</summary>
    [Fact]
    public void A_value_that_does_not_fit_is_refused_as_ld_refuses_it()
    {
        using var scratch = Lab.Scratch("reloc-fit");
        var source = Path.Combine(scratch.Path, "t.s");
        File.WriteAllText(source, """
                    .section .debug_other,"",@progbits
                    .zero 24
            there:  .byte 0
                    .section .debug_test,"",@progbits
                    .long there - 0x100

            """);
        var obj = Path.Combine(scratch.Path, "t.o");
        Run("as", ["-o", obj, source]);
        var ld = ExternalProcess.Run("ld", ["-e", "0", "-o", Path.Combine(scratch.Path, "t"), obj]);
        Assert.NotEqual(0, ld.ExitCode);
        Assert.Contains("relocation truncated to fit: R_X86_64_32", ld.Stderr, StringComparison.Ordinal);
        var e = Assert.Throws<DumpCorruptException>(() => ElfObject.Parse(File.ReadAllBytes(obj), "t.o").RelocatedSection(".debug_test"));
        Assert.Contains("'t.o': .rela.debug_test entry 0 r_addend -232", e.Message, StringComparison.Ordinal);
        Assert.Contains("R_X86_64_32 at .debug_test offset 0x0 gives -232, which does not fit its 4 bytes", e.Message, StringComparison.Ordinal);
    }

    private static int SectionHeaderAt(byte[] file, string name)
    {
        var elf = ElfObject.Parse(file);
        var want = elf.SectionHeader(name)!.Value;
        for (var i = 0; i < elf.Header.SectionHeaderCount; i++)
        {
            var at = checked((int)elf.Header.SectionHeaderOffset + (i * ElfSectionHeader.FieldLocations.Elf64.Size));
            ElfSectionHeader.TryReadCore(file.AsSpan(at), DataLayout.LittleEndian64, out var header);
            if (header == want) return at;
        }
        throw new InvalidOperationException($"no section header {name}");
    }

    private const int Entry = 2;    // the damaged Elf64_Rela of .rela.debug_info

    /// <summary>
    /// Damaged relocation sections and entries: each a DumpException of the taxonomy naming the
    /// file, the rela section, the entry and the value, with the entry's file offset; none a crash.
    /// </summary>
    [Theory]
    [InlineData("symbol", typeof(DumpCorruptException), ".rela.debug_info entry 2 r_info symbol")]
    [InlineData("symbol-huge", typeof(DumpCorruptException), ".rela.debug_info entry 2 r_info symbol 4294967295")]
    [InlineData("offset", typeof(DumpCorruptException), ".rela.debug_info entry 2 r_offset")]
    [InlineData("offset-huge", typeof(DumpCorruptException), ".rela.debug_info entry 2 r_offset 0xffffffffffffffff")]
    [InlineData("type", typeof(DumpFeatureNotSupportedException), ".rela.debug_info entry 2 r_info type 9")]
    [InlineData("type-unknown", typeof(DumpFeatureNotSupportedException), ".rela.debug_info entry 2 r_info type 57005")]
    [InlineData("fit", typeof(DumpCorruptException), ".rela.debug_info entry 2 r_addend 1099511627776")]
    [InlineData("size", typeof(DumpCorruptException), "sh_size of .rela.debug_info")]
    [InlineData("entsize", typeof(DumpCorruptException), "sh_entsize of .rela.debug_info 16")]
    [InlineData("link", typeof(DumpCorruptException), "sh_link of .rela.debug_info 65535")]
    [InlineData("link-null", typeof(DumpCorruptException), "sh_link of .rela.debug_info 0")]
    [InlineData("info", typeof(DumpCorruptException), "sh_info of .rela.debug_info 65535")]
    [InlineData("machine", typeof(DumpFeatureNotSupportedException), ".rela.debug_info at offset")]
    public void Damaged_relocations_are_errors_not_crashes(string damage, Type expected, string field)
    {
        var bytes = (byte[])s_module.Value.Clone();
        var elf = ElfObject.Parse(bytes);
        var rela = elf.SectionHeader(".rela.debug_info")!.Value;
        var shdr = SectionHeaderAt(bytes, ".rela.debug_info");
        var entry = checked((int)rela.Offset + (Entry * ElfRelocations.FieldLocations.Elf64Rela.Size));
        var info = bytes.AsSpan(entry + ElfRelocations.FieldLocations.Elf64Rela.Info, 8);
        var symbols = elf.SectionHeader(".symtab")!.Value.Size / 24;
        long? offset = entry;
        var reason = "";
        switch (damage)
        {
            case "symbol": BinaryPrimitives.WriteUInt32LittleEndian(info[4..], (uint)symbols); reason = $"is past the {symbols} entries of the symbol table"; break;
            case "symbol-huge": BinaryPrimitives.WriteUInt32LittleEndian(info[4..], uint.MaxValue); break;
            case "offset":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(entry), elf.SectionHeader(".debug_info")!.Value.Size - 2);
                reason = "R_X86_64_32 writes 4 bytes past the end of .debug_info";
                break;
            case "offset-huge": BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(entry), ulong.MaxValue); break;
            case "type": BinaryPrimitives.WriteUInt32LittleEndian(info, 9); reason = "relocation type 9 in .debug_info is not one applied here"; break;   // R_X86_64_GOTPCREL
            case "type-unknown": BinaryPrimitives.WriteUInt32LittleEndian(info, 0xdead); break;
            case "fit":
                BinaryPrimitives.WriteUInt32LittleEndian(info, 10);  // R_X86_64_32
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(entry + ElfRelocations.FieldLocations.Elf64Rela.Addend), 1L << 40);
                reason = "which does not fit its 4 bytes";
                break;
            case "size":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(shdr + ElfSectionHeader.FieldLocations.Elf64.SizeField), rela.Size - 1);
                (offset, reason) = ((long)rela.Offset, "is not a multiple of sizeof(Elf64_Rela) (24)");
                break;
            case "entsize":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(shdr + ElfSectionHeader.FieldLocations.Elf64.EntSize), 16);
                (offset, reason) = ((long)rela.Offset, "must be 24 (Elf64_Rela)");
                break;
            case "link":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(shdr + ElfSectionHeader.FieldLocations.Elf64.Link), 0xffff);
                (offset, reason) = ((long)rela.Offset, "names no SHT_SYMTAB or SHT_DYNSYM section");
                break;
            case "link-null":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(shdr + ElfSectionHeader.FieldLocations.Elf64.Link), 0);
                (offset, reason) = ((long)rela.Offset, "names no SHT_SYMTAB or SHT_DYNSYM section");
                break;
            case "info":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(shdr + ElfSectionHeader.FieldLocations.Elf64.Info), 0xffff);
                (offset, reason) = (null, "names no section");
                break;
            case "machine":
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(ElfHeader.FieldLocations.Elf64.Machine), ElfConstants.EmAarch64);
                (offset, reason) = ((long)rela.Offset, "applied for x86_64 (64-bit little-endian SHT_RELA) only, not for aarch64");
                break;
            default: throw new ArgumentException(damage, nameof(damage));
        }
        var e = Assert.IsAssignableFrom<KdumpException>(Record.Exception(() => DwarfFile.Open(ElfObject.Parse(bytes, "mod.ko"))));
        Assert.IsType(expected, e);
        Assert.StartsWith($"'mod.ko': {field}", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Equal("mod.ko", e.FilePath);
        Assert.Equal(offset, e.Offset);
    }

    /// <summary>
    /// Seeded byte changes in the relocation sections, the symbol table and their section headers:
    /// opening and walking the DWARF ends in a result or a KdumpException, in bounded time and
    /// allocation. At least 300 mutants, more within KDUMP_FUZZ_SECONDS.
    /// </summary>
    [Fact]
    public void Damaged_relocation_data_fails_cleanly()
    {
        var original = s_module.Value;
        var elf = ElfObject.Parse(original);
        var ranges = new[] { ".rela.debug_info", ".rela.debug_line", ".symtab" }
            .Select(n => (Name: n, Start: (int)elf.SectionHeader(n)!.Value.Offset, Length: (int)elf.SectionHeader(n)!.Value.Size))
            .Concat(new[] { ".rela.debug_info", ".rela.debug_line", ".symtab" }
                .Select(n => (Name: n + " header", Start: SectionHeaderAt(original, n), Length: ElfSectionHeader.FieldLocations.Elf64.Size)))
            .ToArray();
        var seed = FuzzSettings.Seed(20261203);
        var random = new Random(seed);
        var until = DateTime.UtcNow + FuzzSettings.Budget(2);
        var refused = 0;
        var round = 0;
        for (; round < 300 || DateTime.UtcNow < until; round++)
        {
            var bytes = (byte[])original.Clone();
            var (name, start, length) = ranges[random.Next(ranges.Length)];
            for (var k = random.Next(1, 5); k > 0; k--) bytes[start + random.Next(length)] = (byte)random.Next(256);
            var ran = FuzzSettings.RunCase($"seed {seed} round {round} ({name})", TimeSpan.FromSeconds(5), 64L << 20, () =>
            {
                var dwarf = DwarfFile.Open(ElfObject.Parse(bytes, "mutant.ko"));
                if (dwarf is null) return;
                foreach (var unit in dwarf.Units)
                {
                    dwarf.Walk(unit, (die, _) =>
                    {
                        dwarf.NameBytes(die);
                        if (dwarf.TryGetAttribute(die, DwarfAttribute.DeclFile, out var f) && dwarf.TryUnsigned(f, out var fi)) dwarf.FileName(unit, fi);
                    });
                }
            });
            if (!ran) refused++;
        }
        Assert.True(refused > 0, $"seed {seed}: none of {round} mutants was refused");
    }
}
