namespace Kdump.Config.Conf;

/// <summary>The target directives of kdump.conf (at most one), plus <c>dracut_args --mount</c>.</summary>
public enum DumpTargetKind
{
    Raw,
    Ext2,
    Ext3,
    Ext4,
    Xfs,
    Btrfs,
    Minix,
    Virtiofs,
    Nfs,
    Ssh,
    /// <summary><c>dracut_args --mount "dev mnt fstype opts"</c>: a target without validation.</summary>
    DracutMount,
}
