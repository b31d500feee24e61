using Kdump.Control.Testing;
using Kdump.Control.Host;
using Kdump.Linux.Testing;

namespace Kdump.Control.Tests;

/// <summary>reset-crashkernel through kdumpctl: BLS edits, grubby argv, and nothing half-applied.</summary>
public sealed class KdumpctlResetCrashkernelTests
{
    private const string Bls = "title Debian\nversion 6.1.0-test\nlinux /vmlinuz-6.1.0-test\noptions root=UUID=1234 ro crashkernel=128M\n";

    private static RootTree WithRam(ulong bytes)
    {
        var t = new RootTree();
        t.Write("/proc/iomem", $"00100000-{bytes + 0x100000 - 1:x} : System RAM\n  6f000000-7effffff : Crash kernel\n");
        return t;
    }

    [Fact]
    public void Bls_entry_is_updated_to_the_default()
    {
        using var tree = WithRam(4UL << 30);
        tree.Write("/boot/loader/entries/abc-6.1.0-test.conf", Bls);
        var run = KdumpctlRun.Invoke(tree, "reset-crashkernel");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["/boot/loader/entries/abc-6.1.0-test.conf"], run.ChangedFiles);
        Assert.Contains("options root=UUID=1234 ro crashkernel=2G-64G:256M,64G-:512M\n", tree.Read("/boot/loader/entries/abc-6.1.0-test.conf"), StringComparison.Ordinal);
        Assert.Contains("Please reboot the system for the change to take effect.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Grubby_is_used_when_present()
    {
        using var tree = WithRam(4UL << 30);
        tree.Write("/usr/sbin/grubby", "");
        var runner = new RecordingProcessRunner().On(["grubby", "--info"],
            new ProcessResult(0, "index=0\nkernel=\"/boot/vmlinuz-6.1.0-test\"\nargs=\"ro quiet\"\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "reset-crashkernel", "--kernel=ALL");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["grubby --info ALL", "grubby --update-kernel 0 --args crashkernel=2G-64G:256M,64G-:512M"], run.Runs);
    }

    /// <summary>--reboot goes through the guarded execv (refused on a development host), never the process runner.</summary>
    [Fact]
    public void Reboot_goes_through_the_guarded_execv()
    {
        using var tree = WithRam(4UL << 30);
        tree.Write("/boot/loader/entries/abc-6.1.0-test.conf", Bls);
        var syscalls = new RecordingSystemCalls();
        var run = KdumpctlRun.Invoke(tree, syscalls, new RecordingProcessRunner(), "", "reset-crashkernel", "--reboot");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["execv(\"/usr/bin/systemctl\", [\"systemctl\", \"reboot\"]) = 0"], syscalls.Calls);
        Assert.Empty(run.Runs);
    }

    [Fact]
    public void A_refused_reboot_is_an_error()
    {
        using var tree = WithRam(4UL << 30);
        tree.Write("/boot/loader/entries/abc-6.1.0-test.conf", Bls);
        var syscalls = new RecordingSystemCalls().FailAlways("execv", Kdump.Linux.Errno.EPERM);
        var run = KdumpctlRun.Invoke(tree, syscalls, new RecordingProcessRunner(), "", "reset-crashkernel", "--reboot");
        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("kdump: systemctl reboot: Operation not permitted\n", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kernel=/boot/vmlinuz-nope", "kdump: Invalid --kernel=/boot/vmlinuz-nope, please specify a valid kernel path, ALL or DEFAULT\n")]
    [InlineData("--fadump=on", "kdump: Option --fadump only valid on PPC\n")]
    [InlineData("--bogus", "kdump: --bogus not recognized\n")]
    public void Bad_options_leave_boot_entries_as_they_were(string option, string message)
    {
        using var tree = WithRam(4UL << 30);
        tree.Write("/boot/loader/entries/abc-6.1.0-test.conf", Bls);
        var run = KdumpctlRun.Invoke(tree, "reset-crashkernel", option);
        Assert.Equal(message, run.Stderr);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.ChangedFiles);
        Assert.Equal(Bls, tree.Read("/boot/loader/entries/abc-6.1.0-test.conf"));
    }

    [Fact]
    public void No_bootloader_configuration_fails_without_changes()
    {
        using var tree = WithRam(4UL << 30);
        var run = KdumpctlRun.Invoke(tree, "reset-crashkernel");
        Assert.Equal("kdump: Unable to update kernel command line\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }
}
