using System.Text;
using Kdump.Kernel;
using Kdump.Memory;
using Kdump.Tests.Shared;
using Kdump.Makedumpfile;

namespace Kdump.Compat.Tests.Tools;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class MakedumpfileCompatTests
{
    private static InProcess.Result Run(params string[] args) => InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", args);

    public static TheoryData<string, string, string> DmesgData()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var r in Lab.Releases)
        {
            foreach (var f in new[] { "proc-vmcore.elf", "derived/l-d31.kdump", "derived/c-d1.kdump", "derived/z-d1.kdump", "derived/l-d0.kdump" })
                data.Add(r, f, "derived/dmesg-1.7.8.txt");
            data.Add(r, "qmp.elf", "derived/qmp-dmesg-1.7.8.txt");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DmesgData))]
    public void Dump_dmesg_equals_makedumpfile_1_7_8_up_to_the_signed_char_fix(string release, string input, string expected)
    {
        using var scratch = Lab.Scratch("dump-dmesg");
        var dir = scratch.Path;
        var log = Path.Combine(dir, "dmesg.txt");
        var r = Run("--dump-dmesg", Lab.Fixture(release, input), log);
        Assert.Equal("", r.Stderr);
        Assert.Equal($"{Lab.VersionWarning(release)}\nThe dmesg log is saved to {log}.\n\nmakedumpfile Completed.\n", r.StdoutText);
        Assert.Equal(0, r.ExitCode);
        var reference = InProcess.NormaliseSignedCharEscapes(Encoding.Latin1.GetString(File.ReadAllBytes(Lab.Fixture(release, expected))));
        Assert.Equal(reference, Encoding.Latin1.GetString(File.ReadAllBytes(log)));
        // 1.7.8 creates the log 0600 like its dump files (the test host's umask is 022).
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
    }

    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Rearranging_the_flattened_file_gives_makedumpfiles_own_result(string release)
    {
        using var scratch = Lab.Scratch("rearrange");
        var dir = scratch.Path;
        var output = Path.Combine(dir, "out.kdump");
        using var stdin = File.OpenRead(Lab.Fixture(release, "derived/F-l-d31.flat"));
        var r = InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", ["-R", output], stdin);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"\nThe dumpfile is saved to {output}.\n\nmakedumpfile Completed.\n", r.StdoutText);
        Assert.True(File.ReadAllBytes(Lab.Fixture(release, "derived/R-l-d31.kdump")).AsSpan().SequenceEqual(File.ReadAllBytes(output)));
    }

    [Theory]
    [MemberData(nameof(UtsData))]
    public void Kernel_virtual_reads_agree_with_libkdumpfile(string release, string input)
    {
        using var dump = DumpOpener.Open(Lab.Fixture(release, input));
        var view = KernelView.Open(dump, TranslationStrategy.PageTables);
        Assert.True(view.VmcoreInfo.TryGetSymbol("init_uts_ns", out var uts));
        var name = uts.Add(view.VmcoreInfo.TryGetOffset("uts_namespace.name", out var off) ? off : 0);
        var ours = new byte[8 + 6 * 65];
        view.Memory.Read(name, ours);

        var script = "import sys, kdumpfile\nk = kdumpfile.kdumpfile(sys.argv[1])\nk.attr['addrxlat.ostype'] = 'linux'\n"
            + "sys.stdout.buffer.write(k.read(kdumpfile.KDUMP_KVADDR, int(sys.argv[2], 16), int(sys.argv[3])))\n";
        var theirs = ExternalProcess.Run(Lab.SystemTool("/usr/bin/python3"), ["-c", script, Lab.Fixture(release, input), name.Value.ToString("x"), "398"]);
        Assert.Equal("", theirs.Stderr);
        Assert.Equal(theirs.Stdout, ours);
        // Kernels before OFFSET(uts_namespace.name) was exported (5.10) leave the kref in front: find sysname.
        var sysname = ours.AsSpan().IndexOf("Linux\0"u8);
        Assert.True(sysname >= 0);
        var releaseField = Encoding.ASCII.GetString(ours, sysname + (2 * 65), 65).TrimEnd('\0');
        Assert.Equal(view.VmcoreInfo.OsRelease, releaseField);
    }

    public static TheoryData<string, string> UtsData()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Lab.Releases)
            foreach (var f in new[] { "proc-vmcore.elf", "derived/l-d31.kdump", "derived/c-d1.kdump", "derived/l-d0.kdump" })
                data.Add(r, f);
        return data;
    }

    /// <summary>argv → stdout, stderr, exit code, against makedumpfile 1.7.8 itself.</summary>
    [Theory]
    [InlineData("-q")]
    [InlineData("-cq")]
    [InlineData("--foo")]
    [InlineData("--foo=3")]
    [InlineData("--d")]
    [InlineData("-d")]
    [InlineData("--dump-dmesg=3")]
    [InlineData("--message-level")]
    [InlineData("--mess")]
    [InlineData("--message-level", "99")]
    [InlineData("--dump-dmesg")]
    [InlineData("--dump-dmesg", "/nonexistent/vmcore", "SCRATCH/out.txt")]
    [InlineData("--dump-dmesg", "--dry-run", "a", "b")]
    [InlineData("--partial-dmesg", "a", "b")]
    [InlineData("-R")]
    [InlineData("-R", "a", "b")]
    [InlineData("--reassemble", "--dry-run", "a", "b", "c")]
    [InlineData("-c", "-R", "a")]
    [InlineData("-E", "--split", "a", "b", "c")]
    [InlineData("-d", "32", "a", "b")]
    [InlineData("-d", "1,32", "a", "b")]
    [InlineData("-d", "32", "-h")]
    [InlineData("-d", "32", "--foo")]
    [InlineData("--check-params", "-d", "32", "a", "b")]
    [InlineData("--num-threads", "0", "--split", "SCRATCH/nx", "SCRATCH/o1", "SCRATCH/o2")]
    [InlineData("--num-threads", "-5", "-E", "SCRATCH/nx", "SCRATCH/o1")]
    [InlineData("--message-level", "0", "-l", "-d", "31", "/etc/passwd", "SCRATCH/o")]
    [InlineData("-v")]
    [InlineData()]
    public void Usage_errors_match_makedumpfile_1_7_8(params string[] args)
    {
        using var scratch = Lab.Scratch("mdf-cli");
        var dir = scratch.Path;
        var argv = args.Select(a => a.Replace("SCRATCH", dir, StringComparison.Ordinal)).ToArray();
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout).Replace("version 1.7.8 (released on 30 Oct 2025)\nlzo\tenabled\nsnappy\tdisabled", "version 1.7.8 (released on 30 Oct 2025)\nlzo\tenabled\nsnappy\tenabled", StringComparison.Ordinal), ours.StdoutText);
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(theirs.Stderr, @"^\S*makedumpfile: ", "makedumpfile: ", System.Text.RegularExpressions.RegexOptions.Multiline), ours.Stderr);
    }

    /// <summary>--dump-dmesg into a missing directory: the message names the function that reads the 5.10+ ring, as 1.7.8's.</summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Dump_dmesg_into_a_missing_directory_fails_as_makedumpfile_1_7_8(string release)
    {
        using var scratch = Lab.Scratch("mdf-dmesg-nodir");
        var dir = scratch.Path;
        string[] argv = ["--dump-dmesg", Lab.Fixture(release, "proc-vmcore.elf"), Path.Combine(dir, "nodir", "log.txt")];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Contains("dump_lockless_dmesg: Can't open output file.\n", theirs.Stderr, StringComparison.Ordinal);
        Assert.Equal((theirs.ExitCode, Encoding.UTF8.GetString(theirs.Stdout), theirs.Stderr), (ours.ExitCode, ours.StdoutText, ours.Stderr));
    }

    /// <summary>A directory as the vmcore: EISDIR's words, as 1.7.8 (the BCL reports a directory open as access denied).</summary>
    [Fact]
    public void A_directory_input_is_called_a_directory()
    {
        using var scratch = Lab.Scratch("mdf-dir-input");
        var dir = scratch.Path;
        var ours = Run(["-l", "-d", "31", dir, Path.Combine(dir, "o")]);
        Assert.Equal((1, $"open_dump_memory: Can't open the dump memory({dir}). Is a directory\n"), (ours.ExitCode, ours.Stderr));
    }

    [Fact]
    public void An_existing_log_file_is_refused_without_f()
    {
        using var scratch = Lab.Scratch("mdf-exists");
        var dir = scratch.Path;
        var log = Path.Combine(dir, "exists.txt");
        File.WriteAllText(log, "");
        var args = new[] { "--dump-dmesg", Lab.Fixture("bookworm", "proc-vmcore.elf"), log };
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), args);
        var ours = Run(args);
        Assert.Equal((theirs.ExitCode, Encoding.UTF8.GetString(theirs.Stdout), theirs.Stderr), (ours.ExitCode, ours.StdoutText, ours.Stderr));
    }

    [Fact]
    public void A_flattened_input_to_dump_dmesg_fails_like_upstream_with_a_reassembly_hint()
    {
        using var scratch = Lab.Scratch("mdf-flat");
        var dir = scratch.Path;
        var flat = Lab.Fixture("bookworm", "derived/F-l-d31.flat");
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), ["--dump-dmesg", flat, Path.Combine(dir, "a.txt")]);
        var ours = Run("--dump-dmesg", flat, Path.Combine(dir, "b.txt"));
        Assert.Equal(1, theirs.ExitCode);
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
        Assert.Contains("check_elf_format: Can't get valid ehdr.\n", theirs.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("check_elf_format: Can't get valid ehdr.\n", ours.Stderr, StringComparison.Ordinal);
        Assert.Contains("makedumpfile -R", ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Creating_a_dump_file_from_a_missing_input_fails_as_upstream()
    {
        var r = Run("-l", "-d", "31", "in", "out");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("open_dump_memory: Can't open the dump memory(in). No such file or directory\n", r.Stderr);
        Assert.Equal("\nmakedumpfile Failed.\n", r.StdoutText);
    }

    public static TheoryData<string[]> DryRunData() => new()
    {
        { new[] { "-l", "-d", "31", "VMCORE", "OUT" } },
        { new[] { "-z", "-d", "1", "VMCORE", "OUT" } },
        { new[] { "-F", "-l", "-d", "31", "VMCORE" } },
        { new[] { "-E", "-d", "31", "VMCORE", "OUT" } },
        { new[] { "--split", "-l", "-d", "31", "VMCORE", "OUT", "OUT2" } },
    };

    /// <summary>--dry-run does all the work and writes nothing: no file, no bytes on stdout, upstream's messages.</summary>
    [Theory]
    [MemberData(nameof(DryRunData))]
    public void A_dry_run_creates_nothing_and_says_what_makedumpfile_1_7_8_says(string[] args)
    {
        using var scratch = Lab.Scratch("mdf-dry");
        var dir = scratch.Path;
        var argv = args.Select(a => a switch
        {
            "VMCORE" => Lab.Fixture("bookworm", "proc-vmcore.elf"),
            "OUT" or "OUT2" => Path.Combine(dir, a.ToLowerInvariant()),
            _ => a,
        }).Prepend("--dry-run").ToArray();
        var ours = Run(argv);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
        Assert.Equal(0, theirs.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
    }

    [Fact]
    public void A_dry_run_reports_the_numbers_of_a_real_run()
    {
        using var scratch = Lab.Scratch("mdf-dry-report");
        var dir = scratch.Path;
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        var output = Path.Combine(dir, "out");
        var dry = Run("--dry-run", "--message-level", "31", "-l", "-d", "31", vmcore, output);
        Assert.False(File.Exists(output));
        var real = Run("--message-level", "31", "-l", "-d", "31", vmcore, output);
        Assert.Equal((0, 0), (dry.ExitCode, real.ExitCode));
        Assert.Contains($"Write bytes     : {new FileInfo(output).Length}\n", real.StdoutText, StringComparison.Ordinal);
        // Level 31 has the debug bit: the command lines differ by --dry-run.
        static string WithoutCommandLine(string s) => System.Text.RegularExpressions.Regex.Replace(s, "^command line: .*\n", "", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.Equal(WithoutCommandLine(real.StdoutText), WithoutCommandLine(dry.StdoutText));
    }

    [Fact]
    public void A_dry_run_of_R_reads_the_stream_and_creates_nothing()
    {
        using var scratch = Lab.Scratch("mdf-dry-r");
        var dir = scratch.Path;
        var flat = Lab.Fixture("bookworm", "derived/F-l-d31.flat");
        var output = Path.Combine(dir, "out");
        using (var stdin = File.OpenRead(flat))
        {
            var ours = InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", ["--dry-run", "-R", output], stdin);
            Assert.Equal((0, "", $"\nThe dumpfile is saved to {output}.\n\nmakedumpfile Completed.\n"), (ours.ExitCode, ours.Stderr, ours.StdoutText));
        }
        Assert.False(File.Exists(output));
        var theirs = ExternalProcess.Run(Lab.SystemTool("/bin/sh"), ["-c", "exec \"$0\" --dry-run -R \"$1\" < \"$2\"", Lab.ReferenceTool("makedumpfile-1.7.8"), output, flat]);
        Assert.Equal((0, $"\nThe dumpfile is saved to {output}.\n\nmakedumpfile Completed.\n"), (theirs.ExitCode, Encoding.UTF8.GetString(theirs.Stdout)));
        Assert.False(File.Exists(output));

        // A damaged stream still fails in a dry run: the stream is read, not skipped.
        using var truncated = new MemoryStream(File.ReadAllBytes(flat).AsSpan(0, 6000).ToArray());
        var bad = InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", ["--dry-run", "-R", output], truncated);
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("rearrange_dumpdata: ", bad.Stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> VtopData()
    {
        var data = new TheoryData<string, string>();
        foreach (var release in Lab.Releases)
        {
            // A direct-map address (4 KiB pages), one below the kernel text (2 MiB pages, in decimal), an unmapped one.
            foreach (var address in new[] { "0xffff888000100123", "18446744071611314176", "0x1000" }) data.Add(release, address);
        }
        return data;
    }

    /// <summary>--vtop prints the page-table walk and the translation as 1.7.8 does (stdout, byte for byte).</summary>
    [Theory]
    [MemberData(nameof(VtopData))]
    public void Vtop_prints_the_walk_of_makedumpfile_1_7_8(string release, string address)
    {
        using var scratch = Lab.Scratch("mdf-vtop");
        var dir = scratch.Path;
        string[] argv = ["--vtop", address, "--dry-run", "-l", "-d", "31", Lab.Fixture(release, "proc-vmcore.elf"), Path.Combine(dir, "out")];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.Contains("VIRTUAL           PHYSICAL\n", ours.StdoutText, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
    }

    /// <summary>--partial-dmesg: the lab kernels' lockless ring has no clear point in VMCOREINFO, so both tools write the whole log.</summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Partial_dmesg_equals_makedumpfile_1_7_8(string release)
    {
        using var scratch = Lab.Scratch("partial-dmesg");
        var dir = scratch.Path;
        var (ourLog, theirLog) = (Path.Combine(dir, "ours.txt"), Path.Combine(dir, "theirs.txt"));
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), ["--dump-dmesg", "--partial-dmesg", vmcore, theirLog]);
        var ours = Run("--dump-dmesg", "--partial-dmesg", vmcore, ourLog);
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout).Replace(theirLog, ourLog, StringComparison.Ordinal), ours.StdoutText);
        Assert.Equal(InProcess.NormaliseSignedCharEscapes(Encoding.Latin1.GetString(File.ReadAllBytes(theirLog))), Encoding.Latin1.GetString(File.ReadAllBytes(ourLog)));
    }

    /// <summary>-L SIZE: the same messages and exit code as 1.7.8, a file cut at the limit and flagged incomplete (kdump and ELF), or the refusal of a bad size.</summary>
    [Theory]
    [InlineData("1000000", "-l")]
    [InlineData("1M", "-l")]
    [InlineData("1000000", "-E")]
    [InlineData("100G", "-l")]
    [InlineData("0", "-l")]
    [InlineData("12x", "-l")]
    [InlineData("0x100000", "-l")]
    [InlineData("04000000", "-l")]
    [InlineData("1k", "-l")]
    public void Size_limit_cuts_the_dump_like_makedumpfile_1_7_8(string limit, string format)
    {
        using var scratch = Lab.Scratch("mdf-limit");
        var dir = scratch.Path;
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        var (theirFile, ourFile) = (Path.Combine(dir, "theirs"), Path.Combine(dir, "ours"));
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), ["--message-level", "6", "-L", limit, format, "-d", "31", vmcore, theirFile]);
        var ours = Run("--message-level", "6", "-L", limit, format, "-d", "31", vmcore, ourFile);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout).Replace(theirFile, ourFile, StringComparison.Ordinal), ours.StdoutText);
        Assert.Equal(theirs.Stderr, ours.Stderr);
        Assert.Equal(File.Exists(theirFile), File.Exists(ourFile));
        if (!File.Exists(ourFile)) return;
        Assert.Equal(new FileInfo(theirFile).Length, new FileInfo(ourFile).Length);
        // The flag is read from the header bytes (ELF e_flags bit 0 at 48, kdump status bit 0x8 at
        // 424): a 1 KiB cut leaves no sub header to open, and ELF PT_LOADs run past any cut.
        var head = File.ReadAllBytes(ourFile);
        var incomplete = format == "-E"
            ? (BitConverter.ToUInt32(head.AsSpan(48, 4)) & 1) != 0
            : (BitConverter.ToUInt32(head.AsSpan(424, 4)) & (uint)Kdump.Formats.Diskdump.DiskDumpStatus.Incomplete) != 0;
        Assert.Equal(ours.ExitCode != 0, incomplete);
        if (format == "-l" && head.Length >= 1_000_000)
        {
            // Cut inside the page data: our reader opens it and says so.
            using var dump = KdumpCompressedDump.Open([ourFile]);
            Assert.Equal(incomplete, (dump.Primary.Header.Status & Kdump.Formats.Diskdump.DiskDumpStatus.Incomplete) != 0);
        }
        if (format == "-E" && incomplete)
        {
            // The PT_LOADs run past the cut: the pages before it read as the vmcore's, the last one as not stored.
            using var elf = (ElfDump)DumpOpener.Open(ourFile);
            using var source = DumpOpener.Open(vmcore);
            var loads = elf.Core.Loads.Where(l => l.FileSize > 0).ToList();
            var (first, last) = (new Kdump.Primitives.Units.PhysAddr(loads[0].PhysicalAddress), new Kdump.Primitives.Units.PhysAddr(loads[^1].PhysicalAddress + loads[^1].FileSize - 4096));
            var (ourPage, theirPage) = (new byte[4096], new byte[4096]);
            Assert.Equal(Kdump.Formats.PageReadStatus.Ok, elf.Physical.TryRead(first, ourPage));
            Assert.Equal(Kdump.Formats.PageReadStatus.Ok, source.Physical.TryRead(first, theirPage));
            Assert.Equal(theirPage, ourPage);
            Assert.Equal(Kdump.Formats.PageReadStatus.NotStored, elf.Physical.TryRead(last, ourPage));
        }
    }

    /// <summary>-L with -F: the flattened stream on stdout is cut at SIZE bytes, with 1.7.8's two lines.</summary>
    [Fact]
    public void Size_limit_cuts_the_flattened_stream_like_makedumpfile_1_7_8()
    {
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), ["--message-level", "6", "-L", "1000000", "-F", "-l", "-d", "31", vmcore]);
        var ours = Run("--message-level", "6", "-L", "1000000", "-F", "-l", "-d", "31", vmcore);
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(1_000_000, theirs.Stdout.Length);
        Assert.Equal(theirs.Stderr, ours.Stderr);
        // Our records differ from 1.7.8's (they reassemble to the same file), so ours is checked
        // against our own uncut stream: the first SIZE bytes of it.
        var whole = Run("--message-level", "6", "-F", "-l", "-d", "31", vmcore);
        Assert.Equal(0, whole.ExitCode);
        Assert.True(whole.Stdout.AsSpan(0, 1_000_000).SequenceEqual(ours.Stdout), "the cut stream is not a prefix of the whole one");
    }

    /// <summary>
    /// --mem-usage on the test host itself: no crash kernel is reserved here (nor, in CI, /proc/kcore),
    /// so both tools stop at the same gate with the same lines, the running kernel's version warning included.
    /// </summary>
    [Fact]
    public void Mem_usage_on_this_host_stops_where_makedumpfile_1_7_8_stops()
    {
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), ["--mem-usage", "/proc/kcore"]);
        var ours = Run("--mem-usage", "/proc/kcore");
        Assert.Equal(1, theirs.ExitCode);
        Assert.Equal((theirs.ExitCode, Encoding.UTF8.GetString(theirs.Stdout), theirs.Stderr), (ours.ExitCode, ours.StdoutText, ours.Stderr));
    }

    public static TheoryData<string, string> ElfReportData()
    {
        var data = new TheoryData<string, string>();
        foreach (var release in Lab.Releases)
        {
            foreach (var level in new[] { "31", "1", "8" }) data.Add(release, level);
        }
        return data;
    }

    /// <summary>
    /// -E's report as 1.7.8 counts it: per input PT_LOAD (the kernel text inside the RAM segment
    /// counted twice) and the "in ELF format" lines, up to the Write bytes line (our count is the file length).
    /// </summary>
    [Theory]
    [MemberData(nameof(ElfReportData))]
    public void Elf_report_counts_like_makedumpfile_1_7_8(string release, string level)
    {
        string[] argv = ["--dry-run", "--message-level", "31", "-E", "-d", level, Lab.Fixture(release, "proc-vmcore.elf"), "/nonexistent/out"];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), [.. Lab.UpstreamReading(release), .. argv]);
        var ours = Run(argv);
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.Contains("in ELF format", ReportText.PageCounts(ours.StdoutText), StringComparison.Ordinal);
        Assert.Equal(ReportText.PageCounts(Encoding.UTF8.GetString(theirs.Stdout)), ReportText.PageCounts(ours.StdoutText));
    }

    public static TheoryData<string, string> VmemmapData()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Lab.Releases)
        {
            foreach (var format in new[] { "-l -d 31", "-E -d 31", "-z -d 16" }) data.Add(r, format);
        }
        return data;
    }

    private static readonly System.Text.RegularExpressions.Regex VmemmapLine = new(@"\nExcluded (\d+) unused vmemmap pages\n");

    /// <summary>
    /// -e on the lab's vmcores: the same file as 1.7.8, byte for byte (the kdump header's
    /// EXCLUDED_VMEMMAP flag included), the same "Excluded N unused vmemmap pages" line, and for -E
    /// the same report (one cycle: each pfn counted once).
    /// </summary>
    [Theory]
    [MemberData(nameof(VmemmapData))]
    public void Exclude_unused_vmemmap_writes_makedumpfile_1_7_8s_file(string release, string format)
    {
        using var scratch = Lab.Scratch("mdf-vmemmap");
        var dir = scratch.Path;
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        string[] Argv(string output) => [.. format.Split(' '), "-e", "--work-dir", dir, "--message-level", "23", vmcore, Path.Combine(dir, output)];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), [.. Lab.UpstreamReading(release), .. Argv("theirs")]);
        var ours = Run(Argv("ours"));
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        var theirCount = VmemmapLine.Match(theirs.Stderr);
        var ourCount = VmemmapLine.Match(ours.Stderr);
        Assert.True(theirCount.Success && ourCount.Success, ours.Stderr);
        Assert.Equal(theirCount.Groups[1].Value, ourCount.Groups[1].Value);
        Assert.True(long.Parse(ourCount.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "the lab's vmcores have free memory: some struct pages must go");
        Assert.True(File.ReadAllBytes(Path.Combine(dir, "theirs")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "ours"))),
            $"{release} {format} -e: our file differs from makedumpfile 1.7.8's");
        if (!format.StartsWith("-E", StringComparison.Ordinal))
        {
            using var dump = KdumpCompressedDump.Open([Path.Combine(dir, "ours")]);
            Assert.True((dump.Primary.Header.Status & Kdump.Formats.Diskdump.DiskDumpStatus.ExcludedVmemmap) != 0);
        }
        Assert.Equal(ReportText.PageCounts(Encoding.UTF8.GetString(theirs.Stdout)), ReportText.PageCounts(ours.StdoutText));
    }

    /// <summary>
    /// --work-dir alone makes makedumpfile work in one cycle, and -E then counts each pfn once
    /// (without it, on the lab's odd max_mapnr, the pfns under two PT_LOADs count twice).
    /// </summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Elf_report_with_a_work_dir_counts_each_pfn_once_like_makedumpfile_1_7_8(string release)
    {
        using var scratch = Lab.Scratch("mdf-workdir");
        var dir = scratch.Path;
        string[] argv = ["--dry-run", "--work-dir", dir, "--message-level", "31", "-E", "-d", "31", Lab.Fixture(release, "proc-vmcore.elf"), Path.Combine(dir, "out")];
        var theirs = Encoding.UTF8.GetString(ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), [.. Lab.UpstreamReading(release), .. argv]).Stdout);
        var ours = Run(argv).StdoutText;
        Assert.Equal(ReportText.PageCounts(theirs), ReportText.PageCounts(ours));
        var cyclic = Run(["--dry-run", "--message-level", "31", "-E", "-d", "31", Lab.Fixture(release, "proc-vmcore.elf"), Path.Combine(dir, "out")]).StdoutText;
        Assert.NotEqual(ReportText.PageCounts(cyclic), ReportText.PageCounts(ours));
    }

    /// <summary>A --work-dir that does not exist fails before anything is written, with 1.7.8's words (its file name is random).</summary>
    [Theory]
    [InlineData("-l")]
    [InlineData("-E")]
    public void A_missing_work_dir_fails_like_makedumpfile_1_7_8(string format)
    {
        using var scratch = Lab.Scratch("mdf-nowork");
        var dir = scratch.Path;
        string[] Argv(string output) => [format, "-d", "31", "--work-dir", Path.Combine(dir, "missing"), Lab.Fixture("bookworm", "proc-vmcore.elf"), Path.Combine(dir, output)];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), Argv("theirs"));
        var ours = Run(Argv("ours"));
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
        static string Unnamed(string stderr) => System.Text.RegularExpressions.Regex.Replace(stderr, "kdump_bitmap[A-Za-z0-9]{6}", "kdump_bitmapXXXXXX");
        Assert.Contains("open_dump_bitmap: Can't open the bitmap file(", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(Unnamed(theirs.Stderr), Unnamed(ours.Stderr));
        Assert.Empty(Directory.GetFileSystemEntries(dir)); // neither dump file was created
    }

    /// <summary>The VMCOREINFO note of a lab vmcore as a -i file (what makedumpfile -g would write for that kernel).</summary>
    private static string WriteVmcoreInfoFile(string release, string dir, Func<string, string>? edit = null)
    {
        using var dump = DumpOpener.Open(Lab.Fixture(release, "proc-vmcore.elf"));
        var text = Encoding.ASCII.GetString(dump.VmcoreInfo.Span);
        var path = Path.Combine(dir, "vmcoreinfo");
        File.WriteAllText(path, edit is null ? text : edit(text));
        return path;
    }

    /// <summary>
    /// -i FILE for a vmcore without VMCOREINFO (a copy of bookworm's with the note renamed, made
    /// here): 1.7.8's files byte for byte with -l and -E; without -i both refuse -d 31 alike.
    /// </summary>
    [Fact]
    public void Vmcoreinfo_file_stands_in_for_a_missing_note_like_makedumpfile_1_7_8()
    {
        using var scratch = Lab.Scratch("mdf-vmcoreinfo");
        var dir = scratch.Path;
        var info = WriteVmcoreInfoFile("bookworm", dir);
        var vmcore = Lab.CopyWithoutVmcoreInfo("bookworm", Path.Combine(dir, "no-vmcoreinfo.elf"));
        using (var renamed = DumpOpener.Open(vmcore)) Assert.True(renamed.VmcoreInfo.IsEmpty);

        // "1,31": initial() checks the highest level of the list, not the first.
        foreach (var levels in new[] { "31", "1,31" })
        {
            string[] Plain(string output) => ["-l", "-d", levels, vmcore, Path.Combine(dir, output)];
            var refused = (Theirs: ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), Plain("t0")), Ours: Run(Plain("o0")));
            Assert.Equal((1, 1), (refused.Theirs.ExitCode, refused.Ours.ExitCode));
            Assert.Contains("doesn't contain vmcoreinfo", refused.Ours.StdoutText, StringComparison.Ordinal);
            Assert.Equal(Encoding.UTF8.GetString(refused.Theirs.Stdout), refused.Ours.StdoutText);
        }

        foreach (var format in new[] { "-l", "-E" })
        {
            string[] Argv(string output) => [format, "-d", "31", "-i", info, vmcore, Path.Combine(dir, output)];
            var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), Argv("theirs" + format));
            var ours = Run(Argv("ours" + format));
            Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
            Assert.True(File.ReadAllBytes(Path.Combine(dir, "theirs" + format)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir, "ours" + format))),
                $"-i {format}: our file differs from makedumpfile 1.7.8's");
        }
    }

    /// <summary>-i naming another kernel: exit 2 (WRONG_RELEASE) and check_release's line; 1.7.8 prints "(null)" for the file name.</summary>
    [Fact]
    public void A_vmcoreinfo_file_of_another_release_exits_2_like_makedumpfile_1_7_8()
    {
        using var scratch = Lab.Scratch("mdf-vmcoreinfo");
        var dir = scratch.Path;
        var info = WriteVmcoreInfoFile("trixie", dir, t => System.Text.RegularExpressions.Regex.Replace(t, "OSRELEASE=.*", "OSRELEASE=6.1.0-99-amd64"));
        string[] argv = ["-l", "-d", "31", "-i", info, Lab.Fixture("trixie", "proc-vmcore.elf"), Path.Combine(dir, "out")];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Equal((2, 2), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
        Assert.Equal(theirs.Stderr.Replace("(null)", info, StringComparison.Ordinal), ours.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "out")));
    }

    /// <summary>
    /// -i with another kernel's whole VMCOREINFO (bookworm's file for bullseye's and trixie's
    /// vmcores): its page-table root is not this dump's, so check_release cannot read the utsname:
    /// readmem's and __vtop4_x86_64's lines, exit 1, as 1.7.8. We used to take the file's release
    /// as read and fail later, at the first struct page, with a message of our own (found by
    /// eng/compat/random-cases.py). <c>-E</c> and <c>-F</c> too: check_release comes first.
    /// </summary>
    [Theory]
    [InlineData("bullseye", "-l")]
    [InlineData("trixie", "-l")]
    [InlineData("trixie", "-E")]
    public void A_vmcoreinfo_file_of_another_kernel_fails_at_check_release_like_makedumpfile_1_7_8(string release, string format)
    {
        using var scratch = Lab.Scratch("mdf-vmcoreinfo");
        var dir = scratch.Path;
        var info = WriteVmcoreInfoFile("bookworm", dir);
        string[] argv = [format, "-d", "31", "-i", info, Lab.Fixture(release, "proc-vmcore.elf"), Path.Combine(dir, "out")];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.EndsWith("check_release: Can't get the address of system_utsname.\n", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(theirs.Stderr, ours.Stderr);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
        Assert.False(File.Exists(Path.Combine(dir, "out")));
    }

    /// <summary>
    /// The page-table page that holds the utsname's PUD entry cut out of every PT_LOAD of a copy of
    /// bookworm's vmcore (as a memory hole): check_release's read then stops inside the walk, and
    /// both tools print readmem(PADDR)'s lines (readpage_elf, type_addr 1), __vtop4_x86_64's
    /// "Can't get pud_pte (pud_paddr:…)", then readmem(VADDR)'s, exit 1.
    /// </summary>
    [Fact]
    public void A_page_table_page_missing_from_the_dump_gives_makedumpfile_1_7_8s_walk_messages()
    {
        using var scratch = Lab.Scratch("mdf-no-pud");
        var dir = scratch.Path;
        var source = Lab.Fixture("bookworm", "proc-vmcore.elf");
        ulong pudPage;
        using (var input = Kdump.Dump.DumpInput.Open(DumpOpener.Open(source)))
        {
            var walker = Assert.IsType<Kdump.Kernel.Arch.X64.X64PageTableWalker>(input.Kernel.Memory.Translator);
            var walk = new List<(string Level, ulong EntryAddress, ulong Entry)>();
            Assert.True(walker.Translate(input.UtsNameAddress()!.Value, walk).IsOk);
            Assert.Equal("PUD", walk[1].Level);
            pudPage = walk[1].EntryAddress & ~0xfffUL;
        }
        var vmcore = Path.Combine(dir, "no-pud.elf");
        File.Copy(source, vmcore);
        Kdump.Formats.Elf.ElfCore core;
        using (var s = Kdump.Primitives.IO.FileByteSource.Open(vmcore)) core = Kdump.Formats.Elf.ElfCoreReader.Read(s);
        var headers = new List<Kdump.Formats.Elf.ElfProgramHeader>();
        foreach (var h in core.ProgramHeaders)
        {
            if (h.Type != Kdump.Formats.Elf.ElfConstants.PtLoad || pudPage < h.PhysicalAddress || pudPage >= h.PhysicalAddress + h.MemorySize)
            {
                headers.Add(h);
                continue;
            }
            var before = pudPage - h.PhysicalAddress;
            var skip = before + 4096;
            headers.Add(h with { FileSize = before, MemorySize = before });
            headers.Add(h with
            {
                Offset = h.Offset + skip,
                VirtualAddress = h.VirtualAddress == 0 ? 0 : h.VirtualAddress + skip,
                PhysicalAddress = h.PhysicalAddress + skip,
                FileSize = h.FileSize - skip,
                MemorySize = h.MemorySize - skip,
            });
        }
        Assert.Equal(core.ProgramHeaders.Count + 2, headers.Count);     // the kernel text copy and the RAM segment
        using (var f = new FileStream(vmcore, FileMode.Open, FileAccess.ReadWrite))
            ElfHeaderEdit.WriteProgramHeaders(f, core, headers);
        var info = WriteVmcoreInfoFile("bookworm", dir);
        string[] argv = ["-l", "-d", "31", "-i", info, vmcore, Path.Combine(dir, "out")];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.StartsWith($"readpage_elf: Attempt to read non-existent page at 0x{pudPage:x}.\nreadmem: type_addr: 1, addr:", ours.Stderr, StringComparison.Ordinal);
        Assert.Contains("__vtop4_x86_64: Can't get pud_pte (pud_paddr:", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(theirs.Stderr, ours.Stderr);
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
    }

    /// <summary>read_vmcoreinfo_basic_info's checks; 1.7.8 ends "Invalid format" and "Invalid data" without a newline, we end the line.</summary>
    [Theory]
    [InlineData("PAGESIZE=.*\n", "")]
    [InlineData("OSRELEASE=.*\n", "")]
    [InlineData("PAGESIZE=.*", "PAGESIZE=4096x")]
    [InlineData("PAGESIZE=.*", "PAGESIZE=0")]
    [InlineData("CRASHTIME=.*", "CRASHTIME=0")]
    public void A_bad_vmcoreinfo_file_is_refused_like_makedumpfile_1_7_8(string pattern, string replacement)
    {
        using var scratch = Lab.Scratch("mdf-vmcoreinfo");
        var dir = scratch.Path;
        var info = WriteVmcoreInfoFile("bullseye", dir, t => System.Text.RegularExpressions.Regex.Replace(t, pattern, replacement));
        string[] argv = ["-l", "-d", "31", "-i", info, Lab.Fixture("bullseye", "proc-vmcore.elf"), Path.Combine(dir, "out")];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        var ours = Run(argv);
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Encoding.UTF8.GetString(theirs.Stdout), ours.StdoutText);
        Assert.Contains("read_vmcoreinfo_basic_info: Invalid ", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal(theirs.Stderr.TrimEnd('\n'), ours.Stderr.TrimEnd('\n'));
    }

    private static readonly System.Text.RegularExpressions.Regex ProgressSegment =
        new(@"^(?<label>[A-Za-z ]{50}): \[(?<pct>[ \d]{3}\.\d) %\] (?<spin>[/|\\-])  (?<eta>.{16})$");

    /// <summary>
    /// print_progress's layout on stderr: every step redraws one line after "\r", the spinner is
    /// shared by all steps (upstream's statics), the first draw of the run is not held back (0.0 %),
    /// and the line ends after "Copying data" at 100 % (twice with worker threads: the threaded
    /// writer ends its own line). 1.7.8 redraws its steps once per cycle (with -E, per PT_LOAD), so
    /// the steps are compared in the order they first appear, the first three draws as they are,
    /// and what follows the last exclusion without the spinner (whose phase those repeats shift).
    /// </summary>
    [Theory]
    [InlineData("-l")]
    [InlineData("-E")]
    [InlineData("-l --num-threads 2")]
    public void The_progress_line_is_drawn_like_makedumpfile_1_7_8s(string format)
    {
        using var scratch = Lab.Scratch("mdf-progress");
        var dir = scratch.Path;
        string[] Argv(string output) => [.. format.Split(' '), "-d", "31", Lab.Fixture("bookworm", "proc-vmcore.elf"), Path.Combine(dir, output)];
        var theirs = Reference178.Run(Argv("theirs"), Path.Combine(dir, "theirs"));
        var ours = Run(Argv("ours"));
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.Equal(Steps(theirs.Stderr), Steps(ours.Stderr));
        // The first draws as they are, unless a wall-clock second turned during a step in either
        // run: that adds a draw of a percentage short of 100 (upstream draws once per second of
        // time(NULL)), which moves every later spinner. Then those draws are left out and the
        // spinner is masked (seen once under CI load, 2026-11-29, -E).
        var (theirsFirst, oursFirst) = (theirs.Stderr.Split('\r')[..4], ours.Stderr.Split('\r')[..4]);
        if (HasIntermediateDraw(theirs.Stderr) || HasIntermediateDraw(ours.Stderr))
            (theirsFirst, oursFirst) = (Settled(theirs.Stderr), Settled(ours.Stderr));
        Assert.Equal(theirsFirst, oursFirst);
        // 1.7.8's -E draws 100 % once more for each range it copies.
        if (!format.StartsWith("-E", StringComparison.Ordinal)) Assert.Equal(Ending(theirs.Stderr), Ending(ours.Stderr));

        static string[] Steps(string stderr)
        {
            Assert.True(stderr.StartsWith('\r') && stderr.EndsWith('\n'), stderr);
            var segments = stderr[1..].Split('\r');
            var steps = new List<string>();
            for (var i = 0; i < segments.Length; i++)
            {
                var m = ProgressSegment.Match(segments[i].TrimEnd('\n'));
                Assert.True(m.Success, segments[i]);
                Assert.Equal("/|\\-"[i % 4], m.Groups["spin"].Value[0]);
                // Only the copy's last draws end the line.
                Assert.True(!segments[i].EndsWith('\n') || m.Groups["label"].Value.StartsWith("Copying data", StringComparison.Ordinal), segments[i]);
                var label = m.Groups["label"].Value.TrimEnd();
                if (steps.Count == 0 || steps[^1] != label) steps.Add(label);
            }
            Assert.Equal(("Copying data", "100.0"), (steps[^1], ProgressSegment.Match(segments[^1].TrimEnd('\n')).Groups["pct"].Value));
            // 1.7.8 goes back to the earlier steps for each further cycle (-E: each PT_LOAD).
            return [.. steps.Distinct()];
        }

        // A draw after the first that is neither 0.0 % nor 100.0 %: a second turned during a step.
        static bool HasIntermediateDraw(string stderr) =>
            stderr[1..].Split('\r').Skip(1).Any(d => !d.Contains("[100.0 %]", StringComparison.Ordinal) && !d.Contains("[  0.0 %]", StringComparison.Ordinal));

        // The first four draws at 0.0 % or 100.0 %, spinner masked.
        static string[] Settled(string stderr) =>
        [
            .. stderr.Split('\r').Where(d => d.Length == 0 || d.Contains("[100.0 %]", StringComparison.Ordinal) || d.Contains("[  0.0 %]", StringComparison.Ordinal))
                .Take(4).Select(d => System.Text.RegularExpressions.Regex.Replace(d, @"%\] [/|\\-]", "%] ?")),
        ];

        // The copy's draws at 100 % and the newlines after the last exclusion, spinner masked.
        static string Ending(string stderr)
        {
            var tail = stderr[stderr.IndexOf('\r', stderr.LastIndexOf("\rExcluding unnecessary pages", StringComparison.Ordinal) + 1)..];
            var draws = tail.Split('\r').Where(d => d.Contains("[100.0 %]", StringComparison.Ordinal));
            return System.Text.RegularExpressions.Regex.Replace(string.Join('\r', draws), @"%\] [/|\\-]", "%] ?");
        }
    }
}
