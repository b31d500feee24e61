using System.Text.RegularExpressions;
using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// The VM proof (eng/vmtest/kexec-vm.sh): a Debian lab kernel boots under QEMU/TCG with
/// crashkernel=256M; inside, our static NativeAOT kexec loads, queries and unloads crash kernels
/// through the real syscalls (kexec_file_load and kexec_load), kexec -e boots a second kernel that
/// kexec_load loaded, which loads a crash kernel with kexec -c -p and panics; the crash kernel
/// comes up and reads the first kernel's VMCOREINFO and log through /proc/vmcore. Fails — never skips — when
/// QEMU, busybox or the lab kernel is missing.
/// </summary>
public sealed partial class KexecVmTests
{
    // In guest order: step name and exit status, or sysfs file and value (eng/vmtest/guest/init).
    private static readonly string[] s_expected =
    [
        "STEP version rc=0",
        "STEP guard-refuses-load rc=255",
        "SYSFS kexec_loaded=0",
        "STEP guard-allows-crash-load rc=0",
        "SYSFS kexec_crash_loaded=1",
        "STEP unload-unguarded rc=0",
        "SYSFS kexec_crash_loaded=0",
        "STEP load-panic rc=0",
        "SYSFS kexec_crash_loaded=1",
        "SYSFS kexec_crash_size=268435456",
        "STEP status-default rc=1",
        "STEP status-panic rc=1",
        "STEP status-normal rc=0",
        "STEP unload-panic rc=0",
        "SYSFS kexec_crash_loaded=0",
        "STEP load-panic-legacy rc=0",
        "SYSFS kexec_crash_loaded=1",
        "STEP unload-panic-legacy rc=0",
        "SYSFS kexec_crash_loaded=0",
        "STEP status-after-unload rc=0",
        "STEP load-panic-auto rc=0",
        "SYSFS kexec_crash_loaded=1",
        "STEP unload-u-then-p rc=255",
        "SYSFS kexec_crash_loaded=0",
        "STEP load-normal rc=0",
        "SYSFS kexec_loaded=1",
        "STEP status-normal-loaded rc=1",
        "STEP unload-normal rc=0",
        "SYSFS kexec_loaded=0",
        "STEP load-normal-legacy rc=0",
        "SYSFS kexec_loaded=1",
        "SECOND-KERNEL-UP",
        "SYSFS kexec_loaded=0",
        "STEP second-load-panic-legacy rc=0",
        "SYSFS kexec_crash_loaded=1",
        "CAPTURE-KERNEL-UP",
        "VMCORE-NOTE",
        "VMCORE-LOG found",
    ];

    [Fact]
    public void Guest_loads_reports_unloads_and_kexecs_into_a_second_kernel()
    {
        var script = Path.Combine(Lab.RepoRoot, "eng", "vmtest", "kexec-vm.sh");
        // Generous: the heavy lock may be held by another job; the run itself takes about a minute.
        var run = ExternalProcess.Run("bash", [script, "bookworm"], TimeSpan.FromMinutes(15));
        var log = Path.Combine(Lab.Dir, "vmtest", "bookworm", "serial.txt");
        Assert.True(run.ExitCode == 0, $"kexec-vm.sh failed ({run.ExitCode}):\n{run.Stderr}\n{System.Text.Encoding.UTF8.GetString(run.Stdout)}");

        var markers = File.ReadLines(log)
            .Where(l => l.StartsWith("KVM-STEP ", StringComparison.Ordinal) || l.StartsWith("KVM-SYSFS ", StringComparison.Ordinal) || l.StartsWith("KVM-SECOND-KERNEL-UP", StringComparison.Ordinal)
                || l.StartsWith("KVM-CAPTURE-KERNEL-UP", StringComparison.Ordinal) || l.StartsWith("KVM-VMCORE-", StringComparison.Ordinal))
            .Select(l => TimeSuffix().Replace(l["KVM-".Length..], ""))
            .Select(l => l.StartsWith("SECOND-KERNEL-UP", StringComparison.Ordinal) || l.StartsWith("CAPTURE-KERNEL-UP", StringComparison.Ordinal) || l.StartsWith("VMCORE-NOTE", StringComparison.Ordinal)
                ? l[..l.IndexOf(' ', StringComparison.Ordinal)] : l)
            .ToList();
        Assert.Equal(s_expected, markers);
        Assert.Contains(File.ReadLines(log), l => l.StartsWith("  | refusing kexec_file_load: ", StringComparison.Ordinal));
        // The capture kernel our kexec -p loaded has the first kernel's memory as /proc/vmcore.
        var capture = File.ReadLines(log).Single(l => l.StartsWith("KVM-CAPTURE-KERNEL-UP ", StringComparison.Ordinal));
        var bytes = long.Parse(Regex.Match(capture, @"vmcore_bytes=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(bytes, 512L << 20, 1L << 30);
        // Through our ELF core headers: the first kernel's VMCOREINFO names its release.
        var release = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "bookworm", "kernel-release")).Trim();
        Assert.Contains($"KVM-VMCORE-NOTE OSRELEASE={release}", File.ReadLines(log));
    }

    [GeneratedRegex(@" t=[0-9.]+$")]
    private static partial Regex TimeSuffix();
}
