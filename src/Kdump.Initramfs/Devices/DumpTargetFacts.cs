using Kdump.Config.Conf;
using Kdump.Config.Mounts;

namespace Kdump.Initramfs.Devices;

/// <summary>
/// kdump-lib's questions about the configured dump target (<c>get_block_dump_target</c>,
/// <c>is_*_dump_target</c>, <c>get_fs_type_from_target</c>, <c>get_kdump_mntpoint_from_target</c>,
/// <c>get_root_fs_device</c>) over kdump.conf, the mount table and <see cref="BlockDevices"/>,
/// shared by kdumpctl (what the target is now) and mkdumprd (what the image records).
/// </summary>
public sealed class DumpTargetFacts(KdumpConfReader conf, MountTable? mounts, BlockDevices devices)
{
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

    /// <summary><c>get_fs_type_from_target</c>: fstype of the first mount of that source ("" when not mounted).</summary>
    public string FsType(string target) => FirstMountOf(target)?.FsType ?? "";

    /// <summary><c>get_kdump_mntpoint_from_target</c> (no subvolume): where the capture kernel mounts it.</summary>
    public string KdumpMountPoint(string target) =>
        MountTable.KdumpMountPoint(target.Length == 0 ? null : mounts?.GetMountPointOfSource(SourceName(target)));

    /// <summary><c>get_root_fs_device</c>: <c>findmnt -k -f -n -o SOURCE /</c>.</summary>
    public string RootDevice() => mounts?.Entries.FirstOrDefault(e => e.Target == "/")?.Source ?? "";

    // findmnt --source matches a device given by another name for the same node.
    private MountEntry? FirstMountOf(string target)
    {
        if (target.Length == 0 || mounts is null) return null;
        var name = SourceName(target);
        return mounts.Entries.FirstOrDefault(e => e.Source == name);
    }

    private string SourceName(string target)
    {
        if (mounts is null || mounts.Entries.Any(e => e.Source == target) || !target.StartsWith('/')) return target;
        var canonical = devices.Canonicalize(target);
        return mounts.Entries.FirstOrDefault(e => e.Source.StartsWith('/') && devices.Canonicalize(e.Source) == canonical)?.Source ?? target;
    }
}
