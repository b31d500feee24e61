using System.Text;
using Kdump.Makedumpfile;
using Kdump.Memory;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// makedumpfile -g and -x against 1.7.8 on the debug vmlinux of each lab kernel (Debian's -dbg
/// packages: DWARF 4 for 5.10, DWARF 5 for 6.1, 6.12 and 7.2).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class VmlinuxCompatTests
{
    private static InProcess.Result Run(params string[] args) => InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", args);

    private static string Reference => Lab.ReferenceTool("makedumpfile-1.7.8");

    /// <summary>-g: the same VMCOREINFO file and the same stdout (the version warning on 7.2 included) as 1.7.8.</summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Generated_vmcoreinfo_equals_makedumpfile_1_7_8(string release)
    {
        using var scratch = Lab.Scratch("mdf-g");
        var (t, o) = (Path.Combine(scratch.Path, "theirs"), Path.Combine(scratch.Path, "ours"));
        var theirs = ExternalProcess.Run(Reference, ["-g", t, "-x", Lab.Vmlinux(release)]);
        var ours = Run("-g", o, "-x", Lab.Vmlinux(release));
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout).Replace(t, o, StringComparison.Ordinal), ours.StdoutText);
        Assert.Equal(theirs.Stderr, ours.Stderr);
        var expected = File.ReadAllText(t);
        var actual = File.ReadAllText(o);
        Assert.StartsWith($"OSRELEASE={Lab.Info(release)["kernel"]}\nPAGESIZE=4096\n", actual, StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// -x with a vmcore that has VMCOREINFO: the vmlinux's values win, the note fills the rest; the
    /// files equal 1.7.8's -x files and our own plain dump.
    /// </summary>
    [Theory]
    [InlineData("-l")]
    [InlineData("-E")]
    public void Dump_with_vmlinux_equals_makedumpfile_1_7_8(string format)
    {
        using var scratch = Lab.Scratch("mdf-x");
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        string[] Argv(string output) => [format, "-d", "31", "-x", Lab.Vmlinux("bookworm"), vmcore, Path.Combine(scratch.Path, output)];
        var theirs = ExternalProcess.Run(Reference, Argv("theirs"));
        var ours = Run(Argv("ours"));
        var plain = Run(format, "-d", "31", vmcore, Path.Combine(scratch.Path, "plain"));
        Assert.Equal((0, 0, 0), (theirs.ExitCode, ours.ExitCode, plain.ExitCode));
        var bytes = File.ReadAllBytes(Path.Combine(scratch.Path, "ours"));
        Assert.True(File.ReadAllBytes(Path.Combine(scratch.Path, "theirs")).AsSpan().SequenceEqual(bytes), $"-x {format}: our file differs from 1.7.8's");
        Assert.True(File.ReadAllBytes(Path.Combine(scratch.Path, "plain")).AsSpan().SequenceEqual(bytes), $"-x {format}: differs from the dump made with the note alone");
    }

    /// <summary>
    /// -x for a vmcore without VMCOREINFO (a copy of the release's with the note renamed, made here):
    /// everything comes from the vmlinux, and with no PAGE_BUDDY_MAPCOUNT_VALUE free pages come from
    /// the zones' free lists (exclude_free_page). -l -d 31 (and -E on bookworm) equal 1.7.8's -x files;
    /// --dump-dmesg -x gives 1.7.8's log (up to its signed-char escapes, as everywhere).
    /// </summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Vmlinux_stands_in_for_a_missing_note_like_makedumpfile_1_7_8(string release)
    {
        using var scratch = Lab.Scratch("mdf-x");
        var dir = scratch.Path;
        var vmcore = Lab.CopyWithoutVmcoreInfo(release, Path.Combine(dir, "no-vmcoreinfo.elf"));
        using (var renamed = DumpOpener.Open(vmcore)) Assert.True(renamed.VmcoreInfo.IsEmpty);
        var vmlinux = Lab.Vmlinux(release);
        foreach (var format in release == "bookworm" ? new[] { "-l", "-E" } : ["-l"])
        {
            string[] Argv(string output) => [format, "-d", "31", "--message-level", "23", "-x", vmlinux, vmcore, Path.Combine(dir, output)];
            var theirs = ExternalProcess.Run(Reference, Argv("theirs" + format));
            var ours = Run(Argv("ours" + format));
            Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
            Assert.True(File.ReadAllBytes(Path.Combine(dir, "theirs" + format)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "ours" + format))),
                $"-x {format} -d 31: our file differs from makedumpfile 1.7.8's");
            // The report counts the free pages found on the lists, as upstream's pfn_free.
            Assert.Equal(ReportLine(Encoding.UTF8.GetString(theirs.Stdout), "Free pages"), ReportLine(ours.StdoutText, "Free pages"));
        }

        // The log too, read through the vmlinux's offsets only (no OFFSET(printk_info.seq) there).
        string[] Dmesg(string output) => ["--dump-dmesg", "-x", vmlinux, vmcore, Path.Combine(dir, output)];
        var theirLog = ExternalProcess.Run(Reference, Dmesg("theirs.txt"));
        var ourLog = Run(Dmesg("ours.txt"));
        Assert.Equal((0, 0), (theirLog.ExitCode, ourLog.ExitCode));
        Assert.Equal(InProcess.NormaliseSignedCharEscapes(Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(dir, "theirs.txt")))),
            Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(dir, "ours.txt"))));
    }

    private static string ReportLine(string stdout, string label) =>
        stdout.Split('\n').Single(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal)).Trim();

    /// <summary>
    /// -i with a file -g made: as upstream, the file's values come first and the dump's note fills
    /// the rest (CRASHTIME, PAGE_BUDDY_MAPCOUNT_VALUE, phys_base…): 1.7.8's file byte for byte.
    /// </summary>
    [Fact]
    public void Vmcoreinfo_file_made_by_g_is_completed_by_the_note_like_makedumpfile_1_7_8()
    {
        using var scratch = Lab.Scratch("mdf-x");
        var info = Path.Combine(scratch.Path, "vmcoreinfo");
        Assert.Equal(0, Run("-g", info, "-x", Lab.Vmlinux("bookworm")).ExitCode);
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        string[] Argv(string output) => ["-l", "-d", "31", "-i", info, vmcore, Path.Combine(scratch.Path, output)];
        var theirs = ExternalProcess.Run(Reference, Argv("theirs"));
        var ours = Run(Argv("ours"));
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.True(File.ReadAllBytes(Path.Combine(scratch.Path, "theirs")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(scratch.Path, "ours"))),
            "-i (a -g file): our file differs from 1.7.8's");
    }

    /// <summary>
    /// The merge of a vmlinux's (-x) or a file's (-i) VMCOREINFO with the dump's note: the first
    /// wins except OSRELEASE/PAGESIZE with -x and KERNELOFFSET; its symbols move by the note's
    /// KERNELOFFSET unless it has its own; the note fills the rest. (The lab's kernels run without
    /// KASLR, so the slide is checked here on made-up texts.)
    /// </summary>
    [Theory]
    [InlineData(false, "OSRELEASE=6.1.0-note|PAGESIZE=4096|SYMBOL(a)=ffffffff81000110|OFFSET(x.y)=1|KERNELOFFSET=100|NUMBER(z)=3")]
    [InlineData(true, "OSRELEASE=6.1.0-file|PAGESIZE=8192|SYMBOL(a)=ffffffff81000110|OFFSET(x.y)=1|KERNELOFFSET=100|NUMBER(z)=3")]
    public void Merge_with_the_note_puts_the_first_source_first(bool releaseFromPrimary, string expected)
    {
        const string primary = "OSRELEASE=6.1.0-file\nPAGESIZE=8192\nSYMBOL(a)=ffffffff81000010\nOFFSET(x.y)=1\n";
        var note = "OSRELEASE=6.1.0-note\nPAGESIZE=4096\nSYMBOL(a)=ffffffff81000999\nOFFSET(x.y)=7\nKERNELOFFSET=100\nNUMBER(z)=3\n"u8;
        var merged = Encoding.Latin1.GetString(Kdump.Makedumpfile.Vmlinux.VmcoreInfoMerge.WithNote(primary, note, releaseFromPrimary).Span);
        Assert.Equal(expected.Replace('|', '\n') + "\n", merged);
        // A text with its own KERNELOFFSET (taken from a dumped kernel) has moved symbols already.
        var own = Encoding.Latin1.GetString(Kdump.Makedumpfile.Vmlinux.VmcoreInfoMerge.WithNote(primary + "KERNELOFFSET=100\n", note, releaseFromPrimary).Span);
        Assert.Contains("SYMBOL(a)=ffffffff81000010\n", own, StringComparison.Ordinal);
    }

    /// <summary>check_param_for_generating_vmcoreinfo: -g without -x, with an operand or with -d is refused alike.</summary>
    [Theory]
    [InlineData("-g", "out")]
    [InlineData("-g", "out", "-x", "VMLINUX", "extra")]
    [InlineData("-g", "out", "-x", "VMLINUX", "-d", "31")]
    [InlineData("-g", "out", "-x", "VMLINUX", "--dry-run")]
    public void Bad_generate_command_lines_are_refused_like_makedumpfile_1_7_8(params string[] args)
    {
        using var scratch = Lab.Scratch("mdf-g");
        var argv = args.Select(a => a == "VMLINUX" ? Lab.Vmlinux("bookworm") : a == "out" ? Path.Combine(scratch.Path, "out") : a).ToArray();
        var theirs = ExternalProcess.Run(Reference, argv);
        var ours = Run(argv);
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
        Assert.False(File.Exists(Path.Combine(scratch.Path, "out")));
    }

    /// <summary>--dump-dmesg -x reads the log through the vmlinux's offsets: the same log as without -x.</summary>
    [Fact]
    public void Dump_dmesg_with_vmlinux_equals_the_plain_log()
    {
        using var scratch = Lab.Scratch("mdf-x");
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        var withVmlinux = Run("--dump-dmesg", "-x", Lab.Vmlinux("bookworm"), vmcore, Path.Combine(scratch.Path, "x.txt"));
        var plain = Run("--dump-dmesg", vmcore, Path.Combine(scratch.Path, "plain.txt"));
        Assert.Equal((0, 0), (withVmlinux.ExitCode, plain.ExitCode));
        Assert.Equal(File.ReadAllBytes(Path.Combine(scratch.Path, "plain.txt")), File.ReadAllBytes(Path.Combine(scratch.Path, "x.txt")));
    }

    // A kernel-like program in four compile units, compiled here by gcc: an enumeration as a unit's
    // first DIE (CU 0), declarations before the definitions (CU 1), struct page with anonymous unions
    // and structs, arrays, typedefs of typedefs, enumerators (CU 2), and later conflicting
    // definitions that must not be taken (CU 3).
    private const string UnitZ = """
        /* CU 0 (linked first): an enumeration is the unit's first DIE, so its enumerators are in a searched list themselves. */
        enum zone_stat_item { NR_ZONE_FIRST, NR_FREE_PAGES = 7 };
        int unit_zero_marker;
        """;

    private const string UnitA = """
        /* CU 1: declarations only, as a kernel file that uses pointers to these types. */
        struct page;
        struct zone;
        struct pglist_data;
        struct mem_section;
        extern struct pglist_data *node_data[];
        extern struct mem_section **mem_section;
        struct page *first_page;
        struct zone *first_zone;
        enum node_states { N_POSSIBLE, N_ONLINE, N_NORMAL_MEMORY, NR_NODE_STATES };
        enum node_states probe_state = N_ONLINE;
        int main(void) { return first_page != 0; }
        """;

    private const string UnitB = """
        /* CU 2: the definitions, with anonymous unions and structs as in struct page. */
        struct list_head { struct list_head *next, *prev; };
        struct kref { int refcount; };
        struct new_utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
        struct uts_namespace { struct kref kref; struct new_utsname name; };
        struct uts_namespace init_uts_ns = { { 1 }, { "Linux", "(none)", "6.1.0-synthetic", "#1 SMP", "x86_64", "(none)" } };
        struct page {
        	unsigned long flags;
        	union {
        		struct { struct list_head lru; void *mapping; unsigned long index; unsigned long private; };
        		struct { unsigned long compound_head; unsigned char compound_dtor; unsigned char compound_order; };
        	};
        	union { int _mapcount; unsigned int page_type; };
        	int _refcount;
        	unsigned long memcg_data;
        };
        struct free_area { struct list_head free_list[5]; unsigned long nr_free; };
        struct zone { unsigned long watermark[4]; unsigned long spanned_pages; struct free_area free_area[11]; long vm_stat[12]; };
        struct pglist_data { struct zone node_zones[4]; int nr_zones; unsigned long node_start_pfn; unsigned long node_spanned_pages; };
        struct mem_section { unsigned long section_mem_map; unsigned long *usage; };
        typedef struct { unsigned long bits[16]; } nodemask_t;
        typedef nodemask_t nodemask_alias_t;
        nodemask_t node_states[4];
        struct pglist_data *node_data[64];
        struct mem_section **mem_section;
        struct page page0;
        unsigned long max_pfn = 1;
        void *high_memory = &page0;
        enum pageflags { PG_locked, PG_referenced, PG_uptodate, PG_dirty, PG_lru, PG_active, PG_workingset, PG_waiters, PG_error,
        	PG_slab, PG_owner_priv_1, PG_arch_1, PG_reserved, PG_private, PG_private_2, PG_writeback, PG_head, PG_mappedtodisk,
        	PG_reclaim, PG_swapbacked, PG_unevictable, PG_mlocked, PG_uncached, PG_hwpoison, __NR_PAGEFLAGS,
        	PG_swapcache = PG_owner_priv_1 };
        enum zone_stat_item { NR_FREE_PAGES, NR_ZONE_LRU_BASE };
        enum compound_dtor_id { NULL_COMPOUND_DTOR, COMPOUND_PAGE_DTOR, HUGETLB_PAGE_DTOR, NR_COMPOUND_DTORS };
        struct vm_struct { struct vm_struct *next; void *addr; unsigned long size; };
        struct vmap_area { unsigned long va_start; unsigned long va_end; char pad[24]; struct list_head list; };
        struct vm_struct *vmlist;
        struct list_head vmap_area_list;
        """;

    private const string UnitC = """
        /* CU 3: a later, different definition and enumerator: the first unit that answers decides. */
        struct page { long not_this_one; };
        enum zone_stat_item { NR_ZONE_INACTIVE, NR_FREE_PAGES };
        struct page *third;
        typedef struct list_head { void *n, *p; } list_head;
        list_head lh3;
        """;

    /// <summary>The program above as a "vmlinux" with DWARF <paramref name="version"/>.</summary>
    private static string CompileKernelLike(string dir, int version)
    {
        var sources = new[] { ("z.c", UnitZ), ("a.c", UnitA), ("b.c", UnitB), ("c.c", UnitC) }.Select(f =>
        {
            var path = Path.Combine(dir, f.Item1);
            File.WriteAllText(path, f.Item2 + "\n");
            return path;
        }).ToList();
        var exe = Path.Combine(dir, $"vmlinux-dwarf{version}");
        var cc = ExternalProcess.Run("gcc", ["-g", $"-gdwarf-{version}", "-O0", "-no-pie", "-fno-eliminate-unused-debug-types", "-o", exe, .. sources]);
        Assert.True(cc.ExitCode == 0, $"gcc failed: {cc.Stderr}");
        return exe;
    }

    /// <summary>
    /// -g on the compiled program: 1.7.8's file byte for byte, for DWARF 4 and 5, and with the debug
    /// sections compressed (SHF_COMPRESSED, zlib or zstd, by objcopy) as CONFIG_DEBUG_INFO_COMPRESSED
    /// kernels ship them.
    /// </summary>
    [Theory]
    [InlineData(4, null)]
    [InlineData(5, null)]
    [InlineData(5, "zlib")]
    [InlineData(5, "zstd")]
    public void Generated_vmcoreinfo_of_a_compiled_program_equals_makedumpfile_1_7_8(int version, string? compression)
    {
        using var scratch = Lab.Scratch("mdf-g");
        var exe = CompileKernelLike(scratch.Path, version);
        if (compression is not null)
        {
            var packed = exe + "-" + compression;
            var objcopy = ExternalProcess.Run("objcopy", [$"--compress-debug-sections={compression}", exe, packed]);
            Assert.True(objcopy.ExitCode == 0, $"objcopy failed: {objcopy.Stderr}");
            var header = Kdump.Formats.Elf.ElfObject.Parse(File.ReadAllBytes(packed), packed).SectionHeader(".debug_info");
            Assert.True((header!.Value.Flags & Kdump.Formats.Elf.ElfSectionHeader.ShfCompressed) != 0, ".debug_info was left uncompressed");
            exe = packed;
        }
        var (t, o) = (Path.Combine(scratch.Path, "theirs"), Path.Combine(scratch.Path, "ours"));
        var theirs = ExternalProcess.Run(Reference, ["-g", t, "-x", exe]);
        var ours = Run("-g", o, "-x", exe);
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        var text = File.ReadAllText(o);
        // The lines the program is built to give, so that equality with 1.7.8 is not equality of nothing.
        foreach (var line in new[] { "OSRELEASE=6.1.0-synthetic", "SIZE(page)=64", "OFFSET(page.mapping)=24", "OFFSET(page._refcount)=52",
                     "OFFSET(page.compound_order)=17", "OFFSET(uts_namespace.name)=4", "SIZE(nodemask_t)=128", "LENGTH(zone.free_area)=11",
                     "LENGTH(node_data)=9223372036854775806", "NUMBER(NR_FREE_PAGES)=7", "NUMBER(PG_head_mask)=65536", "SIZE(list_head)=16" })
            Assert.Contains(line + "\n", text, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(t), text);
    }

    private static class Chdr
    {
        public const int Type = Kdump.Formats.Elf.ElfCompressionHeader.FieldLocations.Elf64.Type;
        public const int Size = Kdump.Formats.Elf.ElfCompressionHeader.FieldLocations.Elf64.Size;
        public const int Length = Kdump.Formats.Elf.ElfCompressionHeader.FieldLocations.Elf64.Length;
    }

    /// <summary>A compressed .debug_info that is damaged (unknown ch_type, a wrong ch_size, bytes that do not inflate) ends -g with a message naming it.</summary>
    [Theory]
    [InlineData("type", "ch_type")]
    [InlineData("size", "ch_size says")]
    [InlineData("data", "does not inflate")]
    [InlineData("huge", "more than 1032 times")]
    public void Damaged_compressed_section_fails_with_a_message(string damage, string expected)
    {
        // Elf64_Chdr (x86_64).
        using var scratch = Lab.Scratch("mdf-g-z");
        var exe = CompileKernelLike(scratch.Path, 5);
        var packed = exe + "-zlib";
        Assert.Equal(0, ExternalProcess.Run("objcopy", ["--compress-debug-sections=zlib", exe, packed]).ExitCode);
        var bytes = File.ReadAllBytes(packed);
        var at = (int)Kdump.Formats.Elf.ElfObject.Parse(bytes, packed).SectionHeader(".debug_info")!.Value.Offset;
        switch (damage)
        {
            case "type": bytes[at + Chdr.Type] = 7; break;
            case "size": bytes[at + Chdr.Size]++; break;                        // one byte more than inflates
            case "huge": bytes[at + Chdr.Size + 3] = 0x7f; break;               // ~2 GiB claimed by a few KiB
            default: bytes.AsSpan(at + Chdr.Length + 2, 16).Fill(0xff); break;  // inside the zlib stream, past its header
        }
        File.WriteAllBytes(packed, bytes);
        var r = Run("-g", Path.Combine(scratch.Path, "out"), "-x", packed);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(".debug_info", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Damaged debug information (seeded byte changes in the compiled program's .debug_* sections):
    /// -g ends with a message and exit 1, or succeeds; never an unhandled exception or a hang.
    /// At least 150 mutants, more within KDUMP_FUZZ_SECONDS (eng/fuzz/run.sh).
    /// </summary>
    [Fact]
    public async Task Damaged_debug_information_fails_cleanly()
    {
        using var scratch = Lab.Scratch("mdf-g-fuzz");
        var exe = CompileKernelLike(scratch.Path, 5);
        var original = File.ReadAllBytes(exe);
        var elf = Kdump.Formats.Elf.ElfObject.Parse(original, exe);
        var ranges = new[] { ".debug_info", ".debug_abbrev", ".debug_line", ".debug_str", ".symtab" }
            .Select(n => (Name: n, Bytes: elf.Section(n)))
            .Where(x => x.Bytes is { Length: > 0 })
            .Select(x => (x.Name, Start: Offset(original, x.Bytes!.Value), x.Bytes!.Value.Length))
            .ToArray();
        var seed = FuzzSettings.Seed(20261128);
        var random = new Random(seed);
        var mutant = Path.Combine(scratch.Path, "mutant");
        var until = DateTime.UtcNow + FuzzSettings.Budget(3);
        for (var round = 0; round < 150 || DateTime.UtcNow < until; round++)
        {
            var bytes = (byte[])original.Clone();
            var (name, start, length) = ranges[random.Next(ranges.Length)];
            for (var k = random.Next(1, 9); k > 0; k--) bytes[start + random.Next(length)] = (byte)random.Next(256);
            File.WriteAllBytes(mutant, bytes);
            var output = Path.Combine(scratch.Path, "out");
            // A hang fails the test instead of stalling the run (the stuck case's thread is left behind).
            var r = await Task.Run(() => Run("-g", output, "-x", mutant)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(r.ExitCode is 0 or 1, $"seed {seed} round {round} ({name}): exit {r.ExitCode}: {r.Stderr}");
            // A release that is no version fails as upstream's: only the version warning, on stdout.
            if (r.ExitCode == 1)
                Assert.True(r.Stderr.Length > 0 || r.StdoutText.Contains("The kernel version is not supported.", StringComparison.Ordinal),
                    $"seed {seed} round {round} ({name}): failed without a message");
        }
    }

    private static int Offset(byte[] file, ReadOnlyMemory<byte> slice) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(slice, out var segment) && segment.Array == file ? segment.Offset : throw new InvalidOperationException("not a slice of the file");
}
