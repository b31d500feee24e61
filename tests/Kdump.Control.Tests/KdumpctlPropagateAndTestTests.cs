using Kdump.Control.Testing;
using Kdump.Control.Commands;
using Kdump.Control.Host;
using Kdump.Linux.Testing;

namespace Kdump.Control.Tests;

public sealed class KdumpctlPropagateAndTestTests
{
    private const string SshConf = "ssh user@dump.example\nsshkey /root/.ssh/kdump_id_rsa\n";

    [Fact]
    public void Propagate_generates_a_key_and_copies_it_with_a_pinned_host_key()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", SshConf, RootTree.Old);
        var runner = new RecordingProcessRunner().On(["ssh-keygen"], argv =>
        {
            // What ssh-keygen would leave behind.
            Directory.CreateDirectory(Path.GetDirectoryName(argv[4])!);
            File.WriteAllText(argv[4], "PRIVATE");
            File.WriteAllText(argv[4] + ".pub", "ssh-rsa AAAA root@node1\n");
            return new ProcessResult(0);
        });
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "propagate");
        Assert.Equal(
            "kdump: '/root/.ssh/kdump_id_rsa' doesn't exist, using default value '/root/.ssh/kdump_id_rsa'\n" +
            "kdump: Generating new ssh keys... \n" +
            "kdump: done.\n" +
            "kdump: /root/.ssh/kdump_id_rsa has been added to ~user/.ssh/authorized_keys on dump.example\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
        [
            "ssh-keygen -t rsa -f $ROOT/root/.ssh/kdump_id_rsa -N \"\" -q",
            "ssh -i $ROOT/root/.ssh/kdump_id_rsa -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$ROOT/root/.ssh/known_hosts user@dump.example \"" + PropagateCommand.RemoteAppend + "\"",
        ], run.Runs);
        Assert.Equal([null, "ssh-rsa AAAA root@node1\n"], runner.Inputs);
    }

    [Fact]
    public void Propagate_reuses_a_key_and_reports_a_failed_copy()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", SshConf, RootTree.Old);
        tree.Write("/root/.ssh/kdump_id_rsa", "PRIVATE");
        tree.Write("/root/.ssh/kdump_id_rsa.pub", "ssh-rsa AAAA\n");
        var runner = new RecordingProcessRunner().On(["ssh"], new ProcessResult(255, "", "Host key verification failed.\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "propagate");
        Assert.Equal(
            "kdump: Using existing keys...\n" +
            "kdump: Failed to propagate ssh key, could not transfer /root/.ssh/kdump_id_rsa to dump.example\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Runs);
    }

    [Fact]
    public void Propagate_needs_an_ssh_target()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "propagate");
        Assert.StartsWith("kdump: No ssh destination defined in /etc/kdump.conf.\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Runs);
    }

    [Fact]
    public void Pending_status_of_an_ssh_target_is_fetched_with_pinned_ssh()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", SshConf + "path /dumps\n", RootTree.Old);
        tree.Write("/var/lib/kdump/vmcore-creation.status", "pending kdump_test_id=1750000000-5\n");
        var runner = new RecordingProcessRunner().On(["ssh"], new ProcessResult(0, "success kdump_test_id=1750000000-5\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "status");
        Assert.Equal(
        [
            "ssh -i $ROOT/root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$ROOT/root/.ssh/known_hosts " +
            "user@dump.example cat /dumps/kdump-test-1750000000-5/vmcore-creation.status",
        ], run.Runs);
        Assert.EndsWith("kdump: Notice: Last successful vmcore creation test on Sun Jun 15 15:06:40 UTC 2025\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("success kdump_test_id=1750000000-5\n", tree.Read("/var/lib/kdump/vmcore-creation.status"));
    }

    [Fact]
    public void Test_needs_a_loaded_kdump()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "test", "--force");
        Assert.Equal("kdump: Kdump needs be operational before test.\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Test_prompt_cancelled_changes_nothing()
    {
        using var tree = new RootTree();
        tree.Write("/sys/kernel/kexec_crash_loaded", "1\n");
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), new RecordingProcessRunner(), "n\n", "test");
        Assert.Equal("DANGER!!! Will perform a kdump test by crashing the system, proceed? (y/N): kdump: Operation cancelled.\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Syscalls);
        Assert.Empty(run.ChangedFiles);
    }

    [Fact]
    public void Test_marks_pending_reloads_with_the_test_id_and_asks_the_guarded_trigger()
    {
        using var tree = new RootTree();
        tree.Write("/sys/kernel/kexec_crash_loaded", "1\n");
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), new RecordingProcessRunner(), "y\n", "test");
        Assert.Equal(
            "DANGER!!! Will perform a kdump test by crashing the system, proceed? (y/N): kdump: Start kdump test...\n" +
            "kdump: kexec: unloaded kdump kernel\n" +
            "kdump: Stopping kdump: [OK]\n" +
            "kdump: kexec: loaded kdump kernel\n" +
            "kdump: Starting kdump: [OK]\n" +
            "kdump: refusing to crash the system through /proc/sysrq-trigger: test double\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("pending kdump_test_id=1750000000-123456700\n", tree.Read("/var/lib/kdump/vmcore-creation.status"));
        Assert.Contains(run.Syscalls, c => c.Contains("reset_devices kdump_test_id=1750000000-123456700 disable_cpu_apicid=0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("success", "kdump: Notice: Last successful vmcore creation test on Sun Jun 15 15:06:40 UTC 2025\n")]
    [InlineData("fail", "kdump: Notice: Last NOT successful vmcore creation test on Sun Jun 15 15:06:40 UTC 2025\n")]
    [InlineData(null, "kdump: Notice: Last NOT successful vmcore creation test on Sun Jun 15 15:06:40 UTC 2025\n")]
    public void Pending_status_is_resolved_from_the_local_target(string? result, string message)
    {
        using var tree = new RootTree();
        tree.Write("/var/lib/kdump/vmcore-creation.status", "pending kdump_test_id=1750000000-5\n");
        if (result is not null) tree.Write("/var/crash/kdump-test-1750000000-5/vmcore-creation.status", $"{result} kdump_test_id=1750000000-5\n");
        var run = KdumpctlRun.Invoke(tree, "status");
        Assert.Equal("kdump: Kdump is not operational\n" + message, run.Stderr);
        Assert.Equal($"{result ?? "fail"} kdump_test_id=1750000000-5\n", tree.Read("/var/lib/kdump/vmcore-creation.status"));
    }

    [Theory]
    [InlineData(1, "fail")]
    [InlineData(255, "manual")]
    public void Pending_status_of_an_ssh_target_without_the_file_fails_and_without_a_connection_needs_a_manual_check(int rc, string result)
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", SshConf, RootTree.Old);
        tree.Write("/var/lib/kdump/vmcore-creation.status", "pending kdump_test_id=1750000000-5\n");
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), new RecordingProcessRunner().On(["ssh"], new ProcessResult(rc, "")), "", "status");
        Assert.Single(run.Runs);
        Assert.Equal($"{result} kdump_test_id=1750000000-5\n", tree.Read("/var/lib/kdump/vmcore-creation.status"));
    }

    [Fact]
    public void Pending_status_of_a_mounted_fs_target_is_read_where_it_is_mounted()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", "ext4 /dev/vdb\npath /dumps\n", RootTree.Old);
        tree.Write("/proc/self/mountinfo", "22 1 254:0 / / rw - ext4 /dev/vda rw\n30 22 254:16 / /srv/dump rw - ext4 /dev/vdb rw\n");
        tree.Write("/var/lib/kdump/vmcore-creation.status", "pending kdump_test_id=1750000000-5\n");
        tree.Write("/srv/dump/dumps/kdump-test-1750000000-5/vmcore-creation.status", "success kdump_test_id=1750000000-5\n");
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), new RecordingProcessRunner(), "", "status");
        Assert.Empty(run.Runs);
        Assert.EndsWith("kdump: Notice: Last successful vmcore creation test on Sun Jun 15 15:06:40 UTC 2025\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("success kdump_test_id=1750000000-5\n", tree.Read("/var/lib/kdump/vmcore-creation.status"));
    }

    [Theory]
    [InlineData("ext4 /dev/vdb\n", 0, "success", "mount /dev/vdb $ROOT/run/kdumpctl-status.PID -t ext4 -o defaults", "success")]
    [InlineData("nfs srv:/export\n", 0, "success", "timeout --preserve-status 5m mount srv:/export $ROOT/run/kdumpctl-status.PID -t nfs -o defaults", "success")]
    [InlineData("ext4 /dev/vdb\n", 0, null, "mount /dev/vdb $ROOT/run/kdumpctl-status.PID -t ext4 -o defaults", "fail")]
    [InlineData("ext4 /dev/vdb\n", 32, null, "mount /dev/vdb $ROOT/run/kdumpctl-status.PID -t ext4 -o defaults", "manual")]
    public void Pending_status_of_an_unmounted_target_is_read_through_a_temporary_mount(string conf, int mountRc, string? onTarget, string mount, string result)
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", conf, RootTree.Old);
        tree.Write("/proc/self/mountinfo", "22 1 254:0 / / rw - ext4 /dev/vda rw\n");
        tree.Write("/var/lib/kdump/vmcore-creation.status", "pending kdump_test_id=1750000000-5\n");
        // The fake mount "mounts" the target by writing what the capture kernel left on it (a test that left none failed).
        ProcessResult Mount(IReadOnlyList<string> argv)
        {
            var dir = argv.Single(a => a.Contains("/run/kdumpctl-status.", StringComparison.Ordinal));
            if (mountRc == 0 && onTarget is not null)
            {
                Directory.CreateDirectory(Path.Combine(dir, "var/crash/kdump-test-1750000000-5"));
                File.WriteAllText(Path.Combine(dir, "var/crash/kdump-test-1750000000-5/vmcore-creation.status"), $"{onTarget} kdump_test_id=1750000000-5\n");
            }
            return new ProcessResult(mountRc, "");
        }
        var runner = new RecordingProcessRunner().On(["mount"], Mount).On(["timeout"], Mount)
            .On(["umount"], argv => { foreach (var e in Directory.EnumerateFileSystemEntries(argv[1])) Directory.Delete(e, recursive: true); return new ProcessResult(0, ""); });
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "status");
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(mountRc == 0 ? [mount.Replace("PID", pid, StringComparison.Ordinal), $"umount $ROOT/run/kdumpctl-status.{pid}"] : [mount.Replace("PID", pid, StringComparison.Ordinal)], run.Runs);
        Assert.Equal($"{result} kdump_test_id=1750000000-5\n", tree.Read("/var/lib/kdump/vmcore-creation.status"));
        Assert.False(Directory.Exists(tree.Host($"/run/kdumpctl-status.{pid}")));
    }

    [Fact]
    public void Sysrq_trigger_is_refused_on_a_development_host()
    {
        var guard = new Kdump.Linux.RebootGuard(_ => null, _ => false, _ => "flags : fpu\n", processId: 4242);
        Assert.StartsWith("refusing to crash the system", new SysrqCrashTrigger(guard).Trigger(), StringComparison.Ordinal);
    }
}
