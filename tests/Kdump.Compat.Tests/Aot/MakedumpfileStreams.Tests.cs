using System.Text;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Aot;

/// <summary>
/// Our NativeAOT makedumpfile and 1.7.8 side by side where a shell script puts them: standard
/// streams closed or full, a pipe as the input or the dump file, a FIFO as the log, -L with -R and
/// --dump-dmesg, parts of two runs given to --reassemble. Found by differential runs on 2026-11-30:
/// ours died of unhandled exceptions (exit 134, the dump never written with `2&gt;&amp;-`), ignored
/// -L there, hung on a FIFO and reassembled mixed parts. Each case runs through bash, once per tool.
/// </summary>
public class MakedumpfileStreamsTests
{
    private static readonly string s_vmcore = Lab.Fixture("bookworm", "proc-vmcore.elf");

    private static string Ours
    {
        get
        {
            var path = Path.Combine(Lab.RepoRoot, "artifacts", "aot", "makedumpfile", "makedumpfile");
            return File.Exists(path) ? path : throw new FileNotFoundException($"NativeAOT makedumpfile missing at {path}: run eng/aot/publish.sh", path);
        }
    }

    private static string Theirs => Lab.ReferenceTool("makedumpfile-1.7.8");

    /// <summary>Runs <paramref name="script"/> in bash in <paramref name="dir"/> with $M the tool and $V the vmcore.</summary>
    private static ExternalProcess.Result Sh(string tool, string dir, string script) =>
        ExternalProcess.Run("/bin/bash", ["-c", $"cd \"$2\" && M=\"$0\" V=\"$1\" && {script}", tool, s_vmcore, dir], TimeSpan.FromMinutes(2));

    private static string Out(ExternalProcess.Result r) => Encoding.UTF8.GetString(r.Stdout);

    /// <summary>The tool's stderr without its progress lines (they differ in redraws, documented), which 1.7.8 ends without a newline.</summary>
    private static string Errors(ExternalProcess.Result r) =>
        string.Join('\n', System.Text.RegularExpressions.Regex.Replace(r.Stderr, @"\r?[A-Z][a-z ]+: \[ *[0-9.]+ %\] [|/\\-]( +eta: \S+)? *", "")
            .Split('\n').Where(l => l.Trim().Length > 0));

    [Theory]
    [InlineData(">&-")]
    [InlineData("2>&-")]
    [InlineData(">&- 2>&-")]
    [InlineData(">/dev/full 2>/dev/full")]
    public void Closed_or_full_standard_streams_lose_messages_not_the_dump(string redirect)
    {
        using var scratch = Lab.Scratch("mdf-closed-std");
        var runs = new[] { ("ours", Ours), ("theirs", Theirs) }.Select(t =>
            Out(Sh(t.Item2, scratch.Path, $"\"$M\" -l -d 31 \"$V\" {t.Item1} {redirect}; echo rc=$? >&3 3>&-", redirectFd3: true))).ToList();
        Assert.EndsWith("rc=0\n", runs[1], StringComparison.Ordinal);
        Assert.Equal(runs[1].Replace("theirs", "ours", StringComparison.Ordinal), runs[0]);
        // The dump is 1.7.8's own (derived/ was made by it with nothing closed). With both streams
        // closed 1.7.8's dump file takes descriptor 2 and its progress lines go into the dump;
        // ours holds 0-2 and writes the clean file.
        var clean = File.ReadAllBytes(Lab.Fixture("bookworm", "derived/l-d31.kdump"));
        Assert.Equal(clean, File.ReadAllBytes(Path.Combine(scratch.Path, "ours")));
        if (redirect == ">&- 2>&-") Assert.NotEqual(clean, File.ReadAllBytes(Path.Combine(scratch.Path, "theirs")));

        // -F to a closed or full stdout is a dump that cannot be written: both fail (their message went to that stdout).
        if (redirect == "2>&-") return;
        foreach (var tool in new[] { Ours, Theirs })
            Assert.Equal("rc=1\n", Out(Sh(tool, scratch.Path, $"\"$M\" -F -l -d 31 \"$V\" {redirect}; echo rc=$? >&3 3>&-", redirectFd3: true)));
    }

    private static ExternalProcess.Result Sh(string tool, string dir, string script, bool redirectFd3) =>
        // fd 3 is the test's own stdout, where only the exit code goes.
        redirectFd3 ? Sh(tool, dir, $"exec 3>&1; {script}") : Sh(tool, dir, script);

