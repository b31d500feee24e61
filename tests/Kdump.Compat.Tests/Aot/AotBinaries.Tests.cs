using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Aot;

/// <summary>
/// The NativeAOT executables (eng/aot/publish.sh, run by eng/test.sh before the tests) behave
/// like the in-process tools on real dumps: trimming and AOT compilation lost nothing.
/// </summary>
public class AotBinariesTests
{
    private static string Binary(string tool)
    {
        var path = Path.Combine(Lab.RepoRoot, "artifacts", "aot", tool, tool);
        return File.Exists(path) ? path : throw new FileNotFoundException(
            $"NativeAOT build of {tool} missing at {path}: run eng/aot/publish.sh", path);
    }

    [Theory]
    [MemberData(nameof(Releases))]
    public void Vmcore_dmesg_matches_kexec_tools(string release)
    {
        var result = ExternalProcess.Run(Binary("vmcore-dmesg"), [Lab.Fixture(release, "proc-vmcore.elf")]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllBytes(Lab.Fixture(release, "derived/vmcore-dmesg-2.0.32.txt")), result.Stdout);
    }

    /// <summary>
    /// A closed or full stdout: kexec-tools' write_to_stdout says why and exits 54; ours died of an
    /// unhandled exception (134) on a closed one until 2026-11-30.
    /// </summary>
    [Theory]
    [InlineData(">&-", "Bad file descriptor")]
    [InlineData(">/dev/full", "No space left on device")]
    public void Vmcore_dmesg_to_a_closed_or_full_stdout_fails_as_kexec_tools(string redirect, string why)
    {
        foreach (var tool in new[] { Binary("vmcore-dmesg"), Lab.ReferenceTool("vmcore-dmesg-2.0.32") })
        {
            var r = ExternalProcess.Run("/bin/bash", ["-c", $"\"$0\" \"$1\" {redirect}", tool, Lab.Fixture("bookworm", "proc-vmcore.elf")]);
            Assert.Equal(54, r.ExitCode);
            Assert.Equal($"Failed to write out the dmesg log buffer!: {why}\n", r.Stderr);
        }
    }

