using Kdump.Config.IO;
using Kdump.Config.Sysconfig;
using Kdump.Control.Devices;
using Kdump.Control.Host;
using Kdump.Control.Testing;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Control.Tests;

/// <summary>
/// prepare_cmdline's watchdog parameters (§2.2 step 5) from /sys/class/watchdog under --root and
/// the bookworm lab kernel's module indexes, checked against kmod's own <c>modprobe -R</c>; and
/// where the kdump initramfs goes when the kernel's directory is not writable (§2.3).
/// </summary>
public sealed class KdumpctlWatchdogAndBootDirTests
{
    private const string Base = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-test ro irqpoll nr_cpus=1 reset_devices disable_cpu_apicid=0";

    private const string I6300esb = "pci:v00008086d000025ABsv00001AF4sd00001100bc08sc80i00";   // QEMU -device i6300esb
    private const string Hpwdt = "pci:v0000103Cd00003306sv0000103Csd00003381bc08sc80i00";      // HP iLO2/3/4 watchdog

    /// <summary>Watchdogs as "name=modalias" (";"-separated; "name=" has no device, like softdog) → the parameters added.</summary>
    public static TheoryData<string, string> Watchdogs => new()
    {
        { "", "" },
        { "watchdog0=" + I6300esb, "i6300esb.pretimeout=0" },
        { "watchdog0=platform:iTCO_wdt", "iTCO_wdt.pretimeout=0" },
        { "watchdog0=" + Hpwdt, "hpwdt.pretimeout=0 hpwdt.kdumptimeout=0" },
        // sysfs order; each driver once.
        { $"watchdog0=platform:iTCO_wdt;watchdog1={I6300esb};watchdog2=platform:iTCO_wdt", "iTCO_wdt.pretimeout=0 i6300esb.pretimeout=0" },
        // softdog: no device, no modalias.
        { "watchdog0=", "" },
        // A device no module of this kernel claims.
        { "watchdog0=pci:v0000FFFFd0000FFFFsv00000000sd00000000bc08sc80i00", "" },
    };

