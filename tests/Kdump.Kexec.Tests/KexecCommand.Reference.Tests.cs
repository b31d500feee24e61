using System.Text;
using Kdump.Kexec.Images;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// Our kexec against sid's kexec-tools 2.0.32 (the lab's reference wrapper) on paths that stop
/// before any system call: usage, getopt errors, missing files, bad values. Nothing here can load
/// or boot anything on the host: every case dies before upstream reaches a syscall.
/// </summary>
public sealed class KexecCommandReferenceTests
{
    public static TheoryData<string[]> SafeCases => new()
    {
        new[] { "-v" },
        new[] { "-q" },
        new[] { "--bogus" },
        new[] { "-t" },
        new[] { "--append" },
        new[] { "-u", "--initrd=x" },
        new[] { "-s", "-l", "/nonexistent" },
        new[] { "-l" },
        new[] { "--entry=12z", "-l", "x" },
        new[] { "--serial-baud=1234", "-l" },
        new[] { "--exec-live-update" },
        new[] { "--load-preserve-context", "/x" },
    };

    [Theory]
    [MemberData(nameof(SafeCases))]
    public void Same_stderr_and_exit_status_as_kexec_tools_2_0_32(string[] args)
    {
        var reference = ExternalProcess.Run(Lab.ReferenceTool("kexec-2.0.32"), args, TimeSpan.FromSeconds(30));
        using var tree = TestTree.Standard();
        var ours = KexecRun.Invoke(tree, new RecordingSystemCalls(), args);
        Assert.Empty(ours.Calls);
        Assert.Equal(reference.ExitCode, ours.ExitCode);
        // getopt prefixes messages with argv[0]; the reference runs as .../sid/usr/sbin/kexec.
        Assert.Equal(reference.Stderr.Replace(RefArgv0(reference.Stderr), "kexec:", StringComparison.Ordinal), ours.Stderr);
        var refOut = Encoding.UTF8.GetString(reference.Stdout);
        Assert.Equal(UsagePrefix(refOut), UsagePrefix(ours.Stdout));
    }

    [Fact]
    public void Usage_matches_upstream_up_to_the_image_types()
    {
        var reference = Encoding.UTF8.GetString(ExternalProcess.Run(Lab.ReferenceTool("kexec-2.0.32"), ["-h"]).Stdout);
        var ours = KexecUsage.Text(KernelImageTypes.X64);
        Assert.Equal(UsagePrefix(reference), UsagePrefix(ours));
        // Our image types print upstream's own option text.
        Assert.Contains("bzImage64\n" + BzImage64.Instance.Usage, reference, StringComparison.Ordinal);
        Assert.Contains("elf-x86_64\n" + ElfX64.Instance.Usage, reference, StringComparison.Ordinal);
        Assert.EndsWith("Architecture options: \n", reference[..(reference.IndexOf("     --reset-vga", StringComparison.Ordinal))], StringComparison.Ordinal);
    }

    private static string UsagePrefix(string text)
    {
        var i = text.IndexOf("Supported kernel file types", StringComparison.Ordinal);
        return i < 0 ? text : text[..i];
    }

    private static string RefArgv0(string stderr)
    {
        var i = stderr.IndexOf("/kexec:", StringComparison.Ordinal);
        return i < 0 ? "\u0000" : stderr[..(i + "/kexec:".Length)][(stderr.LastIndexOf('\n', i) + 1)..];
    }
}