    [Fact]
    public void Makedumpfile_dump_dmesg_writes_the_log()
    {
        using var scratch = Lab.Scratch("aot-dmesg");
        var dir = scratch.Path;
        var log = Path.Combine(dir, "dmesg.txt");
        var result = ExternalProcess.Run(Binary("makedumpfile"),
            ["--dump-dmesg", Lab.Fixture("bookworm", "derived/l-d31.kdump"), log]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("The dmesg log is saved to", System.Text.Encoding.ASCII.GetString(result.Stdout), StringComparison.Ordinal);
        var text = File.ReadAllText(log);
        Assert.Contains(Lab.Info("bookworm")["panic_string"], text, StringComparison.Ordinal);
    }

    /// <summary>kdump-capture run through a link named makedumpfile (as in the capture image) is our makedumpfile: the same bytes.</summary>
    [Fact]
    public void Kdump_capture_called_makedumpfile_is_makedumpfile()
    {
        using var scratch = Lab.Scratch("aot-multicall");
        var dir = scratch.Path;
        var link = Path.Combine(dir, "makedumpfile");
        File.CreateSymbolicLink(link, Binary("kdump-capture"));
        string[] args = ["-l", "-d", "31", Lab.Fixture("bookworm", "proc-vmcore.elf")];
        var viaLink = ExternalProcess.Run(link, [.. args, Path.Combine(dir, "via-link")]);
        var direct = ExternalProcess.Run(Binary("makedumpfile"), [.. args, Path.Combine(dir, "direct")]);

        Assert.True(viaLink.ExitCode == 0, viaLink.Stderr);
        Assert.Equal(0, direct.ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "direct")), File.ReadAllBytes(Path.Combine(dir, "via-link")));
        // Under its own name it is the capture program, which refuses makedumpfile's options.
        Assert.NotEqual(0, ExternalProcess.Run(Binary("kdump-capture"), ["-l"]).ExitCode);
    }

    /// <summary>
    /// -F into a pipe whose reader is gone (an ssh that died): killed by SIGPIPE, 141 in a shell, as
    /// makedumpfile 1.7.8 is; never "Completed" with exit 0 (the runtime ignores SIGPIPE and its
    /// console stream drops EPIPE writes). vmcore-dmesg as kexec-tools' does. The dump stream is
    /// 28 MB and the log over 100 KiB, so the 64 KiB pipe buffer cannot hide the reader's end.
    /// </summary>
    [Fact]
    public void A_broken_pipe_kills_the_writer_as_it_kills_the_reference()
    {
        // The test host ignores SIGPIPE and children inherit that (bash cannot undo it): env gives
        // each tool the default disposition a login shell would.
        const string Script = "env --default-signal=PIPE \"$0\" \"$@\" 2>/dev/null | head -c 4096 >/dev/null; echo ${PIPESTATUS[0]}";
        var vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");
        using var scratch = Lab.Scratch("aot-sigpipe");
        var dir = scratch.Path;
        var link = Path.Combine(dir, "makedumpfile");
        File.CreateSymbolicLink(link, Binary("kdump-capture"));
        string[] flattened = ["-F", "-l", "-d", "31", vmcore];
        foreach (var (tool, args) in new[]
        {
            (Binary("makedumpfile"), flattened),
            (link, flattened),
            (Lab.ReferenceTool("makedumpfile-1.7.8"), flattened),
            (Binary("vmcore-dmesg"), [vmcore]),
            (Lab.ReferenceTool("vmcore-dmesg-2.0.32"), [vmcore]),
        })
        {
            var result = ExternalProcess.Run(Lab.SystemTool("/bin/bash"), ["-c", Script, tool, .. args]);
            var status = System.Text.Encoding.ASCII.GetString(result.Stdout);
            Assert.True(status == "141\n", $"{tool}: exit status {status}");
        }
    }

    /// <summary>
    /// A file-size limit (ulimit -f, as a vfat target's 4 GiB) mid-dump: EFBIG is a write error like
    /// ENOSPC: "File too large", exit 1, the file flagged incomplete. It used to end in a stack trace
    /// (the BCL reports EFBIG as an argument error) with the header unflagged.
    /// </summary>
    [Fact]
    public void A_file_size_limit_ends_the_dump_flagged_incomplete()
    {
        const string Script = "trap '' XFSZ; ulimit -f 20000; exec \"$0\" \"$@\"";
        using var scratch = Lab.Scratch("aot-efbig");
        var dir = scratch.Path;
        foreach (var (tool, name) in new[] { (Binary("makedumpfile"), "ours"), (Lab.ReferenceTool("makedumpfile-1.7.8"), "theirs") })
        {
            var output = Path.Combine(dir, name);
            var result = ExternalProcess.Run(Lab.SystemTool("/bin/bash"), ["-c", Script, tool, "-l", "-d", "0", Lab.Fixture("bookworm", "proc-vmcore.elf"), output]);
            var stdout = System.Text.Encoding.ASCII.GetString(result.Stdout);
            Assert.True(result.ExitCode == 1, $"{name}: exit {result.ExitCode}: {result.Stderr}");
            Assert.Contains($"\nCan't write the dump file({output}). File too large\n", stdout, StringComparison.Ordinal);
            Assert.EndsWith("makedumpfile Failed.\n", stdout, StringComparison.Ordinal);
        }
        // 1.7.8 flags only a full disk (flag_nospace); we flag every dump that stopped early.
        using var dump = Kdump.Memory.KdumpCompressedDump.Open([Path.Combine(dir, "ours")]);
        Assert.True(dump.IsIncomplete);
    }

    [Fact]
    public void Kdump_lab_shows_the_panic()
    {
        var result = ExternalProcess.Run(Binary("kdump-lab"), ["show", Lab.Fixture("trixie", "proc-vmcore.elf")]);

        Assert.Equal(0, result.ExitCode);
        var text = System.Text.Encoding.UTF8.GetString(result.Stdout);
        Assert.Contains(Lab.Info("trixie")["osrelease"], text, StringComparison.Ordinal);
        Assert.Contains(Lab.Info("trixie")["panic_string"], text, StringComparison.Ordinal);
    }

    public static TheoryData<string> Releases() => Lab.ReleaseData;
}
