using System.Text;
using System.Text.RegularExpressions;
using Kdump.Makedumpfile;
using Kdump.Memory;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// -D (message-level bit 8): our debug lines against makedumpfile 1.7.8's on the lab's real vmcores,
/// stdout byte for byte. stderr is compared without its progress segments, whose repetitions differ
/// (see The_progress_line_is_drawn_like_makedumpfile_1_7_8s). argv[0] is the only text replaced.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public partial class MakedumpfileDebugCompatTests
{
    [GeneratedRegex(@"\r[A-Za-z ]{50}: \[[ \d]{3}\.\d %\] [/|\\-]  .{16}")]
    private static partial Regex ProgressSegment();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        // Without bit 8: sid's 1.7.8 lacks upstream f50c015 and counts 7.1's user pages differently.
        foreach (var r in Lab.Releases) data.Add(r, "-l -d 23 {VMCORE} out");
        data.Add("bookworm", "-E -d 31 {VMCORE} out");
        data.Add("trixie", "--dump-dmesg {VMCORE} out");
        data.Add("bookworm", "-l -d 31 {KDUMP} out");
        data.Add("sid", "-z -d 17 {KDUMP} out");
        data.Add("bullseye", "-c -d 31 --num-threads 2 {VMCORE} out");
        data.Add("trixie", "-l -d 31 --non-mmap --cyclic-buffer 64 {VMCORE} out");
        data.Add("bookworm", "-l -d 1 --work-dir {DIR} {VMCORE} out");
        data.Add("bookworm", "out -d 31 -l {VMCORE}");
        data.Add("bookworm", "--reassemble {SPLIT2} {SPLIT1} out");
        // -i: the file's block, then the note's; bullseye's kernel is not the file's (check_release fails).
        data.Add("bookworm", "-l -d 31 -i {VMCOREINFO} {VMCORE} out");
        data.Add("bullseye", "-l -d 31 -i {VMCOREINFO} {VMCORE} out");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Debug_lines_equal_makedumpfile_1_7_8s(string release, string line)
    {
        using var scratch = Lab.Scratch("mdf-debug");
        var dir = scratch.Path;
        Directory.CreateDirectory(Path.Combine(dir, "work"));
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        if (line.Contains("{SPLIT", StringComparison.Ordinal))
        {
            var split = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"),
                ["--message-level", "0", "-l", "-d", "31", "--split", vmcore, Path.Combine(dir, "s1"), Path.Combine(dir, "s2")]);
            Assert.Equal(0, split.ExitCode);
        }
        if (line.Contains("{VMCOREINFO}", StringComparison.Ordinal))
        {
            // bookworm's note text, as a file
            using var source = DumpOpener.Open(Lab.Fixture("bookworm", "proc-vmcore.elf"));
            File.WriteAllBytes(Path.Combine(dir, "vmcoreinfo"), source.VmcoreInfo.ToArray());
        }
        string[] Argv(string output) =>
        [
            "-D",
            .. line.Split(' ').Select(w => w switch
            {
                "{VMCORE}" => vmcore,
                "{KDUMP}" => Lab.Fixture(release, "derived/l-d0.kdump"),
                "{DIR}" => Path.Combine(dir, "work"),
                "{SPLIT1}" => Path.Combine(dir, "s1"),
                "{SPLIT2}" => Path.Combine(dir, "s2"),
                "{VMCOREINFO}" => Path.Combine(dir, "vmcoreinfo"),
                "out" => Path.Combine(dir, output),
                _ => w,
            }),
        ];
        var theirs = Reference178.Run(Argv("theirs"), Path.Combine(dir, "theirs"));
        var ours = InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", Argv("ours"));
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        var theirOut = Regex.Replace(Encoding.UTF8.GetString(theirs.Stdout), @"^command line: \S+ ", "command line: makedumpfile ", RegexOptions.Multiline)
            .Replace("theirs", "ours", StringComparison.Ordinal);
        Assert.Contains("makedumpfile: version 1.7.8 (released on 30 Oct 2025)\n", ours.StdoutText, StringComparison.Ordinal);
        Assert.Equal(theirOut, ours.StdoutText);
        Assert.Equal(ProgressSegment().Replace(theirs.Stderr, ""), ProgressSegment().Replace(ours.Stderr, ""));
    }

    /// <summary>
    /// A hostile header value prints as C prints it, never a crash: current_cpu 0xffffffff is
    /// 1.7.8's %d, -1.
    /// </summary>
    [Fact]
    public void A_hostile_header_value_prints_as_makedumpfile_1_7_8s()
    {
        using var scratch = Lab.Scratch("mdf-debug-hostile");
        var dir = scratch.Path;
        var kdump = Path.Combine(dir, "cpu.kdump");
        File.Copy(Lab.Fixture("bookworm", "derived/l-d31.kdump"), kdump);
        using (var f = new FileStream(kdump, FileMode.Open, FileAccess.Write))
        {
            f.Position = 456;   // current_cpu in the 64-bit disk_dump_header (DiskDumpHeader.FieldLocations)
            f.Write([0xff, 0xff, 0xff, 0xff]);
        }
        string[] argv = ["-D", "-l", "-d", "31", kdump];
        var theirs = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), [.. argv, Path.Combine(dir, "theirs")]);
        var ours = InProcess.Run(MakedumpfileCommand.Run, "makedumpfile", [.. argv, Path.Combine(dir, "ours")]);
        Assert.Equal((0, 0), (theirs.ExitCode, ours.ExitCode));
        Assert.Contains("  current_cpu      : -1\n", ours.StdoutText, StringComparison.Ordinal);
        static string Masked(string s) => Regex.Replace(s, @"^command line: \S+ ", "command line: makedumpfile ", RegexOptions.Multiline)
            .Replace("theirs", "ours", StringComparison.Ordinal);
        Assert.Equal(Masked(Encoding.UTF8.GetString(theirs.Stdout)), Masked(ours.StdoutText));
    }

    /// <summary>
    /// A negative --cyclic-buffer is larger than free memory to upstream (an unsigned comparison):
    /// cut to MemFree with its two messages. Not run with 1.7.8, which would then allocate and
    /// clear bitmaps as large as the machine's free memory.
    /// </summary>
    [Fact]
    public void A_negative_cyclic_buffer_is_cut_to_free_memory()
    {
        using var scratch = Lab.Scratch("mdf-debug-cyclic");
        var ours = InProcess.Run(MakedumpfileCommand.Run, "makedumpfile",
            ["-D", "-l", "-d", "31", "--cyclic-buffer", "-5", Lab.Fixture("bookworm", "proc-vmcore.elf"), Path.Combine(scratch.Path, "out")]);
        Assert.Equal(0, ours.ExitCode);
        var m = Regex.Match(ours.StdoutText, @"Specified buffer size is larger than free memory\.\nThe buffer size for the cyclic mode will be truncated to (\d+) byte\.\n(?:.*\n)*?\nBuffer size for the cyclic mode: (\d+)\n");
        Assert.True(m.Success, ours.StdoutText);
        Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);
    }
}
