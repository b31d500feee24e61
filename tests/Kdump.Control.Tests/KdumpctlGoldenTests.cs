using Kdump.Control.Testing;
using Kdump.Control.Host;
using Kdump.Linux;
using Kdump.Linux.Testing;

namespace Kdump.Control.Tests;

/// <summary>Golden CLI tests: argv → stdout, stderr, exit status, syscalls, process runs, files changed.</summary>
public sealed class KdumpctlGoldenTests
{
    private const string Cmdline =
        "BOOT_IMAGE=/boot/vmlinuz-6.1.0-test ro irqpoll nr_cpus=1 reset_devices disable_cpu_apicid=0 rd.systemd.gpt_auto=no";

    private static readonly string[] s_loadCalls =
    [
        "open(\"$ROOT/boot/vmlinuz-6.1.0-test\", O_RDONLY|O_CLOEXEC) = 3",
        "open(\"$ROOT/boot/initramfs-6.1.0-testkdump.img\", O_RDONLY|O_CLOEXEC) = 4",
        $"kexec_file_load(3<$ROOT/boot/vmlinuz-6.1.0-test>, 4<$ROOT/boot/initramfs-6.1.0-testkdump.img>, {Cmdline.Length + 1}, \"{Cmdline}\", KEXEC_FILE_ON_CRASH) = 0",
        "close(4<$ROOT/boot/initramfs-6.1.0-testkdump.img>) = 0",
        "close(3<$ROOT/boot/vmlinuz-6.1.0-test>) = 0",
    ];

    [Fact]
    public void Start_loads_the_crash_kernel_in_process_with_the_capture_command_line()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal("", run.Stdout);
        Assert.Equal(
            "kdump: kexec: loaded kdump kernel\n" +
            "kdump: Starting kdump: [OK]\n" +
            "kdump: Notice: No vmcore creation test performed!\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(s_loadCalls, run.Syscalls);
        Assert.Empty(run.Runs);
        Assert.Empty(run.ChangedFiles);
    }

    [Fact]
    public void Start_when_loaded_warns_and_does_nothing()
    {
        using var tree = new RootTree();
        tree.Write("/sys/kernel/kexec_crash_loaded", "1\n");
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal("kdump: Kdump already running: [WARNING]\nkdump: Notice: No vmcore creation test performed!\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }

    [Fact]
    public void Start_rebuilds_with_mkdumprd_when_a_watched_file_is_newer()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", "path /var/crash\n", RootTree.New + 10);
        tree.Write("/var/lib/kdump/vmcore-creation.status", "success kdump_test_id=1-2\n", RootTree.Old);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal(
            "kdump: Detected change(s) in the following file(s):  /etc/kdump.conf\n" +
            "kdump: Rebuilding /boot/initramfs-6.1.0-testkdump.img\n" +
            "kdump: kexec: loaded kdump kernel\n" +
            "kdump: Starting kdump: [OK]\n" +
            "kdump: Notice: No vmcore creation test performed!\n", run.Stderr);
        Assert.Equal(["/sbin/mkdumprd --root $ROOT -f /boot/initramfs-6.1.0-testkdump.img 6.1.0-test"], run.Runs);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", tree.Read("/var/lib/kdump/vmcore-creation.status"));
    }

    [Fact]
    public void Force_no_rebuild_uses_the_prebuilt_initramfs_even_when_files_changed()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", "path /var/crash\nforce_no_rebuild 1\n", RootTree.New + 10);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Runs);
        Assert.Equal(s_loadCalls, run.Syscalls);
    }

