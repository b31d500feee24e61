using Kdump.Config.Conf;
using Kdump.Config.IO;
using Kdump.Config.Mounts;
using Kdump.Config.Rebuild;
using Kdump.Initramfs.Devices;
using Kdump.Initramfs.Modules;
using Kdump.Initramfs.Record;
using Kdump.Primitives.Errors;

namespace Kdump.Control.Devices;

/// <summary>
/// What <c>check_fs_modified</c> and <c>check_drivers_modified</c> compare (kdumpctl:560-664):
/// the dump target and the drivers it needs now, from kdump.conf, the mount table, sysfs and the
/// kernel's module indexes under the root; and what the image recorded when it was built
/// (<see cref="BuildRecord"/>, read like <c>lsinitrd -f</c>).
/// </summary>
public sealed class ImageFacts(IRootFileSystem root, string kernelVersion)
{
    private readonly BlockDevices _devices = new(root);

    /// <summary>The mount table: /proc/self/mountinfo (findmnt's source), else /proc/mounts; null when neither exists.</summary>
    public MountTable? Mounts()
    {
        if (root.ReadAllText("/proc/self/mountinfo", 1 << 22) is { } info) return MountTable.ParseMountInfo(info);
        return root.ReadAllText("/proc/mounts", 1 << 22) is { } mounts ? MountTable.ParseProcMounts(mounts) : null;
    }

    /// <summary>/etc/fstab, where kdump-lib's <c>get_mount_info</c> looks for a target the kernel has not mounted; null without one.</summary>
    public MountTable? Fstab() => root.ReadAllText("/etc/fstab", 1 << 22) is { } text ? MountTable.ParseFstab(text) : null;

    /// <summary>
    /// The image's record, or an empty one with <paramref name="problem"/> saying why it cannot be
    /// read (lsinitrd then prints nothing, and upstream goes on with empty output).
    /// </summary>
    public static BuildRecord ReadRecord(IRootFileSystem root, string initrd, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(root);
        problem = null;
        try
        {
            return BuildRecord.Read(root.HostPath(initrd));
        }
        catch (KdumpException e)
        {
            problem = $"cannot read {initrd}: {e.Message}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read {initrd}: {Cli.IoErrorText.StrError(e)}";
        }
        return new BuildRecord("", []);
    }

    /// <summary>check_fs_modified's inputs; <paramref name="record"/> (the image's record and its read problem) is read only when the check gets that far.</summary>
    public FsCheckInputs FileSystem(KdumpConfReader conf, Func<(BuildRecord Record, string? Problem)> record)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(record);
        var facts = new DumpTargetFacts(conf, Mounts(), _devices, Fstab);
        // LVM thin pools are not recognised here (upstream asks lvs); they are checked like any block target.
        if (facts.IsMountInDracutArgs || facts.IsSsh || facts.IsNfs || facts.IsRaw || facts.IsVirtiofs) return new FsCheckInputs(Skip: true);
        var target = facts.BlockTarget();
        var fsType = facts.FsType(target);
        if (target.Length == 0 || fsType.Length == 0) return new FsCheckInputs(false, target, fsType);
        var persistent = _devices.PersistentDevice(target);
        if (persistent.Length == 0) return new FsCheckInputs(false, target, fsType);
        var (image, problem) = record();
        return new FsCheckInputs(false, target, fsType, persistent, MountTable.Escape(facts.KdumpMountPoint(target)), image.BuildParameters, facts.RootDevice(), problem);
    }

    /// <summary>
    /// check_drivers_modified's inputs, or null when no driver is needed (upstream returns before
    /// reading the image): block drivers of the target and its slaves, then the watchdogs' modules
    /// unless dracut_args omit <c>watchdog</c>; each kept only when <c>modinfo</c> would name a
    /// loadable module of the kdump kernel (builtin and unknown names skipped).
    /// </summary>
    public DriverCheckInputs? Drivers(KdumpConfReader conf, IReadOnlyList<string> dracutArgv, Func<(BuildRecord Record, string? Problem)> record)
    {
        ArgumentNullException.ThrowIfNull(conf);
        ArgumentNullException.ThrowIfNull(record);
        var drivers = new List<string>();
        var target = new DumpTargetFacts(conf, Mounts(), _devices, Fstab).BlockTarget();
        if (target.Length > 0 && _devices.DeviceNumber(target) is { } number) drivers.AddRange(_devices.BlockDrivers(number));
        if (!DracutArguments.IsModuleOmitted(dracutArgv, "watchdog")) drivers.AddRange(WatchdogDrivers());
        if (drivers.Count == 0) return null;

        var modules = ModuleIndex();
        var required = new List<string>();
        foreach (var d in drivers)
        {
            if (modules?.Find(d) is { } entry && !required.Contains(entry.Name, StringComparer.Ordinal)) required.Add(entry.Name);
        }
        var (image, problem) = record();
        return new DriverCheckInputs(required, image.HostonlyModules, problem);
    }

    /// <summary>
    /// kdump-lib.sh <c>get_watchdog_drvs</c>: <c>modprobe --set-version KVER -R</c> of each
    /// /sys/class/watchdog/*/device/modalias, each module once, in watchdog order. Both the rebuild
    /// decision (step 6) and the capture command line (<c>&lt;drv&gt;.pretimeout=0</c>) use it.
    /// </summary>
    public IReadOnlyList<string> WatchdogDrivers()
    {
        var result = new List<string>();
        ModuleAliases? aliases = null;
        foreach (var wd in root.ListDirectory("/sys/class/watchdog"))
        {
            var modalias = root.ReadAllText($"/sys/class/watchdog/{wd}/device/modalias", 4096)?.TrimEnd('\n');
            if (string.IsNullOrEmpty(modalias)) continue;
            var dir = $"/lib/modules/{kernelVersion}";
            aliases ??= ModuleAliases.Parse(root.ReadAllText(dir + "/modules.alias", 64 << 20) ?? "",
                root.ReadAllText(dir + "/modules.builtin.modinfo", 64 << 20) ?? "");
            foreach (var m in aliases.Resolve(modalias))
            {
                if (!result.Contains(m, StringComparer.Ordinal)) result.Add(m);
            }
        }
        return result;
    }

    /// <summary>The kdump kernel's modules.dep and modules.builtin; null when it has none (modinfo then knows nothing).</summary>
    public ModuleIndex? ModuleIndex()
    {
        var dir = $"/lib/modules/{kernelVersion}";
        return root.FileExists(dir + "/modules.dep") ? Initramfs.Modules.ModuleIndex.Load(root.HostPath(dir)) : null;
    }
}
