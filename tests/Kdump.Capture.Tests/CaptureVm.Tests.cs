using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// Real panics captured by our code, one guest per case (eng/vmtest-capture/capture-vm.sh and
/// cases/*.sh): a Debian lab kernel with crashkernel=256M runs our kdumpctl start, which loads a
/// capture initramfs built by our mkdumprd whose /init is our kdump-capture (also the image's
/// makedumpfile, by a link); sysrq-c; the capture kernel dumps as the case's kdump.conf says. The script's verdict
/// reads the disks and the serial console on the host (the reference makedumpfile 1.7.8 reads the
/// dumps); these tests add what the C# readers can check. Each fails — never skips — when QEMU,
/// the lab kernel or a reference tool is missing.
/// </summary>
[Collection(QemuGuests.Name)]
public sealed class CaptureVmTests
{
    private const string Release = "bookworm";

    /// <summary>ext4 by UUID=, path /var/crash: the complete upstream layout.</summary>
    [Fact]
    public void Ext4_by_uuid_saves_vmcore_dmesg_and_log()
    {
        var work = RunCase("ext4-uuid");
        var dmesg = File.ReadAllText(Path.Combine(work, "vmcore-dmesg.txt"));
        Assert.Contains(Lab.Info(Release)["panic_string"], dmesg, StringComparison.Ordinal);
        AssertKdump(Path.Combine(work, "vmcore"), incomplete: false);
    }

    /// <summary>
    /// The same on sid's current kernel (7.2 in 2026-11): kexec_file_load, the image's modules, the
    /// capture and the page filter all meet the newest kernel Debian ships.
    /// </summary>
    [Fact]
    public void Newest_kernel_ext4_by_uuid_saves_vmcore_dmesg_and_log()
    {
        var work = RunCase("ext4-uuid", "sid");
        var dmesg = File.ReadAllText(Path.Combine(work, "vmcore-dmesg.txt"));
        Assert.Contains(Lab.Info("sid")["panic_string"], dmesg, StringComparison.Ordinal);
        AssertKdump(Path.Combine(work, "vmcore"), incomplete: false);
    }

    /// <summary>
    /// KEXEC_ARGS="-c": kdumpctl loads the capture kernel through our kexec_load path (our zero
    /// page, purgatory and ELF core headers); the dump made through those headers is complete.
    /// </summary>
    [Fact]
    public void Capture_kernel_loaded_with_kexec_load_saves_the_dump()
    {
        var work = RunCase("kexec-load");
        var dmesg = File.ReadAllText(Path.Combine(work, "vmcore-dmesg.txt"));
        Assert.Contains(Lab.Info(Release)["panic_string"], dmesg, StringComparison.Ordinal);
        AssertKdump(Path.Combine(work, "vmcore"), incomplete: false);
    }

    /// <summary>kdump_pre, pre.d, post.d, kdump_post in upstream's order with the dump's status; ext4 by LABEL=.</summary>
    [Fact]
    public void Hooks_run_in_order_around_a_dump_by_label()
    {
        var work = RunCase("hooks");
        AssertKdump(Path.Combine(work, "vmcore"), incomplete: false);
    }

    /// <summary>kdump_pre exits non-zero: final action, nothing dumped.</summary>
    [Fact]
    public void Failing_kdump_pre_skips_the_dump_and_runs_the_final_action() => RunCase("pre-fail");

    /// <summary>A target too small: vmcore-incomplete stays, its header says so, failure_action runs.</summary>
    [Fact]
    public void Full_target_keeps_vmcore_incomplete_marked_incomplete()
    {
        var work = RunCase("enospc");
        AssertKdump(Path.Combine(work, "vmcore-incomplete"), incomplete: true);
    }

    /// <summary>failure_action dump_to_rootfs: the target is missing, the dump lands under path on the root file system.</summary>
    [Fact]
    public void Unreachable_target_dumps_to_the_root_file_system() =>
        AssertKdump(Path.Combine(RunCase("rootfs"), "vmcore"), incomplete: false);

    /// <summary>raw target, then the next boot's kdumpctl start saves it (save_raw); byte-identical to makedumpfile 1.7.8 -R of the disk.</summary>
    [Fact]
    public void Raw_dump_is_saved_by_kdumpctl_start_after_the_reboot() =>
        AssertKdump(Path.Combine(RunCase("raw"), "vmcore"), incomplete: false);

    /// <summary>The capture image built by mkdumprd's dracut backend (real dracut, our 99kdump-cs module).</summary>
    [Fact]
    public void Dracut_backend_image_captures_to_ext4_by_label() =>
        AssertKdump(Path.Combine(RunCase("dracut"), "vmcore"), incomplete: false);

