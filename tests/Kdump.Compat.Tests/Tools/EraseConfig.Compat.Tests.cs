using System.Text;
using Kdump.Formats;
using Kdump.Makedumpfile;
using Kdump.Memory;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// makedumpfile --config (makedumpfile.conf(5) erase commands) against 1.7.8 on the lab vmcores
/// with their debug vmlinux: the same bytes erased, the same eraseinfo, the same messages.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class EraseConfigCompatTests
{
    private static InProcess.Result Run(params string[] args) => InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", args);

    private static string Reference => Lab.ReferenceTool("makedumpfile-1.7.8");

    /// <summary>
    /// Every form of the language on real kernel data: plain symbols, members, 'size' as a number
    /// and as a symbol, 'nullify', loops over a list_head list ('within'), an array of pointers and
    /// a 'via' list; then errors that skip a command (unknown symbol, unknown member) and one that
    /// ends the reading (a stray word: the command after it is not read). modprobe_path erases
    /// nothing, silently, in both: the first variable DIE of that name is the declaration
    /// <c>extern char modprobe_path[]</c>, an array without a length. execute_command, a NULL
    /// <c>char *</c> (no init= on the guest's command line), gets readmem's failure lines from the
    /// string-length read at address 0, and erases nothing.
    /// </summary>
    private const string Config = """
        # erase filters for the compat test
        [vmlinux]
        erase core_pattern
        erase modprobe_path
        erase execute_command
        erase saved_command_line
        erase init_task.comm size 4
        for tsk in init_task.tasks within task_struct:tasks
        	erase tsk.comm
        endfor
        for m in modules within module:list
        	erase m.name size 8
        endfor
        for nd in node_data
        	erase nd.node_id
        endfor
        for fs in file_systems via next
        	erase fs.name
        endfor
        erase log_buf size log_buf_len
        erase saved_command_line nullify
        erase no_such_symbol
        erase init_task.no_such_member
        erase jiffies_64 size 1K
        bogus token
        erase init_task.pid

        """;

    private static string Messages(string stderr) =>
        string.Join('\n', stderr.Split('\n').Where(l => !l.Contains("%]", StringComparison.Ordinal)));

    private static string WithoutClosing(string messages) =>
        messages[..messages.IndexOf("\nThe dumpfile is saved to", StringComparison.Ordinal)];

    /// <summary>The eraseinfo that the file's sub header points at, read by our kdump-compressed reader.</summary>
    private static string EraseInfo(string file)
    {
        using var dump = KdumpCompressedDump.Open([Kdump.Primitives.IO.FileByteSource.Open(file)]);
        return Encoding.Latin1.GetString(dump.Primary.EraseInfo.Span);
    }

    /// <summary>
    /// The erased dump of each format is 1.7.8's, byte for byte: kdump-compressed (its eraseinfo after
    /// the pages) and ELF (an ERASEINFO note grown into PT_NOTE); our flattened stream (-F), put
    /// back together by our -R, is 1.7.8's kdump-compressed file (the flattened records themselves
    /// are cut where each tool's write cache fills, so they differ). The messages are 1.7.8's too.
    /// </summary>
    [Theory]
    [InlineData("bullseye", "-l")]
    [InlineData("bookworm", "-l")]
    [InlineData("bookworm", "-E")]
    [InlineData("bookworm", "-F")]
    public void Erased_dump_equals_makedumpfile_1_7_8(string release, string format)
    {
        using var scratch = Lab.Scratch("mdf-config");
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        var config = Path.Combine(scratch.Path, "makedumpfile.conf");
        File.WriteAllText(config, Config.Replace("\r", "", StringComparison.Ordinal));
        var flat = format == "-F";
        string[] Argv(string output, bool flatten, params string[] more) =>
        [
            .. flatten ? ["-F", "-l"] : new[] { flat ? "-l" : format }, "-d", "31", .. more, "-x", Lab.Vmlinux(release), "--config", config, vmcore,
            .. flatten ? [] : new[] { Path.Combine(scratch.Path, output) },
        ];
        var theirs = ExternalProcess.Run(Reference, Argv("theirs", false));
        var ours = Run(Argv("ours", flat));
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        // With -F the closing messages go to stderr too (stdout carries the dump).
        Assert.Equal(Messages(theirs.Stderr), flat ? WithoutClosing(Messages(ours.Stderr)) : Messages(ours.Stderr));
        Assert.Contains("get_config: Config error at 25: Invalid token 'bogus'.", Messages(ours.Stderr), StringComparison.Ordinal);
        Assert.Contains("__vtop4_x86_64: Can't get a valid pgd.\nreadmem: Can't convert a virtual address(0) to physical address.\nreadmem: type_addr: 0, addr:0, size:1024\n",
            Messages(ours.Stderr), StringComparison.Ordinal);
        if (flat)
        {
            using var stream = new MemoryStream(ours.Stdout);
            Assert.Equal(0, InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", ["-R", Path.Combine(scratch.Path, "ours")], stream).ExitCode);
        }
        var bytes = File.ReadAllBytes(Path.Combine(scratch.Path, "ours"));
        var theirBytes = File.ReadAllBytes(Path.Combine(scratch.Path, "theirs"));
        if (format == "-E")
        {
            // /proc/vmcore maps the kernel image twice (kernel text and direct map). 1.7.8 erases a
            // range once, in the first copy, and leaves the data in the second (log_buf's 128 KiB
            // among them); we erase both. Every other byte is 1.7.8's.
            Assert.Equal(theirBytes.Length, bytes.Length);
            var differ = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == theirBytes[i]) continue;
                Assert.True(bytes[i] is (byte)'X' or 0, $"byte {i}: ours 0x{bytes[i]:x2}, 1.7.8's 0x{theirBytes[i]:x2}");
                differ++;
            }
            Assert.True(differ > 100_000, $"only {differ} bytes left by 1.7.8 in the second copy");
            return;
        }
        Assert.True(theirBytes.AsSpan().SequenceEqual(bytes), $"{release} {format}: our erased dump differs from 1.7.8's");
        if (format != "-l") return;
        var threads = Run(Argv("ours2", false, "--num-threads", "2"));
        Assert.Equal(0, threads.ExitCode);
        Assert.True(File.ReadAllBytes(Path.Combine(scratch.Path, "ours2")).AsSpan().SequenceEqual(bytes), $"{release}: --num-threads 2 differs");
        // Something was erased, and the command after the stray word was not read.
        var info = EraseInfo(Path.Combine(scratch.Path, "ours"));
        Assert.EndsWith("\n", info, StringComparison.Ordinal);
        // 5.10's first core_pattern DIE is a declaration too (nothing erased, as 1.7.8).
        if (release == "bookworm") Assert.Contains("erase core_pattern size 128", info, StringComparison.Ordinal);
        Assert.Contains("erase saved_command_line nullify", info, StringComparison.Ordinal);
        Assert.Contains("erase tsk.comm size 16", info, StringComparison.Ordinal);
        Assert.DoesNotContain("modprobe_path", info, StringComparison.Ordinal);
        Assert.DoesNotContain("init_task.pid", info, StringComparison.Ordinal);
        // Read back through our reader against the dump made without --config: every byte that
        // differs reads 'X' (erased) or 0 (nullified), and the erasing reached several pages.
        Assert.Equal(0, Run("-l", "-d", "31", vmcore, Path.Combine(scratch.Path, "plain")).ExitCode);
        using var erased = DumpOpener.Open(Path.Combine(scratch.Path, "ours"));
        using var plain = DumpOpener.Open(Path.Combine(scratch.Path, "plain"));
        var (a, b) = (new byte[4096], new byte[4096]);
        var (changedPages, xs) = (0, 0);
        for (ulong pfn = 0; pfn < 1UL << 20; pfn++)
        {
            var address = new Kdump.Primitives.Units.PhysAddr(pfn << 12);
            if (erased.Physical.TryRead(address, a) != PageReadStatus.Ok) continue;
            Assert.Equal(PageReadStatus.Ok, plain.Physical.TryRead(address, b));
            if (a.AsSpan().SequenceEqual(b)) continue;
            changedPages++;
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] == b[i]) continue;
                Assert.True(a[i] is (byte)'X' or 0, $"pfn 0x{pfn:x} byte {i}: 0x{a[i]:x2} is neither erased nor nullified");
                if (a[i] == (byte)'X') xs++;
            }
        }
        Assert.True(changedPages >= 3 && xs >= 1000, $"{changedPages} pages, {xs} bytes erased");
    }

    /// <summary>
    /// Re-filtering an erased dump keeps its eraseinfo (copy_eraseinfo), as 1.7.8 does: from a
    /// kdump-compressed input's eraseinfo, and from an ELF input's ERASEINFO note (its whole
    /// descriptor, the unused room of zeros included).
    /// </summary>
    [Theory]
    [InlineData("-l", "-z")]
    [InlineData("-E", "-z")]
    [InlineData("-E", "-E")]
    public void Refiltering_keeps_the_eraseinfo_like_makedumpfile_1_7_8(string input, string output)
    {
        using var scratch = Lab.Scratch("mdf-config-re");
        var config = Path.Combine(scratch.Path, "makedumpfile.conf");
        File.WriteAllText(config, "erase core_pattern\nerase saved_command_line nullify\n");
        var erased = Path.Combine(scratch.Path, "erased");
        Assert.Equal(0, Run(input, "-d", "1", "-x", Lab.Vmlinux("bookworm"), "--config", config, Lab.Fixture("bookworm", "proc-vmcore.elf"), erased).ExitCode);
        var theirs = ExternalProcess.Run(Reference, [output, "-d", "31", erased, Path.Combine(scratch.Path, "theirs")]);
        var ours = Run(output, "-d", "31", erased, Path.Combine(scratch.Path, "ours"));
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        // An ELF output keeps the input's notes, its ERASEINFO note among them.
        if (output == "-z")
            Assert.Equal("erase core_pattern size 128\nerase saved_command_line nullify", EraseInfo(Path.Combine(scratch.Path, "ours")).TrimEnd('\0').TrimEnd('\n'));
        var (theirBytes, ourBytes) = (File.ReadAllBytes(Path.Combine(scratch.Path, "theirs")), File.ReadAllBytes(Path.Combine(scratch.Path, "ours")));
        // ELF to ELF: our erased input has both copies of the kernel image erased, so reading each
        // PT_LOAD from itself (1.7.8) or each pfn from its first PT_LOAD (ours) gives the same bytes.
        Assert.True(theirBytes.AsSpan().SequenceEqual(ourBytes), $"re-filtered erased dump ({input} to {output}) differs from 1.7.8's");
    }

    /// <summary>
    /// --split with --config: each part erases its own pfn range from the whole list and carries its
    /// own eraseinfo (upstream's forked children); --reassemble puts every part's eraseinfo after the
    /// pages. Parts and the reassembled file equal 1.7.8's.
    /// </summary>
    [Fact]
    public void Split_parts_and_their_reassembly_equal_makedumpfile_1_7_8()
    {
        using var scratch = Lab.Scratch("mdf-config-split");
        var config = Path.Combine(scratch.Path, "makedumpfile.conf");
        File.WriteAllText(config, "erase core_pattern\nfor tsk in init_task.tasks within task_struct:tasks\n erase tsk.comm\nendfor\nerase log_buf size log_buf_len\n");
        string P(string name) => Path.Combine(scratch.Path, name);
        string[] Split(string who) => ["--split", "-l", "-d", "31", "-x", Lab.Vmlinux("bookworm"), "--config", config,
            Lab.Fixture("bookworm", "proc-vmcore.elf"), P(who + "1"), P(who + "2"), P(who + "3")];
        Assert.Equal(0, ExternalProcess.Run(Reference, Split("theirs")).ExitCode);
        Assert.Equal(0, Run(Split("ours")).ExitCode);
        Assert.Equal(0, ExternalProcess.Run(Reference, ["--reassemble", P("theirs1"), P("theirs2"), P("theirs3"), P("theirs")]).ExitCode);
        Assert.Equal(0, Run("--reassemble", P("ours1"), P("ours2"), P("ours3"), P("ours")).ExitCode);
        foreach (var name in new[] { "1", "2", "3", "" })
            Assert.True(File.ReadAllBytes(P("theirs" + name)).AsSpan().SequenceEqual(File.ReadAllBytes(P("ours" + name))), $"part '{name}' differs from 1.7.8's");
        // In the lab guest everything erased lies in the first part's pfns (1.7.8 agrees, up to 12
        // parts), so the join of several parts' eraseinfo is not exercised here.
        var info = EraseInfo(P("ours"));
        Assert.Contains("erase log_buf size 131072", info, StringComparison.Ordinal);
        Assert.Contains("erase tsk.comm size 16", info, StringComparison.Ordinal);
    }

    /// <summary>
    /// A module section on a host without the dump's /lib/modules/RELEASE (this one): the section
    /// is skipped with 1.7.8's two messages, the rest applies, and the file is 1.7.8's.
    /// (EraseModules.Compat.Tests gives the modules and their debug files.)
    /// </summary>
    [Fact]
    public void A_module_section_without_the_kernels_modules_directory_is_skipped_as_1_7_8_skips_it()
    {
        using var scratch = Lab.Scratch("mdf-config-mod");
        var config = Path.Combine(scratch.Path, "makedumpfile.conf");
        File.WriteAllText(config, "erase saved_command_line\n[ext4]\nerase ext4_li_info\nerase ext4_fs_type.name\n[vmlinux]\nerase core_pattern\n");
        var modules = Path.Combine("/lib/modules", Lab.Modules("bookworm").KernelRelease);
        Assert.False(Directory.Exists(modules), $"{modules} exists on this host: the test needs it absent");
        string[] Args(string output) => ["-l", "-d", "31", "-x", Lab.Vmlinux("bookworm"), "--config", config, Lab.Fixture("bookworm", "proc-vmcore.elf"), output];
        var ours = Run(Args(Path.Combine(scratch.Path, "ours")));
        var theirs = Reference178.Run(Args(Path.Combine(scratch.Path, "theirs")), Path.Combine(scratch.Path, "theirs"));
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(0, theirs.ExitCode);
        Assert.Contains("search_module_debuginfo: Can't get Module debuginfo for module 'ext4'\nprocess_config_file: Skipping to next Module section\n", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(Messages(theirs.Stderr), Messages(ours.Stderr));
        Assert.Equal(File.ReadAllBytes(Path.Combine(scratch.Path, "theirs")), File.ReadAllBytes(Path.Combine(scratch.Path, "ours")));
        Assert.Equal("erase saved_command_line size 64\nerase core_pattern size 128\n", EraseInfo(Path.Combine(scratch.Path, "ours")));
    }
}
