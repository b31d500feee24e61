using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// A real panic captured by our code (eng/vmtest-capture/capture-vm.sh): a Debian lab kernel with
/// crashkernel=256M loads, with our static kexec, a capture initramfs built by our mkdumprd whose
/// /init is our kdump-capture and whose makedumpfile is ours; sysrq-c; the capture kernel saves
/// the dump to an ext4 disk found by LABEL=. The host checks the upstream-named directory, the
/// files, and that the reference makedumpfile 1.7.8 reads the saved vmcore and finds the same log
/// as vmcore-dmesg.txt. Fails — never skips — when QEMU or the lab kernel is missing.
/// </summary>
public sealed class CaptureVmTests
{
    [Fact]
    public void Sysrq_panic_is_captured_by_our_initramfs_and_read_by_the_reference()
    {
        var script = Path.Combine(Lab.RepoRoot, "eng", "vmtest-capture", "capture-vm.sh");
        // Generous: publishing three static binaries and the lock wait come before the guest (~1 min).
        var run = ExternalProcess.Run("bash", [script, "bookworm"], TimeSpan.FromMinutes(20));
        var stdout = System.Text.Encoding.UTF8.GetString(run.Stdout);

        Assert.True(run.ExitCode == 0, $"capture-vm.sh failed ({run.ExitCode}):\n{run.Stderr}\n{stdout}");
        Assert.Contains("capture-vm: PASS (bookworm)", stdout, StringComparison.Ordinal);
        var work = Path.Combine(Lab.Dir, "vmtest-capture", "bookworm");
        var dmesg = File.ReadAllText(Path.Combine(work, "vmcore-dmesg.txt"));
        Assert.Contains(Lab.Info("bookworm")["panic_string"], dmesg, StringComparison.Ordinal);
        // The saved vmcore is ours (kdump-compressed, -d 31), and it is complete.
        using var dump = Kdump.Memory.DumpOpener.Open(Path.Combine(work, "vmcore"));
        var kd = Assert.IsType<Kdump.Memory.KdumpCompressedDump>(dump);
        Assert.False(kd.IsIncomplete);
    }
}