    [Fact]
    public void Start_fails_when_mkdumprd_fails()
    {
        using var tree = new RootTree();
        tree.Delete(RootTree.KdumpInitrd);
        var runner = new RecordingProcessRunner().On(["/sbin/mkdumprd"], new ProcessResult(1, "", "mkdumprd: boom\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");
        Assert.Equal(
            "kdump: No kdump initial ramdisk found.\n" +
            "kdump: Rebuilding /boot/initramfs-6.1.0-testkdump.img\n" +
            "mkdumprd: boom\n" +
            "kdump: mkdumprd: failed to make kdump initrd\n" +
            "kdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }

    [Fact]
    public void Start_passes_mkdumprd_output_through()
    {
        using var tree = new RootTree();
        tree.Delete(RootTree.KdumpInitrd);
        var runner = new RecordingProcessRunner().On(["/sbin/mkdumprd"], argv =>
        {
            tree.Write(RootTree.KdumpInitrd, "image\n", RootTree.New + 10);
            return new ProcessResult(0, "mkdumprd: note\n", "mkdumprd: warning\n");
        });
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("mkdumprd: note\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("mkdumprd: warning\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_reports_a_failed_kexec_file_load()
    {
        using var tree = new RootTree();
        var syscalls = new RecordingSystemCalls().FailNext("kexec_file_load", Errno.EPERM);
        var run = KdumpctlRun.Invoke(tree, syscalls, new RecordingProcessRunner(), "", "start");
        Assert.Equal(
            "kexec_file_load failed: Operation not permitted\n" +
            "kdump: kexec: failed to load kdump kernel\n" +
            "kdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Theory]
    [InlineData("/sys/kernel/kexec_crash_loaded", "kdump: Kdump is not supported on this kernel\n")]
    [InlineData("/sys/kernel/kexec_crash_size", "kdump: No memory reserved for crash kernel\n")]
    public void Start_checks_feasibility_first(string missing, string message)
    {
        using var tree = new RootTree();
        tree.Delete(missing);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal(message + "kdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Start_without_a_kernel_image_says_so()
    {
        using var tree = new RootTree();
        tree.Delete("/boot/vmlinuz-6.1.0-test");
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal(
            "kdump: Failed to detect kdump kernel location\n" +
            "kdump: failed to prepare for kdump bootinfo.\n" +
            "kdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Without_a_default_initrd_the_kdump_initrd_lives_in_var_lib_kdump()
    {
        using var tree = new RootTree();
        tree.Delete("/boot/initramfs-6.1.0-test.img");
        var run = KdumpctlRun.Invoke(tree, "rebuild");
        Assert.Equal(["/sbin/mkdumprd --root $ROOT -f /var/lib/kdump/initramfs-6.1.0-testkdump.img 6.1.0-test"], run.Runs);
        Assert.Equal(0, run.ExitCode);
    }

    [Theory]
    [InlineData("0\n", 3, "kdump: Kdump is not operational\n")]
    [InlineData("1\n", 0, "kdump: Kdump is operational\n")]
    [InlineData(null, 3, "kdump: kdump is not supported on this kernel\nkdump: Kdump is not operational\n")]
    public void Status_exit_codes(string? crashLoaded, int exit, string stderr)
    {
        using var tree = new RootTree();
        if (crashLoaded is null) tree.Delete("/sys/kernel/kexec_crash_loaded");
        else tree.Write("/sys/kernel/kexec_crash_loaded", crashLoaded);
        var run = KdumpctlRun.Invoke(tree, "status");
        Assert.Equal(stderr + "kdump: Notice: No vmcore creation test performed!\n", run.Stderr);
        Assert.Equal(exit, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }

    [Fact]
    public void Stop_unloads_with_kexec_file_load()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "stop");
        Assert.Equal("kdump: kexec: unloaded kdump kernel\nkdump: Stopping kdump: [OK]\n", run.Stderr);
        Assert.Equal(["kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD|KEXEC_FILE_ON_CRASH) = 0"], run.Syscalls);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Stop_failure()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls().FailNext("kexec_file_load", Errno.EBUSY), new RecordingProcessRunner(), "", "stop");
        Assert.Equal("kexec_file_load(unload) failed: Device or resource busy\nkdump: kexec: failed to unload kdump kernel\nkdump: Stopping kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Reload_warns_when_not_running_then_unloads_and_loads()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "reload");
        Assert.Equal(
            "kdump: Kdump was not running: [WARNING]\n" +
            "kdump: kexec: unloaded kdump kernel\n" +
            "kdump: Stopping kdump: [OK]\n" +
            "kdump: kexec: loaded kdump kernel\n" +
            "kdump: Starting kdump: [OK]\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1 + s_loadCalls.Length, run.Syscalls.Count);
    }

    [Fact]
    public void Restart_is_stop_then_start()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "restart");
        Assert.Equal(
            "kdump: kexec: unloaded kdump kernel\n" +
            "kdump: Stopping kdump: [OK]\n" +
            "kdump: kexec: loaded kdump kernel\n" +
            "kdump: Starting kdump: [OK]\n" +
            "kdump: Notice: No vmcore creation test performed!\n", run.Stderr);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Malformed_sysconfig_is_a_message_not_a_trace()
    {
        using var tree = new RootTree();
        tree.Write("/etc/sysconfig/kdump", "KEXEC_ARGS=\"-s\nKDUMP_IMG=vmlinuz\n");
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.StartsWith("kdump: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("/etc/sysconfig/kdump", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }

    [Fact]
    public void Missing_config_is_an_error_before_anything_else()
    {
        using var tree = new RootTree();
        tree.Delete("/etc/kdump.conf");
        var run = KdumpctlRun.Invoke(tree, "status");
        Assert.Equal("kdump: Error: No kdump config file found!\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.ChangedFiles);
    }

    [Theory]
    [InlineData()]
    [InlineData("bogus")]
    [InlineData("setup-crypttab")]
    public void Usage_on_stdout_and_exit_1(params string[] args)
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, args);
        Assert.Equal("Usage: kdumpctl {estimate|start|stop|status|restart|reload|rebuild|reset-crashkernel|propagate|showmem|test|setup-crypttab|get-default-crashkernel}\n", run.Stdout);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Showmem_and_get_default_crashkernel()
    {
        using var tree = new RootTree();
        var show = KdumpctlRun.Invoke(tree, "showmem");
        Assert.Equal("kdump: Reserved 256MB memory for crash kernel\n", show.Stderr);
        Assert.Equal(0, show.ExitCode);
        var def = KdumpctlRun.Invoke(tree, "get-default-crashkernel");
        Assert.Equal("2G-64G:256M,64G-:512M", def.Stdout);
        Assert.Equal(0, def.ExitCode);
    }

    [Fact]
    public void Estimate_prints_upstream_layout()
    {
        using var tree = new RootTree();
        var run = KdumpctlRun.Invoke(tree, "estimate");
        Assert.Equal(
            "Reserved crashkernel:    256M\n" +
            "Recommended crashkernel: 256M\n" +
            "\n" +
            "Kernel image size:   28M\n" +
            "Kernel modules size: 0M\n" +
            "Initramfs size:      0M\n" +
            "Runtime reservation: 16M\n" +
            "Large modules: <none>\n", run.Stdout);
        Assert.Equal(0, run.ExitCode);
    }

    /// <summary>
    /// With a real kernel image the size is its vmlinux's PT_LOADs (Debian 12's xz payload; upstream's
    /// get_kernel_size), as readelf reads them from the same build's debug vmlinux, not /proc/iomem's 28M.
    /// </summary>
    [Fact]
    public void Estimate_takes_the_kernel_size_from_the_images_vmlinux()
    {
        using var tree = new RootTree();
        tree.WriteBytes($"/boot/vmlinuz-{RootTree.Kver}", File.ReadAllBytes(Path.Combine(Kdump.Tests.Shared.Lab.Dir, "kernels", "bookworm", "vmlinuz")), RootTree.Old);
        var readelf = Kdump.Tests.Shared.ExternalProcess.Run(Kdump.Tests.Shared.Lab.SystemTool("/usr/bin/readelf"), ["-l", "-W", Kdump.Tests.Shared.Lab.Vmlinux("bookworm")]);
        var bytes = System.Text.Encoding.UTF8.GetString(readelf.Stdout).Split('\n').Where(l => l.StartsWith("  LOAD ", StringComparison.Ordinal))
            .Sum(l => Convert.ToInt64(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5], 16));
        var run = KdumpctlRun.Invoke(tree, "estimate");
        Assert.Contains($"\nKernel image size:   {bytes >> 20}M\n", run.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(28, bytes >> 20);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Lock_is_taken_under_run_lock_or_tmp()
    {
        using var tree = new RootTree();
        var lk = new NoWaitLock();
        using var ctx = new Kdump.Cli.StreamToolContext("kdumpctl", Stream.Null, Stream.Null, Stream.Null, tree.Root);
        Kdumpctl.Run(new KdumpctlServices(ctx, new RecordingSystemCalls(), new RecordingProcessRunner(), lk, new RecordingCrashTrigger()), ["--root", tree.Root, "showmem"]);
        Directory.Delete(tree.Host("/run/lock"));
        Kdumpctl.Run(new KdumpctlServices(ctx, new RecordingSystemCalls(), new RecordingProcessRunner(), lk, new RecordingCrashTrigger()), ["--root", tree.Root, "showmem"]);
        Assert.Equal([tree.Host("/run/lock/kdump"), tree.Host("/tmp/kdump.lock")], lk.Paths);
    }

    [Fact]
    public async Task Flock_lock_excludes_a_second_holder_and_reports_waiting()
    {
        using var tree = new RootTree();
        var path = tree.Host("/run/lock/kdump");
        var first = new FlockInstanceLock().Acquire(path, () => { });
        var waited = 0;
        var second = Task.Run(() => new FlockInstanceLock(TimeSpan.Zero).Acquire(path, () => Interlocked.Increment(ref waited)));
        await Task.Delay(1500);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        Assert.True(waited >= 1);
    }
}