    /// <summary>
    /// The sysadmin's chain: our kdumpctl start in the first kernel loads the image our mkdumprd
    /// built; kdumpctl test reloads it with kdump_test_id= and crashes; the capture saves the dump
    /// under kdump-test-&lt;id&gt;/ with vmcore-creation.status "success"; a second boot's kdumpctl
    /// start reads that status through a temporary mount and reports the successful test.
    /// </summary>
    [Fact]
    public void Kdumpctl_start_then_test_in_the_first_kernel_saves_the_dump_with_test_status()
    {
        var work = RunCase("kdumpctl");
        AssertKdump(Path.Combine(work, "vmcore"), incomplete: false);
        Assert.Matches(@"^success kdump_test_id=[0-9]+-[0-9]{9}\n$", File.ReadAllText(Path.Combine(work, "vmcore-creation.status")));
    }

    /// <summary>
    /// makedumpfile --mem-usage /proc/kcore in the running first kernel (crash kernel reserved):
    /// 1.7.8's, ours, 1.7.8's again, one after the other on the idle guest. Read here again: the same
    /// rows, equal page size and total, each row of ours within 1 % of the total from the range the
    /// two 1.7.8 runs span (a live system drifts between runs; once ~10 000 pages went from kernel
    /// data to free between two runs, so a reference on one side only could not tell drift from a
    /// wrong count).
    /// </summary>
    [Fact]
    public void Mem_usage_of_the_running_guest_agrees_with_makedumpfile_1_7_8()
    {
        var work = RunCase("mem-usage");
        var ours = MemUsageTable(Path.Combine(work, "mem-usage.ours"));
        var before = MemUsageTable(Path.Combine(work, "mem-usage.ref"));
        var after = MemUsageTable(Path.Combine(work, "mem-usage.ref2"));
        Assert.Equal(before.Keys.Order(), ours.Keys.Order());
        Assert.Equal(before["page size"], ours["page size"]);
        var total = before["Total pages on system"];
        Assert.True(total > 0);
        Assert.Equal(total, ours["Total pages on system"]);
        Assert.Equal(total, after["Total pages on system"]);
        Assert.Equal(total * before["page size"], ours["Total size on system"]);
        foreach (var (row, n) in before)
        {
            var (lo, hi) = (Math.Min(n, after[row]), Math.Max(n, after[row]));
            var outside = ours[row] < lo ? lo - ours[row] : ours[row] > hi ? ours[row] - hi : 0;
            Assert.True((decimal)outside * 100 <= total, $"{row}: 1.7.8 {n}, ours {ours[row]}, 1.7.8 {after[row]}");
        }
    }

    /// <summary>The rows (TYPE PAGES …) and the "name: value" lines of a --mem-usage table.</summary>
    private static Dictionary<string, ulong> MemUsageTable(string path)
    {
        var table = new Dictionary<string, ulong>();
        foreach (var line in File.ReadAllLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var fields = (colon > 0 ? line[(colon + 1)..] : line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var name = colon > 0 ? line[..colon] : fields.FirstOrDefault() ?? "";
            var number = colon > 0 ? fields.FirstOrDefault() : fields.ElementAtOrDefault(1);
            if (name.Length > 0 && ulong.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v))
                table[name] = v;
        }
        return table;
    }

    private static string RunCase(string name, string release = Release)
    {
        var script = Path.Combine(Lab.RepoRoot, "eng", "vmtest-capture", "capture-vm.sh");
        // Generous: publishing the static binaries and the lock wait come before the guest (~1 min).
        var run = ExternalProcess.Run("bash", [script, release, name], TimeSpan.FromMinutes(20));
        var stdout = System.Text.Encoding.UTF8.GetString(run.Stdout);
        Assert.True(run.ExitCode == 0, $"capture-vm.sh {release} {name} failed ({run.ExitCode}):\n{run.Stderr}\n{stdout}");
        Assert.Contains($"capture-vm: PASS ({release} {name})", stdout, StringComparison.Ordinal);
        return Path.Combine(Lab.Dir, "vmtest-capture", release, name);
    }

    private static void AssertKdump(string path, bool incomplete)
    {
        using var dump = Kdump.Memory.DumpOpener.Open(path);
        var kd = Assert.IsType<Kdump.Memory.KdumpCompressedDump>(dump);
        Assert.Equal(incomplete, kd.IsIncomplete);
    }
}
