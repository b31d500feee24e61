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
    /// the zones' free lists (exclude_free_page). -l -d 31 (and -E on bookworm) equal 1.7.8's -x files.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Vmlinux_stands_in_for_a_missing_note_like_makedumpfile_1_7_8(string release)
    {
        using var scratch = Lab.Scratch("mdf-x");
        var dir = scratch.Path;
        var vmcore = Path.Combine(dir, "no-vmcoreinfo.elf");
        File.Copy(Lab.Fixture(release, "proc-vmcore.elf"), vmcore);
        using (var f = new FileStream(vmcore, FileMode.Open, FileAccess.ReadWrite))
        {
            var head = new byte[1 << 16];
            f.ReadExactly(head);
            var at = head.AsSpan().IndexOf("VMCOREINFO\0"u8);
            Assert.True(at > 0, "no VMCOREINFO note name in the first 64 KiB");
            f.Position = at + 9;
            f.WriteByte((byte)'X'); // "VMCOREINFX": a note nobody reads
        }
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
    }

    private static string ReportLine(string stdout, string label) =>
        stdout.Split('\n').Single(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal)).Trim();

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
}
