using System.Text;
using Kdump.Cli;
using Kdump.Control.Host;
using Kdump.Control.Testing;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Control.Tests;

/// <summary>
/// A prepared system tree for kdumpctl --root: a kdump-capable x86_64 machine (crashkernel=256M
/// reserved, nothing loaded) with kernel 6.1.0-test, its default initrd and a kdump initrd newer
/// than every watched file. Each test changes what it needs.
/// </summary>
internal sealed class RootTree : IDisposable
{
    public const string Kver = "6.1.0-test";
    public const string KdumpInitrd = "/boot/initramfs-" + Kver + "kdump.img";
    public const long Old = 1_700_000_000;
    public const long New = 1_700_000_100;

    public RootTree()
    {
        Root = Path.Combine(Path.GetTempPath(), $"kdumpctl-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(Root, "run", "lock"));
        Write("/proc/iomem", "00100000-7ffdffff : System RAM\n  01000000-01ffffff : Kernel code\n  02000000-027fffff : Kernel rodata\n  03000000-033fffff : Kernel data\n  6f000000-7effffff : Crash kernel\n", Old);
        Write("/proc/cmdline", $"BOOT_IMAGE=/boot/vmlinuz-{Kver} root=UUID=1234 ro crashkernel=256M quiet\n", Old);
        Write("/proc/cpuinfo", "processor\t: 0\napicid\t\t: 0\n", Old);
        Write("/proc/sys/kernel/osrelease", Kver + "\n", Old);
        Write("/proc/sys/kernel/hostname", "node1\n", Old);
        Write("/sys/kernel/kexec_loaded", "0\n", Old);
        Write("/sys/kernel/kexec_crash_loaded", "0\n", Old);
        Write("/sys/kernel/kexec_crash_size", "268435456\n", Old);
        Write("/etc/kdump.conf", "path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n", Old);
        Write("/etc/sysconfig/kdump", "KDUMP_COMMANDLINE_REMOVE=\"hugepages quiet\"\nKDUMP_COMMANDLINE_APPEND=\"irqpoll nr_cpus=1 reset_devices\"\nKEXEC_ARGS=\"-s\"\nVMCORE_CREATION_NOTIFICATION=\"yes\"\n", Old);
        WriteBytes($"/boot/vmlinuz-{Kver}", BzImageStub.Bytes(), Old);
        Write($"/boot/initramfs-{Kver}.img", "default initrd\n", Old);
        // /var/crash is on the root file system, ext4 on the first partition of a virtio disk.
        Write("/proc/self/mountinfo", "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n", Old);
        AddVirtioDisk("vda", 254, "0000:00:04.0", "virtio2", (1, RootUuid));
        WriteKdumpImage();
    }

    /// <summary>The kdump image of this tree's dump target (written at <see cref="New"/>), with the kdump.conf and Pacemaker record mkdumprd put in it when given.</summary>
    public void WriteKdumpImage(string? kdumpConf = null, string? pacemakerNodes = null) =>
        WriteImage(KdumpInitrd, $"--hostonly --mount '/dev/disk/by-uuid/{RootUuid} /sysroot ext4 rw,relatime' --kver '{Kver}'\n", "", New, kdumpConf, pacemakerNodes);

    public const string RootUuid = "0b9c6d1e-1111-2222-3333-444455556666";

    /// <summary>
    /// A virtio-blk disk as sysfs and udev show it: the PCI function (driver virtio-pci), the virtio
    /// device (driver virtio_blk), the disk and its partitions with their dev numbers, /sys/dev/block
    /// and /sys/class/block links, /dev nodes (plain files) and /dev/disk/by-uuid links.
    /// </summary>
    public void AddVirtioDisk(string disk, int major, string pciSlot, string virtio, params (int Number, string Uuid)[] partitions) =>
        AddVirtioDisk(disk, major, 0, pciSlot, virtio, partitions);

    public void AddVirtioDisk(string disk, int major, int minorBase, string pciSlot, string virtio, params (int Number, string Uuid)[] partitions)
    {
        var pci = $"/sys/devices/pci0000:00/{pciSlot}";
        Link(pci + "/driver", "/sys/bus/pci/drivers/virtio-pci");
        Link($"{pci}/{virtio}/driver", "/sys/bus/virtio/drivers/virtio_blk");
        var diskDir = $"{pci}/{virtio}/block/{disk}";
        void BlockDevice(string dir, string name, int minor)
        {
            Write(dir + "/dev", $"{major}:{minor}\n", Old);
            Link(dir + "/subsystem", "/sys/class/block");
            Link($"/sys/class/block/{name}", dir);
            Link($"/sys/dev/block/{major}:{minor}", dir);
            Write($"/dev/{name}", "", Old);
        }
        BlockDevice(diskDir, disk, minorBase);
        foreach (var (n, uuid) in partitions)
        {
            BlockDevice($"{diskDir}/{disk}{n}", disk + n, minorBase + n);
            Link($"/dev/disk/by-uuid/{uuid}", $"/dev/{disk}{n}");
        }
    }

    /// <summary>A relative symbolic link at <paramref name="systemPath"/> to <paramref name="systemTarget"/>, as udev and sysfs make them.</summary>
    public void Link(string systemPath, string systemTarget)
    {
        var link = Host(systemPath);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (File.Exists(link) || Directory.Exists(link)) File.Delete(link);
        File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, Host(systemTarget)));
    }

    /// <summary>A zstd newc image (our writer) holding only dracut's two build-record files, and kdump.conf and mkdumprd's Pacemaker record when given.</summary>
    public void WriteImage(string systemPath, string buildParameters, string hostonlyModules, long mtime, string? kdumpConf = null, string? pacemakerNodes = null)
    {
        var plan = new Kdump.Initramfs.Image.ImagePlan();
        plan.AddFile(Kdump.Initramfs.Record.BuildRecord.BuildParametersPath, Encoding.UTF8.GetBytes(buildParameters));
        plan.AddFile(Kdump.Initramfs.Record.BuildRecord.HostonlyModulesPath, Encoding.UTF8.GetBytes(hostonlyModules));
        if (kdumpConf is not null) plan.AddFile(Kdump.Initramfs.Record.BuildRecord.KdumpConfPath, Encoding.UTF8.GetBytes(kdumpConf));
        if (pacemakerNodes is not null) plan.AddFile(Kdump.Initramfs.CaptureImage.PacemakerNodesPath, Encoding.UTF8.GetBytes(pacemakerNodes));
        using var ms = new MemoryStream();
        plan.Write(ms, Kdump.Initramfs.Image.InitramfsCompression.Zstd);
        WriteBytes(systemPath, ms.ToArray(), mtime);
    }

    public string Root { get; }

    public string Host(string systemPath) => Path.Join(Root, systemPath);

    public void Write(string systemPath, string text, long? mtime = null) => WriteBytes(systemPath, Encoding.UTF8.GetBytes(text), mtime);

    public void WriteBytes(string systemPath, byte[] bytes, long? mtime = null)
    {
        var path = Host(systemPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTimeOffset.FromUnixTimeSeconds(mtime ?? New).UtcDateTime);
    }

    public void Delete(string systemPath) => File.Delete(Host(systemPath));

    public string Read(string systemPath) => File.ReadAllText(Host(systemPath));

    /// <summary>Every file under the root with its content hash, to show what a command changed.</summary>
    public IReadOnlyDictionary<string, string> Snapshot()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        // sysfs-like trees link in cycles (class/block → devices → subsystem → class/block): never descend into a link.
        void Walk(string dir)
        {
            foreach (var e in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                var key = "/" + Path.GetRelativePath(Root, e.FullName);
                if (e.LinkTarget is { } link) result[key] = "-> " + link;
                else if (e is DirectoryInfo d) Walk(d.FullName);
                else result[key] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(e.FullName)));
            }
        }
        Walk(Root);
        return result;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A lock that never waits (the real flock is tested on its own).</summary>
