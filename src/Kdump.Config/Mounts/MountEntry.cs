namespace Kdump.Config.Mounts;

/// <summary>
/// One mounted file system. <see cref="FsRoot"/> is the directory of the source file system
/// that is mounted (mountinfo field 4; <c>/</c> for a direct mount; a btrfs subvolume or a bind
/// mount's directory otherwise). findmnt prints it as <c>SOURCE[/fsroot]</c>.
/// </summary>
public sealed record MountEntry(string Source, string Target, string FsType, string Options, string FsRoot = "/")
{
    /// <summary>findmnt's SOURCE column: <c>/dev/vda2[/root]</c> when fsroot is not <c>/</c>.</summary>
    public string FindmntSource => FsRoot == "/" ? Source : $"{Source}[{FsRoot}]";

    /// <summary>kdump-lib-initramfs.sh <c>get_btrfs_subvol_from_mntopt</c>: the <c>subvol=</c> option value, or null.</summary>
    public string? BtrfsSubvolume => GetSubvolumeOption(Options);

    public static string? GetSubvolumeOption(string options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var i = options.IndexOf("subvol=", StringComparison.Ordinal);
        if (i < 0) return null;
        var v = options[(i + "subvol=".Length)..];
        var comma = v.IndexOf(',', StringComparison.Ordinal);
        return comma < 0 ? v : v[..comma];
    }
}
