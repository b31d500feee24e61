using System.Text;
using Kdump.Tests.Shared;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Kdump.Capture.Tests;

/// <summary>
/// The whole capture flow against a temp tree as the capture kernel's root, the real bookworm
/// /proc/vmcore as the vmcore (dmesg is extracted from it in-process), and a recording system.
/// </summary>
public sealed class CaptureFlowTests : IDisposable
{
    private const string Release = "bookworm";
    private const string DirName = "127.0.0.1-2026-11-26-12:34:56";
    private readonly ScratchDir _root = Lab.Scratch("capture");
    private readonly FakeCaptureSystem _system = new();

    public void Dispose() => _root.Dispose();

    private string Host(string systemPath) => Path.Combine(_root.Path, systemPath.TrimStart('/'));

    private void Write(string systemPath, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Host(systemPath))!);
        File.WriteAllText(Host(systemPath), text);
    }

    private int Run(bool errorHandler = false, int cpus = 1) =>
        new CaptureFlow(_system, new CapturePaths(_root.Path, Lab.Fixture(Release, "proc-vmcore.elf")), cpus).Run(errorHandler);

    /// <summary>
    /// makedumpfile stand-in: writes its redirected stdout (raw) or its last argument (the dump
    /// file) like a dump — never the vmcore, which is a shared lab fixture.
    /// </summary>
    private void CollectorWrites(string content, int rc = 0) =>
        _system.Programs["makedumpfile"] = (argv, stdout) =>
        {
            var output = stdout ?? argv[^1];
            Assert.NotEqual(Lab.Fixture(Release, "proc-vmcore.elf"), output);
            File.WriteAllText(output, content);
            return rc;
        };

    private List<string> Filtered(params string[] prefixes) =>
        _system.Events.Where(e => prefixes.Any(p => e.StartsWith(p, StringComparison.Ordinal))).ToList();

    [Fact]
    public void Local_ext4_target_runs_in_upstream_order_and_leaves_root_only_files()
    {
        Write("/etc/kdump.conf", "ext4 UUID=0b9c\npath /var/crash\nkdump_pre /bin/pre\nkdump_post /bin/post\n");
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        Write("/etc/kdump/pre.d/10-a", "");
        Write("/etc/kdump/post.d/10-b", "");
        CollectorWrites("dump bytes");

        Assert.Equal(0, Run());

        var pre = Host("/bin/pre");
        var post = Host("/bin/post");
        var dir = Host("/kdumproot/var/crash/" + DirName);
        Assert.Equal(
        [
            $"run pre ",
            $"run 10-a ",
            "mount UUID=0b9c ext4 defaults",
            "kdump: saving to /kdumproot/var/crash/" + DirName,
            "kdump: saving vmcore-dmesg.txt to /kdumproot/var/crash/" + DirName,
            "kdump: saving vmcore-dmesg.txt complete",
            "kdump: saving vmcore",
            $"builtin makedumpfile -l --message-level 7 -d 31 {Lab.Fixture(Release, "proc-vmcore.elf")} {dir}/vmcore-incomplete",
            "kdump: saving vmcore complete",
            "run 10-b 0",
            "run post 0",
            "kdump: Executing final action systemctl reboot -f",
            "REBOOT",
        ], _system.Events);
        Assert.Equal(["kexec-dmesg.log", "vmcore", "vmcore-dmesg.txt"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("dump bytes", File.ReadAllText(Path.Combine(dir, "vmcore")));
        // vmcore-dmesg.txt is byte-identical to kexec-tools 2.0.32's vmcore-dmesg on the same vmcore.
        Assert.Equal(File.ReadAllBytes(Lab.Fixture(Release, "derived/vmcore-dmesg-2.0.32.txt")), File.ReadAllBytes(Path.Combine(dir, "vmcore-dmesg.txt")));
        Assert.Contains("sysrq", File.ReadAllText(Path.Combine(dir, "vmcore-dmesg.txt")), StringComparison.OrdinalIgnoreCase);
        const UnixFileMode rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var f in Directory.GetFiles(dir)) Assert.Equal(rw, File.GetUnixFileMode(f));
        Assert.Equal(rw | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        _ = (pre, post);
    }

    /// <summary>mkdumprd writes a mount point with a blank escaped, as fstab has it (\040).</summary>
    [Fact]
    public void A_target_whose_mount_point_has_a_blank_is_dumped_there()
    {
        Write("/etc/kdump.conf", "ext4 UUID=0b9c\npath /var/crash\n");
        Write("/etc/fstab", "UUID=0b9c /kdumproot/my\\040data ext4 defaults 0 0\n");
        CollectorWrites("dump bytes");
        Assert.Equal(0, Run());
        Assert.Contains("mount UUID=0b9c ext4 defaults", _system.Events);
        Assert.Equal("dump bytes", File.ReadAllText(Host("/kdumproot/my data/var/crash/" + DirName + "/vmcore")));
    }

    [Fact]
    public void Collector_failure_like_ENOSPC_keeps_vmcore_incomplete_and_runs_failure_action_not_final_action()
    {
        Write("/etc/kdump.conf", "ext4 /dev/vdb\nfailure_action poweroff\nfinal_action halt\nkdump_post /bin/post\n");
        Write("/etc/fstab", "/dev/vdb /kdumproot ext4 defaults 0 0\n");
        CollectorWrites("partial", rc: 1); // makedumpfile's exit status after a write error (ENOSPC)

        Assert.Equal(1, Run());

        var dir = Host("/kdumproot/var/crash/" + DirName);
        Assert.True(File.Exists(Path.Combine(dir, "vmcore-incomplete")));
        Assert.False(File.Exists(Path.Combine(dir, "vmcore")));
        Assert.True(File.Exists(Path.Combine(dir, "vmcore-dmesg.txt")));
        Assert.Equal(
        [
            "kdump: saving vmcore failed, exitcode:1",
            "kdump: saving vmcore failed",
            "run post 1",
            "kdump: Executing failure action systemctl poweroff -f",
            "POWEROFF",
        ], Filtered("kdump: saving vmcore failed", "run post", "kdump: Executing", "POWEROFF", "HALT", "REBOOT"));
    }

    [Fact]
    public void Failing_kdump_pre_skips_the_dump_and_runs_final_action()
    {
        Write("/etc/kdump.conf", "ext4 /dev/vdb\nkdump_pre /bin/pre\nfinal_action poweroff\nfailure_action halt\n");
        _system.Programs["pre"] = (_, _) => 3;

        Assert.Equal(1, Run());

        Assert.Equal(
        [
            "run pre ",
            "kdump: /bin/pre exited with 3 status",
            "kdump: kdump_pre script exited with non-zero status!",
            "kdump: Executing final action systemctl poweroff -f",
            "POWEROFF",
        ], _system.Events);
    }

    [Fact]
    public void Unreachable_target_with_dump_to_rootfs_dumps_under_sysroot()
    {
        Write("/etc/kdump.conf", "ext4 UUID=gone\nfailure_action dump_to_rootfs\nkdump_emergency /bin/emerg\n");
        Write("/etc/fstab", "UUID=gone /kdumproot ext4 defaults 0 0\n/dev/vda1 /sysroot ext4 defaults 0 0\n");
        _system.MountResult = src => src == "UUID=gone" ? "no such device" : null;
        CollectorWrites("dump bytes");

        Assert.Equal(1, Run());

        Assert.True(File.Exists(Host("/sysroot/var/crash/" + DirName + "/vmcore")));
        Assert.Equal(
        [
            "mount UUID=gone ext4 defaults",
            "kdump: failed to dump to '/kdumproot', it's not a mount point!",
            "kdump: saving vmcore failed",
            "run emerg ",
            "kdump: Executing failure action dump_to_rootfs",
            "mount /dev/vda1 ext4 defaults",
            "kdump: saving vmcore complete",
            "kdump: Executing final action systemctl reboot -f",
            "REBOOT",
        ], Filtered("mount", "kdump: failed", "kdump: saving vmcore failed", "run emerg", "kdump: Executing", "kdump: saving vmcore complete", "REBOOT"));
    }

    /// <summary>In a dracut image systemd may mount the target while we run: our mount fails (EBUSY), the dump goes on.</summary>
    [Fact]
    public void A_target_mounted_by_someone_else_meanwhile_is_used()
    {
        Write("/etc/kdump.conf", "ext4 UUID=raced\n");
        Write("/etc/fstab", "UUID=raced /kdumproot ext4 defaults 0 0\n");
        _system.MountResult = src =>
        {
            _system.MountPoints.Add(Host("/kdumproot"));
            return "mount UUID=raced on /kdumproot (ext4) failed: EBUSY";
        };
        CollectorWrites("dump bytes");

        Assert.Equal(0, Run());

        Assert.True(File.Exists(Host("/kdumproot/var/crash/" + DirName + "/vmcore")));
        Assert.DoesNotContain("kdump: failed to dump to '/kdumproot', it's not a mount point!", _system.Events);
    }

    [Fact]
    public void Failure_action_shell_returns_to_save_log_and_final_action()
    {
        Write("/etc/kdump.conf", "ext4 /dev/vdb\nfailure_action shell\n");
        _system.MountResult = _ => "no such device";

        Assert.Equal(1, Run());

        Assert.Equal(["kdump: Executing failure action kdump_emergency_shell", "kdump: Entering kdump emergency mode.", "SHELL", "kdump: Executing final action systemctl reboot -f", "REBOOT"],
            Filtered("kdump: Executing", "kdump: Entering", "SHELL", "REBOOT"));
    }

    [Fact]
    public void Raw_target_streams_a_flattened_dump_onto_the_device()
    {
        Write("/etc/kdump.conf", "raw /dev/vdc\n");
        Assert.Equal(0, Run(cpus: 4));
        Assert.Contains($"builtin makedumpfile -l --message-level 7 -d 31 -F {Lab.Fixture(Release, "proc-vmcore.elf")} > {Host("/dev/vdc")}", _system.Events);
        Assert.DoesNotContain(_system.Events, e => e.Contains("vmcore-dmesg", StringComparison.Ordinal));
    }

    [Fact]
    public void Ssh_target_writes_vmcore_flat_under_the_capture_kernels_address()
    {
        Write("/etc/kdump.conf", "ssh kdump@192.168.122.1\npath /var/crash\nsshkey /root/.ssh/kdump_id_rsa\n");
        Write("/proc/cmdline", "console=ttyS0 kdump_remote_ip=192.168.122.1\n");

        Assert.Equal(0, Run());

        const string dir = "/var/crash/192.168.122.10-2026-11-26-12:34:56";
        string[] ssh = ["ssh", "-q", "-i", "/root/.ssh/kdump_id_rsa", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "kdump@192.168.122.1"];
        var s = string.Join(' ', ssh.Skip(1));
        Assert.Equal(
        [
            "route 192.168.122.1",
            $"run ssh {s} mkdir -p {dir}",
            $"run ssh {s} umask 0077 && dd of='{dir}/vmcore-dmesg-incomplete.txt' < vmcore-dmesg.txt",
            $"run ssh {s} mv '{dir}/vmcore-dmesg-incomplete.txt' '{dir}/vmcore-dmesg.txt'",
            $"builtin makedumpfile -l --message-level 7 -d 31 -F {Lab.Fixture(Release, "proc-vmcore.elf")} | {string.Join(' ', ssh)} umask 0077 && dd bs=512 of='{dir}/vmcore-incomplete'",
            $"run ssh {s} mv '{dir}/vmcore-incomplete' '{dir}/vmcore.flat'",
            "REBOOT",
        ], Filtered("route", "run ssh", "builtin", "REBOOT"));
    }

    [Fact]
    public void Ssh_target_path_is_never_evaluated_by_the_servers_shell()
    {
        // ssh hands its joined words to the server's shell: a hostile path must arrive quoted.
        Write("/etc/kdump.conf", "ssh kdump@192.168.122.1\npath /var/crash/it's $(reboot)\nsshkey /root/.ssh/kdump_id_rsa\n");
        Write("/proc/cmdline", "console=ttyS0 kdump_remote_ip=192.168.122.1\n");

        Run();

        const string dir = "/var/crash/it'\\''s $(reboot)/192.168.122.10-2026-11-26-12:34:56";
        var ssh = Filtered("run ssh");
        Assert.EndsWith($" mkdir -p '{dir}'", ssh[0], StringComparison.Ordinal);
        Assert.EndsWith($" umask 0077 && dd of='{dir}/vmcore-dmesg-incomplete.txt' < vmcore-dmesg.txt", ssh[1], StringComparison.Ordinal);
        Assert.EndsWith($" mv '{dir}/vmcore-dmesg-incomplete.txt' '{dir}/vmcore-dmesg.txt'", ssh[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ext4 UUID=0b9c\n", "builtin makedumpfile -l --message-level 7 -d 31 ")]
    [InlineData("ext4 UUID=0b9c\ncore_collector makedumpfile -c -d 1\n", "builtin makedumpfile -c -d 1 ")]
    [InlineData("ext4 UUID=0b9c\ncore_collector /usr/sbin/makedumpfile -c -d 1\n", "run makedumpfile -c -d 1 ")]
    [InlineData("ext4 UUID=0b9c\ncore_collector cp --sparse=always\n", "run cp --sparse=always ")]
    public void Makedumpfile_by_name_runs_built_in_and_other_collectors_as_processes(string conf, string expected)
    {
        Write("/etc/kdump.conf", conf);
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        CollectorWrites("dump bytes");
        _system.Programs["cp"] = _system.Programs["makedumpfile"];
        Assert.Equal(0, Run());
        var collector = Assert.Single(_system.Events, e => e.Contains("vmcore-incomplete", StringComparison.Ordinal) && !e.StartsWith("kdump:", StringComparison.Ordinal));
        Assert.StartsWith(expected + Lab.Fixture(Release, "proc-vmcore.elf") + " ", collector, StringComparison.Ordinal);
    }

    [Fact]
    public void Collector_that_succeeds_without_writing_its_file_is_a_failed_dump()
    {
        Write("/etc/kdump.conf", "ext4 UUID=0b9c\nfailure_action poweroff\n");
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        Assert.Equal(1, Run());
        Assert.Contains(_system.Events, e => e.StartsWith("kdump: saving vmcore failed, cannot rename vmcore-incomplete: ", StringComparison.Ordinal));
        Assert.Contains("kdump: Executing failure action systemctl poweroff -f", _system.Events);
    }

    private const string TestId = "1764201600-123456789";

    [Fact]
    public void Kdumpctl_test_saves_into_the_test_directory_with_fail_then_success_status()
    {
        Write("/etc/kdump.conf", "ext4 UUID=0b9c\npath /var/crash\nkdump_pre /bin/pre\n");
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        Write("/proc/cmdline", $"console=ttyS0 kdump_test_id=0-0 irqpoll kdump_test_id={TestId} \n");
        var dir = Host($"/kdumproot/var/crash/kdump-test-{TestId}");
        var status = Path.Combine(dir, "vmcore-creation.status");
        string? statusDuringDump = null;
        _system.Programs["makedumpfile"] = (argv, _) =>
        {
            statusDuringDump = File.ReadAllText(status);
            File.WriteAllText(argv[^1], "dump bytes");
            return 0;
        };

        Assert.Equal(0, Run());

        // The target is mounted before kdump_pre (upstream's systemd mounted it before kdump.sh ran).
        Assert.Equal(["mount UUID=0b9c ext4 defaults", "run pre "], Filtered("mount", "run pre"));
        Assert.Contains($"kdump: saving to /kdumproot/var/crash/kdump-test-{TestId}", _system.Events);
        Assert.Equal($"fail kdump_test_id={TestId}\n", statusDuringDump);
        Assert.Equal($"success kdump_test_id={TestId}\n", File.ReadAllText(status));
        Assert.Equal(["kexec-dmesg.log", "vmcore", "vmcore-creation.status", "vmcore-dmesg.txt"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetDirectories(dir));
    }

    [Fact]
    public void Kdumpctl_test_whose_target_is_gone_dumps_to_rootfs_outside_the_test_directory()
    {
        // Upstream's error handler is a fresh kdump.sh without kdump_test_init: <path>/<ip>-<date>.
        Write("/etc/kdump.conf", "ext4 UUID=gone\nfailure_action dump_to_rootfs\n");
        Write("/etc/fstab", "UUID=gone /kdumproot ext4 defaults 0 0\n/dev/vda1 /sysroot ext4 defaults 0 0\n");
        Write("/proc/cmdline", $"kdump_test_id={TestId}\n");
        _system.MountResult = src => src == "UUID=gone" ? "no such device" : null;
        CollectorWrites("dump bytes");

        Assert.Equal(1, Run());

        Assert.True(File.Exists(Host("/sysroot/var/crash/" + DirName + "/vmcore")));
        Assert.False(Directory.Exists(Host($"/sysroot/var/crash/kdump-test-{TestId}")));
    }

    [Fact]
    public void Kdumpctl_test_whose_dump_fails_leaves_status_fail()
    {
        Write("/etc/kdump.conf", "ext4 UUID=0b9c\nfailure_action poweroff\n");
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        Write("/proc/cmdline", $"kdump_test_id={TestId}\n");
        CollectorWrites("partial", rc: 1);

        Assert.Equal(1, Run());

        var dir = Host($"/kdumproot/var/crash/kdump-test-{TestId}");
        Assert.Equal($"fail kdump_test_id={TestId}\n", File.ReadAllText(Path.Combine(dir, "vmcore-creation.status")));
        Assert.True(File.Exists(Path.Combine(dir, "vmcore-incomplete")));
    }

    [Fact]
    public void Kdumpctl_test_over_ssh_writes_the_status_on_the_server()
    {
        Write("/etc/kdump.conf", "ssh kdump@192.168.122.1\npath /var/crash\nsshkey /root/.ssh/kdump_id_rsa\n");
        Write("/proc/cmdline", $"console=ttyS0 kdump_remote_ip=192.168.122.1 kdump_test_id={TestId}\n");

        Assert.Equal(0, Run());

        const string dir = "/var/crash/kdump-test-" + TestId;
        var ssh = Filtered("run ssh", "builtin").Select(e => e[(e.IndexOf("kdump@192.168.122.1 ", StringComparison.Ordinal) + 20)..]).ToList();
        Assert.Equal(
        [
            $"mkdir -p {dir}",
            $"echo fail kdump_test_id={TestId} > '{dir}/vmcore-creation.status'",
            $"mkdir -p {dir}",
            $"umask 0077 && dd of='{dir}/vmcore-dmesg-incomplete.txt' < vmcore-dmesg.txt",
            $"mv '{dir}/vmcore-dmesg-incomplete.txt' '{dir}/vmcore-dmesg.txt'",
            $"umask 0077 && dd bs=512 of='{dir}/vmcore-incomplete'",
            $"mv '{dir}/vmcore-incomplete' '{dir}/vmcore.flat'",
            $"mkdir -p {dir}",
            $"echo success kdump_test_id={TestId} > '{dir}/vmcore-creation.status'",
        ], ssh);
    }

    [Theory]
    [InlineData("raw /dev/vdc\n", "kdump_test_id=" + TestId)]
    [InlineData("ext4 UUID=0b9c\n", "kdump_test_id=../../etc")]
    [InlineData("ext4 UUID=0b9c\n", "kdump_test_id=$(reboot)")]
    public void Kdumpctl_test_id_is_ignored_for_raw_targets_and_when_not_an_id(string conf, string word)
    {
        Write("/etc/kdump.conf", conf);
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        Write("/proc/cmdline", $"console=ttyS0 {word}\n");
        Write("/dev/vdc", "");
        CollectorWrites("dump bytes");

        Assert.Equal(0, Run());

        Assert.DoesNotContain(_system.Events, e => e.Contains("kdump-test-", StringComparison.Ordinal));
        Assert.Equal(conf.StartsWith("raw", StringComparison.Ordinal) ? [] : [$"kdump: ignoring {word}: not a kdumpctl test id"],
            _system.Events.Where(e => e.Contains("ignoring", StringComparison.Ordinal)));
        if (!conf.StartsWith("raw", StringComparison.Ordinal)) Assert.True(Directory.Exists(Host("/kdumproot/var/crash/" + DirName)));
    }

    [Fact]
    public void Error_handler_mode_runs_emergency_hooks_then_failure_action()
    {
        Write("/etc/kdump.conf", "failure_action halt\nkdump_emergency /bin/em\n");
        Write("/etc/kdump/emergency.d/01-x", "");
        Assert.Equal(1, Run(errorHandler: true));
        Assert.Equal(["run 01-x ", "run em ", "kdump: Executing failure action halt", "HALT"], _system.Events);
    }

    [Theory]
    [InlineData(null, CollectorTarget.FileSystem, 1, "makedumpfile -l --message-level 7 -d 31")]
    [InlineData(null, CollectorTarget.Ssh, 1, "makedumpfile -l --message-level 7 -d 31 -F")]
    [InlineData("makedumpfile -F -c -d 31", CollectorTarget.FileSystem, 1, "makedumpfile  -c -d 31")]
    [InlineData("makedumpfile -l -d 31", CollectorTarget.FileSystem, 4, "makedumpfile -l -d 31 --num-threads=4")]
    [InlineData("makedumpfile -E -d 31", CollectorTarget.FileSystem, 4, "makedumpfile -E -d 31")]
    [InlineData("makedumpfile -l -d 31", CollectorTarget.Raw, 4, "makedumpfile -l -d 31 -F")]
    [InlineData("cp --sparse=always", CollectorTarget.Raw, 4, "cp --sparse=always")]
    public void Core_collector_translation_matches_kdump_sh(string? configured, CollectorTarget target, int cpus, string expected) =>
        Assert.Equal(expected, CoreCollector.Translate(configured, target, cpus));

    [Fact]
    public void Lenient_config_reading_takes_the_last_value_and_strips_comments_and_quotes()
    {
        Write("/etc/kdump.conf", "core_collector makedumpfile -c\ncore_collector \"cat\"   # trailing\nfinal_action poweroff\nbogus_option x\n");
        Write("/etc/fstab", "");
        _system.MountPoints.Add(Host("/sysroot"));
        _system.Programs["cat"] = (argv, _) => { File.WriteAllText(argv[^1], "x"); return 0; };
        Assert.Equal(0, Run());
        Assert.Contains(_system.Events, e => e.StartsWith("run cat " + Lab.Fixture(Release, "proc-vmcore.elf"), StringComparison.Ordinal));
        Assert.Equal("POWEROFF", _system.Events[^1]);
        Assert.True(File.Exists(Host("/sysroot/var/crash/" + DirName + "/vmcore")));
        _ = Encoding.UTF8;
    }
}
