using Kdump.Config.Conf;
using Kdump.Config.Mounts;

namespace Kdump.Initramfs.Devices;

/// <summary>
/// kdump-lib's questions about the configured dump target (<c>get_block_dump_target</c>,
/// <c>is_*_dump_target</c>, <c>get_fs_type_from_target</c>, <c>get_kdump_mntpoint_from_target</c>,
/// <c>get_root_fs_device</c>) over kdump.conf, the mount table and <see cref="BlockDevices"/>,
/// shared by kdumpctl (what the target is now) and mkdumprd (what the image records). Like
/// kdump-lib's <c>get_mount_info</c>, a target the kernel has not mounted is looked up in
/// <paramref name="fstab"/> (<c>findmnt -s</c>, read only then), so a <c>noauto</c> target has a type
/// and a mount point.
/// </summary>
public sealed class DumpTargetFacts(KdumpConfReader conf, MountTable? mounts, BlockDevices devices, Func<MountTable?> fstab)
{
    /// <summary>btrfs's top-level subvolume: the default one unless <c>btrfs subvolume set-default</c> changed it.</summary>
    private const ulong BtrfsTopLevelId = 5;

    private MountTable? _fstab;
    private bool _fstabRead;

    private const string BlockTargetPattern = "ext[234]|xfs|btrfs|minix|raw|virtiofs";

    private string DracutArgs => conf.GetValue("dracut_args");

    private string SavePath => Config.IO.SystemPath.SqueezeSlashes(conf.GetValue("path") is { Length: > 0 } p ? p : Config.Messages.KdumpctlText.DefaultPath);

    public bool IsSsh => conf.GetValue("ssh").Contains('@', StringComparison.Ordinal);

    public bool IsRaw => conf.GetValue("raw").Length > 0;

    public bool IsNfs => conf.GetValue("nfs").Length > 0
        || DracutArguments.UpstreamMountFields(DracutArgs).FsType is "nfs" or "nfs4"
        || FsType(PathDevice()) is "nfs" or "nfs4";

    public bool IsVirtiofs => conf.GetValue("virtiofs").Length > 0
        || DracutArguments.UpstreamMountFields(DracutArgs).FsType == "virtiofs"
        || FsType(PathDevice()) == "virtiofs";

    /// <summary><c>is_mount_in_dracut_args</c>: <c>--mount</c> (then a space or <c>=</c>) after whitespace in dracut_args.</summary>
    public bool IsMountInDracutArgs
    {
        get
        {
            var v = " " + DracutArgs;
            for (var i = v.IndexOf("--mount", StringComparison.Ordinal); i >= 0; i = v.IndexOf("--mount", i + 1, StringComparison.Ordinal))
            {
                var after = i + "--mount".Length;
                if (char.IsWhiteSpace(v[i - 1]) && after < v.Length && (v[after] == '=' || char.IsWhiteSpace(v[after]))) return true;
            }
            return false;
        }
    }

    /// <summary><c>get_block_dump_target</c>: the target's device, "" for network targets or when there is none.</summary>
    public string BlockTarget()
    {
        if (IsSsh || IsNfs) return "";
        var configured = conf.GetValueMatching(BlockTargetPattern);
        if (configured.Length > 0) return devices.ToDevName(configured);
        var (dracutTarget, dracutFsType) = DracutArguments.UpstreamMountFields(DracutArgs);
        if (devices.IsBlockDevice(dracutTarget)) return devices.ToDevName(dracutTarget);
        if (dracutFsType == "virtiofs") return dracutTarget;
        var byPath = PathDevice();
        if (devices.IsBlockDevice(byPath)) return devices.ToDevName(byPath);
        return FsType(byPath) == "virtiofs" ? byPath : "";
    }

    /// <summary><c>get_target_from_path "$(get_save_path)"</c>: df's source for the save path.</summary>
    public string PathDevice()
    {
        var source = mounts?.FindMountContaining(SavePath)?.Source ?? "";
        return source == "/dev/root" && !devices.IsBlockDevice("/dev/root") ? RootDevice() : source;
    }

    /// <summary><c>get_fs_type_from_target</c>: fstype of the first mount of that source ("" when it has none).</summary>
    public string FsType(string target) => FirstMountOf(target)?.FsType ?? "";

    /// <summary><c>get_mntopt_from_target</c>: the options of the first mount of that source (null when it has none).</summary>
    public string? MountOptions(string target) => FirstMountOf(target)?.Options;