    private static void AddWatchdogs(RootTree tree, string spec)
    {
        foreach (var wd in spec.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, modalias) = (wd[..wd.IndexOf('=', StringComparison.Ordinal)], wd[(wd.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (modalias.Length == 0)
            {
                Directory.CreateDirectory(tree.Host($"/sys/devices/virtual/watchdog/{name}"));
                tree.Link($"/sys/class/watchdog/{name}", $"/sys/devices/virtual/watchdog/{name}");
                continue;
            }
            var device = $"/sys/devices/platform/wd-{name}";
            tree.Write(device + "/modalias", modalias + "\n", RootTree.Old);
            Directory.CreateDirectory(tree.Host($"{device}/watchdog/{name}"));
            tree.Link($"{device}/watchdog/{name}/device", device);
            tree.Link($"/sys/class/watchdog/{name}", $"{device}/watchdog/{name}");
        }
    }

    [Theory]
    [MemberData(nameof(Watchdogs))]
    public void Start_sets_each_active_watchdog_drivers_pretimeout_to_0(string watchdogs, string parameters)
    {
        using var tree = KdumpctlImageRebuildTests.LabTree();
        AddWatchdogs(tree, watchdogs);
        var syscalls = new RecordingSystemCalls();
        var run = KdumpctlRun.Invoke(tree, syscalls, new RecordingProcessRunner(), "", "start");
        Assert.Equal(0, run.ExitCode);
        var cmdline = string.Join(' ', new[] { Base, parameters, "rd.systemd.gpt_auto=no" }.Where(p => p.Length > 0));
        Assert.Contains(run.Syscalls, c => c.StartsWith("kexec_file_load(", StringComparison.Ordinal)
            && c.Contains($", {cmdline.Length + 1}, \"{cmdline}\", KEXEC_FILE_ON_CRASH)", StringComparison.Ordinal));
    }

    /// <summary>
    /// Our resolution against kmod's <c>modprobe -d ROOT -S KVER -R</c> on the lab kernel: every
    /// watchdog driver's aliases made concrete, built-in aliases (modules.builtin.modinfo), '-'
    /// against '_', and a modalias nothing claims.
    /// </summary>
    [Fact]
    public void Alias_resolution_matches_modprobe_R_on_the_lab_kernel()
    {
        var root = Path.Combine(Lab.Dir, "kernels", "bookworm", "root");
        var kver = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "bookworm", "kernel-release")).Trim();
        var dir = Path.Combine(root, "lib", "modules", kver);
        var aliasText = File.ReadAllText(Path.Combine(dir, "modules.alias"));
        var aliases = ModuleAliases.Parse(aliasText, File.ReadAllText(Path.Combine(dir, "modules.builtin.modinfo")));
        var watchdogModules = File.ReadAllLines(Path.Combine(dir, "modules.dep"))
            .Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)])
            .Where(p => p.Contains("/drivers/watchdog/", StringComparison.Ordinal))
            .Select(Kdump.Initramfs.Modules.ModuleIndex.NameOf)
            .ToHashSet(StringComparer.Ordinal);
        // A pattern made concrete: '*' matches nothing, '?' one letter (bracket patterns left out).
        var cases = aliasText.Split('\n')
            .Select(l => l.Split(' '))
            .Where(w => w.Length == 3 && watchdogModules.Contains(w[2].Replace('-', '_')) && w[1].IndexOfAny(['[', '\\']) < 0)
            .Select(w => w[1].Replace("*", "", StringComparison.Ordinal).Replace('?', 'x'))
            .Concat(["platform:rtc_cmos", "platform:dw-apb-uart", "crypto-md5", "fs-tracefs", "dmi:bvnQEMU", "virtio:d00000002v00001AF4"])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.True(cases.Count > 25, $"only {cases.Count} watchdog aliases in the lab kernel");
        foreach (var modalias in cases)
        {
            var r = ExternalProcess.Run("modprobe", ["-d", root, "-S", kver, "-R", modalias]);
            var expected = System.Text.Encoding.UTF8.GetString(r.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(expected.Length > 0 || r.Stderr.Contains("not found", StringComparison.Ordinal), $"{modalias}: {r.Stderr}");
            var ours = aliases.Resolve(modalias);
            Assert.True(expected.SequenceEqual(ours), $"{modalias}: modprobe -R [{string.Join(' ', expected)}], ours [{string.Join(' ', ours)}]");
        }
    }

    [Fact]
    public void Block_drivers_of_a_tree_whose_slaves_loop_are_each_found_once()
    {
        // Real sysfs has no slave cycles; a prepared tree can. Two self-links per level would be
        // 2^32 walks without the visited set.
        using var tree = new RootTree();
        var part = "/sys/devices/pci0000:00/0000:00:04.0/virtio2/block/vda/vda1";
        tree.Link(part + "/slaves/a", part);
        tree.Link(part + "/slaves/b", part);
        var devices = new Kdump.Initramfs.Devices.BlockDevices(new DirectoryRootFileSystem(tree.Root));
        Assert.Equal(["virtio_blk", "virtio-pci"], devices.BlockDrivers("254:1"));
    }

    /// <summary>A root whose /boot answers "not writable" (a read-only /boot, as on image-based systems).</summary>
    private sealed class ReadOnlyBoot(IRootFileSystem inner) : IRootFileSystem
    {
        public string HostPath(string systemPath) => inner.HostPath(systemPath);
        public bool FileExists(string systemPath) => inner.FileExists(systemPath);
        public bool DirectoryExists(string systemPath) => inner.DirectoryExists(systemPath);
        public string? ReadAllText(string systemPath, int maxBytes) => inner.ReadAllText(systemPath, maxBytes);
        public long? GetModificationTimeSeconds(string systemPath) => inner.GetModificationTimeSeconds(systemPath);
        public long? GetFileLength(string systemPath) => inner.GetFileLength(systemPath);
        public bool IsExecutable(string systemPath) => inner.IsExecutable(systemPath);
        public bool IsWritableDirectory(string systemPath) => systemPath != "/boot" && inner.IsWritableDirectory(systemPath);
        public string? ResolveLink(string systemPath) => inner.ResolveLink(systemPath);
        public IReadOnlyList<string> ListDirectory(string systemPath) => inner.ListDirectory(systemPath);
        public void ReplaceFilesAtomically(IReadOnlyList<FileReplacement> replacements) => inner.ReplaceFilesAtomically(replacements);
    }

    [Theory]
    [InlineData(true, true, "/boot/initramfs-6.1.0-testkdump.img")]
    [InlineData(false, true, "/var/lib/kdump/initramfs-6.1.0-testkdump.img")]   // the kernel's directory is read-only
    [InlineData(true, false, "/var/lib/kdump/initramfs-6.1.0-testkdump.img")]   // no default initrd (a UKI)
    public void The_kdump_initrd_goes_to_var_lib_kdump_when_the_boot_dir_is_not_writable_or_has_no_default_initrd(
        bool bootWritable, bool defaultInitrd, string expected)
    {
        using var tree = new RootTree();
        if (!defaultInitrd) tree.Delete("/boot/initramfs-6.1.0-test.img");
        var fs = new DirectoryRootFileSystem(tree.Root);
        var info = KdumpBootInfo.Resolve(bootWritable ? fs : new ReadOnlyBoot(fs), SysconfigKdump.Parse(tree.Read("/etc/sysconfig/kdump")));
        Assert.Equal(expected, info?.Initrd);
    }

    /// <summary>
    /// The real probe: /boot made immutable (chattr +i, which even root cannot write into), so
    /// kdumpctl builds and loads /var/lib/kdump's initrd, creating that directory first.
    /// </summary>
    [Fact]
    public void An_immutable_boot_dir_sends_the_initrd_to_var_lib_kdump()
    {
        using var tree = new RootTree();
        var boot = tree.Host("/boot");
        var chattr = ExternalProcess.Run("chattr", ["+i", boot]);
        Assert.True(chattr.ExitCode == 0, $"chattr +i {boot}: {chattr.Stderr}");
        try
        {
            const string Initrd = "/var/lib/kdump/initramfs-6.1.0-testkdump.img";
            var runner = new RecordingProcessRunner().On(["/sbin/mkdumprd"], argv =>
            {
                tree.WriteImage(Initrd, "", "", RootTree.New);
                return new ProcessResult(0);
            });
            var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");
            Assert.Equal(
                "kdump: No kdump initial ramdisk found.\n" +
                $"kdump: Rebuilding {Initrd}\n" +
                "kdump: kexec: loaded kdump kernel\n" +
                "kdump: Starting kdump: [OK]\n" +
                "kdump: Notice: No vmcore creation test performed!\n", run.Stderr);
            Assert.Equal(0, run.ExitCode);
            Assert.Equal([$"/sbin/mkdumprd --root $ROOT -f {Initrd} 6.1.0-test"], run.Runs);
            Assert.Contains($"open(\"$ROOT{Initrd}\", O_RDONLY|O_CLOEXEC) = 4", run.Syscalls);
            Assert.Empty(Directory.EnumerateFileSystemEntries(boot, ".kdump-write-probe-*"));
        }
        finally
        {
            ExternalProcess.Run("chattr", ["-i", boot]);
        }
    }

    [Fact]
    public void Rebuild_refuses_an_initrd_directory_it_cannot_write()
    {
        // No default initrd (a UKI): the kdump initrd belongs in /var/lib/kdump, which is immutable.
        using var tree = new RootTree();
        tree.Delete("/boot/initramfs-6.1.0-test.img");
        var state = tree.Host("/var/lib/kdump");
        Directory.CreateDirectory(state);
        var chattr = ExternalProcess.Run("chattr", ["+i", state]);
        Assert.True(chattr.ExitCode == 0, $"chattr +i {state}: {chattr.Stderr}");
        try
        {
            const string Initrd = "/var/lib/kdump/initramfs-6.1.0-testkdump.img";
            var run = KdumpctlRun.Invoke(tree, "rebuild");
            Assert.Equal(
                $"kdump: Rebuilding {Initrd}\n" +
                $"kdump: /var/lib/kdump does not have write permission. Cannot rebuild {Initrd}\n", run.Stderr);
            Assert.Equal(1, run.ExitCode);
            Assert.Empty(run.Runs);
        }
        finally
        {
            ExternalProcess.Run("chattr", ["-i", state]);
        }
    }
}
