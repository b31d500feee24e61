using System.Globalization;
using Kdump.Control.Host;
using Kdump.Control.Testing;
using Kdump.Linux.Testing;

namespace Kdump.Control.Tests;

/// <summary>
/// start's save_raw (kdump-reference §5.9) on a prepared root whose /dev/vda (a virtio disk in
/// sysfs) holds bytes standing in for a flattened dump; lsblk and makedumpfile are recorded, so
/// their answers choose the path. The VM proof is eng/vmtest-capture/cases/raw.sh.
/// </summary>
public sealed class KdumpctlSaveRawTests
{
    // The date KdumpctlRun's clock gives, formatted as save_raw's coredir (minutes, local time).
    private static readonly string s_coredir = "/var/crash/" +
        DateTimeOffset.FromUnixTimeSeconds(1_750_000_000).AddTicks(1234567).ToLocalTime().ToString("yyyy-MM-dd-HH:mm", CultureInfo.InvariantCulture);

    private static RootTree RawTree(out byte[] device)
    {
        var tree = new RootTree();
        tree.Write("/etc/kdump.conf", "raw /dev/vda\npath /var/crash\ncore_collector makedumpfile -F -l --message-level 7 -d 31\nforce_no_rebuild 1\n");
        device = new byte[4096];
        for (var i = 0; i < device.Length; i++) device[i] = (byte)(i % 251 + 1);
        tree.WriteBytes("/dev/vda", device);
        return tree;
    }

    [Fact]
    public void A_dump_on_the_device_is_saved_and_its_first_block_zeroed()
    {
        using var tree = RawTree(out var device);
        var runner = new RecordingProcessRunner();
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");

        Assert.Equal(["lsblk --nodeps -npo FSTYPE $ROOT/dev/vda", $"makedumpfile -R $ROOT{s_coredir}/vmcore"], run.Runs.Take(2));
        Assert.Equal("< " + tree.Host("/dev/vda"), runner.Inputs[1]);
        Assert.StartsWith($"kdump: Dump saved to {s_coredir}/vmcore\n", run.Stderr, StringComparison.Ordinal);
        Assert.True(Directory.Exists(tree.Host(s_coredir)));
        var after = File.ReadAllBytes(tree.Host("/dev/vda"));
        Assert.Equal(new byte[512], after[..512]);
        Assert.Equal(device[512..], after[512..]);
    }

    [Fact]
    public void No_dump_on_the_device_removes_the_directory_silently()
    {
        using var tree = RawTree(out var device);
        var runner = new RecordingProcessRunner().On(["makedumpfile", "-R"], new ProcessResult(1, "", "not a flattened file\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");

        Assert.Contains($"makedumpfile -R $ROOT{s_coredir}/vmcore", run.Runs);
        Assert.DoesNotContain("Dump saved", run.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tree.Host(s_coredir)));
        Assert.Equal(device, File.ReadAllBytes(tree.Host("/dev/vda")));
    }

    [Fact]
    public void A_file_system_signature_leaves_the_device_alone()
    {
        using var tree = RawTree(out var device);
        var runner = new RecordingProcessRunner().On(["lsblk"], new ProcessResult(0, "ext4\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");

        Assert.StartsWith("kdump: Detected 'ext4' signature on /dev/vda, data loss is expected.\n", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Runs, r => r.StartsWith("makedumpfile", StringComparison.Ordinal));
        Assert.Equal(device, File.ReadAllBytes(tree.Host("/dev/vda")));
    }

    [Fact]
    public void A_missing_raw_device_fails_start()
    {
        using var tree = RawTree(out _);
        tree.Write("/etc/kdump.conf", "raw /dev/vdz\npath /var/crash\ncore_collector makedumpfile -F -l --message-level 7 -d 31\n");
        var run = KdumpctlRun.Invoke(tree, "start");

        Assert.Contains("kdump: raw partition /dev/vdz not found\n", run.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("Starting kdump: [FAILED]\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }
}