    /// <summary>
    /// <c>get_kdump_mntpoint_from_target</c>: where the capture kernel mounts the target, below
    /// <c>/kdumproot</c> at its <see cref="MountPoint"/> in the first kernel.
    /// </summary>
    public string KdumpMountPoint(string target, string? subvolume = null) =>
        MountTable.KdumpMountPoint(MountPoint(target, subvolume));

    /// <summary>
    /// <c>get_mntpoint_from_target</c>: the target's mount point in the first kernel (the kernel's
    /// table, else fstab), normalised as findmnt compares it (<c>/data/</c> is <c>/data</c>): the
    /// first mount of the whole file system (findmnt's SOURCE without <c>[fsroot]</c>), or with a
    /// btrfs <paramref name="subvolume"/> the first mount of that subvolume; else the first mount
    /// findmnt -f picks. Null when there is none, or when it is not a plain absolute path (relative,
    /// with <c>.</c>/<c>..</c> components or a NUL), which is no place to mount.
    /// </summary>
    public string? MountPoint(string target, string? subvolume = null)
    {
        var of = MountsOf(target);
        var pick = string.IsNullOrEmpty(subvolume)
            ? of.FirstOrDefault(e => e.FsRoot == "/")
            : of.FirstOrDefault(e => e.FsRoot == subvolume);
        var mountPoint = (pick ?? FirstMountOf(target))?.Target;
        if (mountPoint is null || !mountPoint.StartsWith('/') || mountPoint.Contains('\0', StringComparison.Ordinal)
            || mountPoint.Split('/').Any(c => c is "." or "..")) return null;
        return Config.IO.SystemPath.Normalize(mountPoint);
    }

    /// <summary>
    /// <c>get_mount_info … -f</c>: libmount's <c>mnt_table_find_source</c> on the kernel's table,
    /// else on fstab. First a source written as the target is, a tag (<c>UUID=</c>…) as the device
    /// it names, passing over a btrfs mount of a subvolume other than the default one (taken as the
    /// top level: libmount asks the file system, which an image built for another root cannot);
    /// then the same device by any name.
    /// </summary>
    public MountEntry? FirstMountOf(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0) return null;
        var isTarget = devices.SourceMatcher(target);
        // A tag is evaluated to the device's canonical name, a device-mapper node's being /dev/mapper/NAME.
        var unquoted = target.Replace("\"", "", StringComparison.Ordinal);
        var name = devices.TagDevice(unquoted);
        if (name.Length > 0 && name != unquoted) name = devices.DeviceMapperName(name) ?? name;
        MountEntry? First(MountTable? table) =>
            table?.Entries.FirstOrDefault(e => name.Length > 0 && e.Source == name && !IsOtherBtrfsSubvolume(e))
            ?? table?.Entries.FirstOrDefault(e => isTarget(e.Source));
        return First(mounts) ?? First(Fstab);
    }

    private static bool IsOtherBtrfsSubvolume(MountEntry e)
    {
        if (e.FsType != "btrfs") return false;
        const string key = "subvolid=";
        var option = e.Options.Split(',').FirstOrDefault(o => o.StartsWith(key, StringComparison.Ordinal));
        return option is not null && (!ulong.TryParse(option.AsSpan(key.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id != BtrfsTopLevelId);
    }

    private MountTable? Fstab
    {
        get
        {
            if (!_fstabRead) (_fstab, _fstabRead) = (fstab(), true);
            return _fstab;
        }
    }

    /// <summary>
    /// <c>get_mount_info … source TARGET</c>: the kernel's mounts of the target (<c>findmnt -k</c>),
    /// or when it has none, fstab's entries for it (<c>findmnt -s</c>), in table order.
    /// </summary>
    public IReadOnlyList<MountEntry> MountsOf(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0) return [];
        var isTarget = devices.SourceMatcher(target);
        var mounted = mounts?.Entries.Where(e => isTarget(e.Source)).ToList() ?? [];
        return mounted.Count > 0 ? mounted : Fstab?.Entries.Where(e => isTarget(e.Source)).ToList() ?? [];
    }

    /// <summary><c>get_root_fs_device</c>: <c>findmnt -k -f -n -o SOURCE /</c>.</summary>
    public string RootDevice() => mounts?.Entries.FirstOrDefault(e => e.Target == "/")?.Source ?? "";
}