    [Theory]
    [InlineData("cat \"$V\" | \"$M\" -l -d 31 /dev/stdin out; echo rc=${PIPESTATUS[1]}")]                     // a pipe as the vmcore
    [InlineData("\"$M\" -f -l -d 31 \"$V\" /dev/stdout | cat >/dev/null; echo rc=${PIPESTATUS[0]}")]            // a pipe as the dump file
    [InlineData("\"$M\" -f -R /dev/stdout <\"$F\" | cat >/dev/null; echo rc=${PIPESTATUS[0]}")]
    [InlineData("mkfifo ff; \"$M\" -f --dump-dmesg \"$V\" ff; echo rc=$?")]                                      // a FIFO without a reader: no hang
    [InlineData("mkfifo ff; (timeout 20 cat ff >/dev/null &); \"$M\" -f --dump-dmesg \"$V\" ff; echo rc=$?")]   // with one
    [InlineData("\"$M\" -R -L 1M out <\"$F\"; echo rc=$?")]
    [InlineData("\"$M\" -L 10K --dump-dmesg \"$V\" out; echo rc=$?")]
    [InlineData("mkdir dd; \"$M\" -f -l -d 31 \"$V\" dd; echo rc=$?")]                                        // a directory passes -f's access(2)
    public void Pipes_fifos_and_size_limits_fail_as_the_reference_does(string script)
    {
        var flattened = Lab.Fixture("bookworm", "derived/F-l-d31.flat");
        var results = new[] { Ours, Theirs }.Select(tool =>
        {
            using var scratch = Lab.Scratch("mdf-pipes");
            var r = Sh(tool, scratch.Path, $"F=\"{flattened}\"; {script}");
            var sizes = Directory.GetFiles(scratch.Path).Where(f => !f.EndsWith("ff", StringComparison.Ordinal)).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length}");
            return (Out: Out(r), Errors: Errors(r), Files: string.Join(", ", sizes.Order()));
        }).ToList();
        Assert.Equal(results[1].Errors, results[0].Errors);
        Assert.Equal(results[1].Out, results[0].Out);
        Assert.Equal(results[1].Files, results[0].Files);
        Assert.DoesNotContain("rc=0\n", results[0].Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// -R with stdin closed: the read fails and says so. 1.7.8 hangs there (its dump file takes
    /// descriptor 0 and it reads its own output), so this one is ours alone.
    /// </summary>
    [Fact]
    public void Rearranging_from_a_closed_stdin_says_it_cannot_read_it()
    {
        using var scratch = Lab.Scratch("mdf-closed-stdin");
        var r = Sh(Ours, scratch.Path, "\"$M\" -R out <&-; echo rc=$?");
        Assert.Equal("read_buf_from_stdin: Can't read STDIN. Bad file descriptor", Errors(r));
        Assert.EndsWith("makedumpfile Failed.\nrc=1\n", Out(r), StringComparison.Ordinal);
    }

    [Fact]
    public void Reassembling_parts_of_two_runs_is_refused_as_the_reference_refuses_it()
    {
        using var scratch = Lab.Scratch("mdf-mixed-parts");
        var theirs = Sh(Theirs, scratch.Path, "\"$M\" --split -l -d 31 \"$V\" l1 l2 l3 >/dev/null 2>&1 && \"$M\" --split -c -d 31 \"$V\" c1 c2 c3 >/dev/null 2>&1");
        Assert.True(theirs.ExitCode == 0, theirs.Stderr);
        var results = new[] { Ours, Theirs }.Select(tool =>
        {
            var r = Sh(tool, scratch.Path, "\"$M\" --reassemble l1 c2 l3 mixed; echo rc=$?; ls mixed 2>/dev/null; true");
            return (Out: Out(r), Errors: Errors(r));
        }).ToList();
        Assert.Equal("store_splitting_info: Invalid dumpfile(c2).", results[1].Errors);
        Assert.Equal(results[1], results[0]);
        Assert.Contains("rc=1", results[0].Out, StringComparison.Ordinal);

        // The parts of one run, in any order, still make the one file.
        var ok = Sh(Ours, scratch.Path, "\"$M\" --reassemble l3 l1 l2 whole >/dev/null");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Equal(File.ReadAllBytes(Lab.Fixture("bookworm", "derived/l-d31.kdump")), File.ReadAllBytes(Path.Combine(scratch.Path, "whole")));
    }
}
