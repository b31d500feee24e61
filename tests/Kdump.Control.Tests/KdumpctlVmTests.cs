using Kdump.Tests.Shared;

namespace Kdump.Control.Tests;

/// <summary>
/// The VM proof (eng/vmtest-kdumpctl/kdumpctl-vm.sh): in a QEMU guest of the lab's bookworm kernel
/// with crashkernel=256M, our static NativeAOT kdumpctl start (force_no_rebuild 1, prebuilt capture
/// initramfs) loads the crash kernel through the real kexec_file_load, status exits 0, stop
/// unloads, status exits 3. Fails — never skips — when QEMU, busybox or the lab kernel is missing.
/// </summary>
public sealed class KdumpctlVmTests
{
    [Fact]
    public void Guest_start_status_stop_status()
    {
        var script = Path.Combine(Lab.RepoRoot, "eng", "vmtest-kdumpctl", "kdumpctl-vm.sh");
        // Generous: the heavy lock may be held by another job; the guest itself needs a few seconds.
        var run = ExternalProcess.Run("bash", [script, "bookworm"], TimeSpan.FromMinutes(15));
        Assert.True(run.ExitCode == 0, $"kdumpctl-vm.sh failed ({run.ExitCode}):\n{run.Stderr}\n{System.Text.Encoding.UTF8.GetString(run.Stdout)}");

        var log = File.ReadAllLines(Path.Combine(Lab.Dir, "vmtest-kdumpctl", "bookworm", "serial.txt"));
        string[] expected =
        [
            "KCV-STEP status-before rc=3", "KCV-SYSFS kexec_crash_loaded=0",
            "KCV-STEP start rc=0", "KCV-SYSFS kexec_crash_loaded=1",
            "KCV-STEP status-after-start rc=0", "KCV-STEP start-again rc=0",
            "KCV-STEP stop rc=0", "KCV-SYSFS kexec_crash_loaded=0",
            "KCV-STEP status-after-stop rc=3", "KCV-STEP test-refused rc=1", "KCV-DONE",
        ];
        var markers = log.Where(l => l.StartsWith("KCV-", StringComparison.Ordinal) && !l.StartsWith("KCV-UP", StringComparison.Ordinal))
            .Select(l => l.Split(" t=")[0]).ToList();
        Assert.Equal(expected, markers);
        Assert.Contains("  | kdump: kexec: loaded kdump kernel", log);
        Assert.Contains("  | kdump: Kdump is operational", log);
        Assert.Contains("  | kdump: kexec: unloaded kdump kernel", log);
        Assert.Contains("  | kdump: Kdump already running: [WARNING]", log);
    }
}