internal sealed class NoWaitLock : IInstanceLock
{
    public List<string> Paths { get; } = [];

    public IDisposable Acquire(string hostPath, Action waiting)
    {
        Paths.Add(hostPath);
        return new MemoryStream();
    }
}

/// <summary>Records crash requests; never crashes anything.</summary>
internal sealed class RecordingCrashTrigger : ICrashTrigger
{
    public int Count { get; private set; }

    public string Trigger()
    {
        Count++;
        return "refusing to crash the system through /proc/sysrq-trigger: test double";
    }
}

/// <summary>One in-process kdumpctl run: argv → stdout, stderr, exit status, syscalls, process runs, files changed.</summary>
internal sealed record KdumpctlRun(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Syscalls,
    IReadOnlyList<string> Runs, IReadOnlyList<string> ChangedFiles)
{
    public static KdumpctlRun Invoke(RootTree tree, params string[] args) =>
        Invoke(tree, new RecordingSystemCalls(), new RecordingProcessRunner(), "", args);

    public static KdumpctlRun Invoke(RootTree tree, RecordingSystemCalls syscalls, RecordingProcessRunner runner, string stdin, params string[] args) =>
        Invoke(tree, syscalls, runner, stdin, TimeZoneInfo.Utc, args);

    /// <summary>A run whose local times are in <paramref name="zone"/>.</summary>
    public static KdumpctlRun Invoke(RootTree tree, RecordingSystemCalls syscalls, RecordingProcessRunner runner, string stdin, TimeZoneInfo zone, params string[] args)
    {
        var before = tree.Snapshot();
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin));
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        int exit;
        using (var context = new StreamToolContext("kdumpctl", input, stdout, stderr, tree.Root, new Dictionary<string, string>()))
        {
            var services = new KdumpctlServices(context, syscalls, runner, new NoWaitLock(), new RecordingCrashTrigger())
            {
                Clock = static () => DateTimeOffset.FromUnixTimeSeconds(1_750_000_000).AddTicks(1234567),
                Sleep = static _ => { },
                TimeZone = zone,
            };
            exit = Kdumpctl.Run(services, ["--root", tree.Root, .. args]);
        }
        var after = tree.Snapshot();
        var changed = after.Where(kv => !before.TryGetValue(kv.Key, out var h) || h != kv.Value).Select(kv => kv.Key)
            .Concat(before.Keys.Where(k => !after.ContainsKey(k))).Order(StringComparer.Ordinal).ToList();
        string Rel(string s) => s.Replace(tree.Root, "$ROOT", StringComparison.Ordinal);
        return new KdumpctlRun(exit, Rel(Encoding.UTF8.GetString(stdout.ToArray())), Rel(Encoding.UTF8.GetString(stderr.ToArray())),
            [.. syscalls.Calls.Select(Rel)], [.. runner.Runs.Select(Rel)], changed);
    }
}
