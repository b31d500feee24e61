using System.Text;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// drgn (Debian 12's 0.0.22, through libkdumpfile, with the lab kernel's debug vmlinux) sees in our
/// makedumpfile's file what it sees in makedumpfile 1.7.8's of the same vmcore and options
/// (eng/lib/drgn-summary.py: release, crashed thread and stack, task count, the log's sysrq and
/// panic lines). drgn 0.0.22 unwinds stacks up to 6.1; on 6.12 and 7.2 both files say so alike.
/// On sid's 7.2 with bit 8, 1.7.8 is no reference (below).
/// </summary>
public sealed class DrgnCompatTests
{
    public static TheoryData<string, string> Data => new()
    {
        { "bullseye", "-l -d 31" },
        { "bookworm", "-l -d 31" },
        { "bookworm", "-p -d 1" },
        { "trixie", "-z -d 31" },
        { "sid", "-c -d 1" },
    };

    [Theory]
    [MemberData(nameof(Data))]
    public void Drgn_reads_our_dump_as_it_reads_makedumpfile_178s(string release, string options)
    {
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        var vmlinux = Lab.Vmlinux(release);
        var drgn = Lab.SystemTool("/usr/bin/drgn");
        var script = Path.Combine(Lab.RepoRoot, "eng", "lib", "drgn-summary.py");
        using var scratch = Lab.Scratch("drgn");
        var argv = options.Split(' ');
        // The lab's 1.7.8 (sid's build) has no snappy: it would store the pages raw, so for -p
        // its file is made with -l; drgn then reads our snappy pages against its lzo ones.
        var (ours, theirs) = Reference178.MakeBoth(scratch.Path, vmcore, argv, argv[0] == "-p" ? ["-l", .. argv[1..]] : argv);

        string Summary(string dump)
        {
            var r = ExternalProcess.Run(drgn, ["-c", dump, "-s", vmlinux, script], TimeSpan.FromMinutes(5));
            Assert.True(r.ExitCode == 0, $"drgn on {dump}: {r.Stderr}");
            return Encoding.UTF8.GetString(r.Stdout);
        }
        var ourView = Summary(ours);
        Assert.Equal(Summary(theirs), ourView);
        var kernelRelease = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", release, "kernel-release")).Trim();
        Assert.StartsWith($"release {kernelRelease}\ncrashed thread 1\ncomm init\n", ourView, StringComparison.Ordinal);
        Assert.Contains("sysrq: Trigger a crash", ourView, StringComparison.Ordinal);
        if (release is "bullseye" or "bookworm") Assert.Contains(" panic sysrq_handle_crash ", ourView, StringComparison.Ordinal);
    }

    /// <summary>
    /// Filtering on 7.2 (sid), where 1.7.8 cannot be the reference at bit 8 (it lacks upstream
    /// f50c015 and misreads compound tails, page-filter.md): drgn finds the release, the crashed
    /// thread and its task, and the panic in our -d 31 file.
    /// </summary>
    [Fact]
    public void Drgn_finds_the_crashed_task_and_the_panic_in_our_7_2_d31_file()
    {
        var vmcore = Lab.Fixture("sid", "proc-vmcore.elf");
        var vmlinux = Lab.Vmlinux("sid");
        var drgn = Lab.SystemTool("/usr/bin/drgn");
        var script = Path.Combine(Lab.RepoRoot, "eng", "lib", "drgn-summary.py");
        using var scratch = Lab.Scratch("drgn");
        var ours = Path.Combine(scratch.Path, "ours");
        var made = InProcess.Run(Kdump.Makedumpfile.MakedumpfileCommand.Run, "makedumpfile", ["-l", "-d", "31", vmcore, ours]);
        Assert.True(made.ExitCode == 0, made.Stderr);

        var run = ExternalProcess.Run(drgn, ["-c", ours, "-s", vmlinux, script], TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var view = Encoding.UTF8.GetString(run.Stdout);
        var release = $"release {File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "sid", "kernel-release")).Trim()}\n";
        Assert.StartsWith(release + "crashed thread 1\ncomm init\n", view, StringComparison.Ordinal);
        Assert.Contains("Kernel panic - not syncing: sysrq triggered crash", view, StringComparison.Ordinal);
    }
}
