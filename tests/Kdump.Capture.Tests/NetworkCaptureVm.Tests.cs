using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// A real panic dumped over ssh (eng/vmtest-capture/cases/ssh.sh): the first kernel configures
/// eth0 statically and runs OUR mkdumprd on its live network (route, addresses, NIC driver); OUR
/// kdump-capture brings eth0 up from that record and streams vmcore-dmesg.txt and the flattened
/// dump to an sshd on 127.0.0.1 in a network namespace, through QEMU's restricted user network.
/// The host checks the 10.0.2.15-&lt;date&gt; directory, 0600 modes, and that makedumpfile 1.7.8
/// reassembles the dump (-R) and reads the same log from it. Fails, never skips, without QEMU,
/// sshd, root or the lab kernel.
/// </summary>
[Collection(QemuGuests.Name)]
public sealed class NetworkCaptureVmTests
{
    [Fact]
    public void Sysrq_panic_is_saved_over_ssh_through_the_network_our_mkdumprd_recorded()
    {
        var script = Path.Combine(Lab.RepoRoot, "eng", "vmtest-capture", "cases", "ssh.sh");
        // Publishing four static binaries and the lock wait come before the guest.
        var run = ExternalProcess.Run("bash", [script, "bookworm"], TimeSpan.FromMinutes(25));
        var stdout = System.Text.Encoding.UTF8.GetString(run.Stdout);

        Assert.True(run.ExitCode == 0, $"ssh.sh failed ({run.ExitCode}):\n{run.Stderr}\n{stdout}");
        Assert.Contains("ssh-case: PASS (bookworm)", stdout, StringComparison.Ordinal);
        // The capture kernel configured the NIC from the record before the dump went out.
        Assert.Contains("kdump: eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        var work = Path.Combine(Lab.Dir, "vmtest-capture", "ssh-bookworm");
        Assert.Contains(Lab.Info("bookworm")["panic_string"], File.ReadAllText(Path.Combine(work, "vmcore-dmesg.txt")), StringComparison.Ordinal);
        // The reassembled dump is ours (kdump-compressed, -d 31) and complete.
        using var dump = Kdump.Memory.DumpOpener.Open(Path.Combine(work, "vmcore"));
        var kd = Assert.IsType<Kdump.Memory.KdumpCompressedDump>(dump);
        Assert.False(kd.IsIncomplete);
    }
}
