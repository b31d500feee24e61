using System.Text;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// The crash utility, with the lab kernel's debug vmlinux, analyses our makedumpfile's files exactly
/// as it analyses makedumpfile 1.7.8's of the same vmcore and options: the system summary, the
/// panic task's backtrace, the task list, memory and slab statistics, the log and the modules, byte
/// for byte. Debian 12's crash 8.0.2 knows kernels up to 6.1 (6.12's module layout stops it:
/// "invalid structure member offset: module_core_size"), so bullseye and bookworm; sid's crash
/// (eng/lab/reference-tools.sh's crash-ref: 9.0.2 on 2026-11-30) reads trixie's 6.12. 9.0.2 does
/// not read 7.2 ("invalid structure member offset: module_num_gpl_syms"): sid is drgn's alone.
/// </summary>
public sealed class CrashCompatTests
{
    private const string Commands = "sys\nbt\nps\nkmem -i\nkmem -s\nlog\nmod\nquit\n";

    public static TheoryData<string, string> Data => new()
    {
        { "bullseye", "-l -d 31" },
        { "bookworm", "-l -d 31" },
        { "bookworm", "-z -d 1" },
        { "bookworm", "-E -d 31" },
        { "trixie", "-l -d 31" },
    };

    [Theory]
    [MemberData(nameof(Data))]
    public void Crash_reads_our_dump_as_it_reads_makedumpfile_178s(string release, string options)
    {
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        var vmlinux = Lab.Vmlinux(release);
        // What a sysadmin of that release would use: Debian 12's crash, or the newer one the kernel needs.
        var crash = release == "trixie" ? Lab.ReferenceTool("crash-ref") : Lab.SystemTool("/usr/bin/crash");
        using var scratch = Lab.Scratch("crash");
        var argv = options.Split(' ');
        var (ours, theirs) = Reference178.MakeBoth(scratch.Path, vmcore, argv, argv);

        var input = Path.Combine(scratch.Path, "commands");
        File.WriteAllText(input, Commands);
        string Analyse(string dump)
        {
            var r = ExternalProcess.Run(crash, ["-s", "--no_scroll", "-i", input, vmlinux, dump], TimeSpan.FromMinutes(5));
            Assert.True(r.ExitCode == 0, $"crash on {dump}: {r.Stderr}");
            return Encoding.UTF8.GetString(r.Stdout).Replace(dump, "DUMPFILE", StringComparison.Ordinal) + r.Stderr;
        }
        var ourView = Analyse(ours);
        Assert.Equal(Analyse(theirs), ourView);
        // What a sysadmin looks for first: the release, the panic, and the sysrq path to it.
        Assert.Contains($"RELEASE: {File.ReadAllText(Path.Combine(Lab.Dir, "kernels", release, "kernel-release")).Trim()}", ourView, StringComparison.Ordinal);
        Assert.Contains("sysrq_handle_crash", ourView, StringComparison.Ordinal);
        Assert.Contains("sysrq: Trigger a crash", ourView, StringComparison.Ordinal);
    }
}
