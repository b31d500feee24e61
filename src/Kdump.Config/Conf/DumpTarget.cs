namespace Kdump.Config.Conf;

/// <summary>
/// The configured dump target: <see cref="FsType"/> and <see cref="Value"/> are kdumpctl's
/// <c>OPT[_fstype]</c> and <c>OPT[_target]</c>.
/// </summary>
public sealed record DumpTarget(DumpTargetKind Kind, string FsType, string Value)
{
    /// <summary>Directive word → kind (the <c>ext[234] | minix | btrfs | xfs | nfs | ssh | virtiofs | raw</c> arm).</summary>
    public static readonly IReadOnlyDictionary<string, DumpTargetKind> Directives = new Dictionary<string, DumpTargetKind>(StringComparer.Ordinal)
    {
        ["raw"] = DumpTargetKind.Raw,
        ["ext2"] = DumpTargetKind.Ext2,
        ["ext3"] = DumpTargetKind.Ext3,
        ["ext4"] = DumpTargetKind.Ext4,
        ["xfs"] = DumpTargetKind.Xfs,
        ["btrfs"] = DumpTargetKind.Btrfs,
        ["minix"] = DumpTargetKind.Minix,
        ["virtiofs"] = DumpTargetKind.Virtiofs,
        ["nfs"] = DumpTargetKind.Nfs,
        ["ssh"] = DumpTargetKind.Ssh,
    };

    public bool IsBlockFileSystem => Kind is DumpTargetKind.Ext2 or DumpTargetKind.Ext3 or DumpTargetKind.Ext4
        or DumpTargetKind.Xfs or DumpTargetKind.Btrfs or DumpTargetKind.Minix;

    public bool IsNetwork => Kind is DumpTargetKind.Nfs or DumpTargetKind.Ssh
        || (Kind == DumpTargetKind.DracutMount && FsType.StartsWith("nfs", StringComparison.Ordinal));

    /// <summary>The device of a raw or file-system target (UUID=, LABEL=, PARTUUID=, PARTLABEL= or a path).</summary>
    public DeviceSpec? Device => Kind is DumpTargetKind.Raw || IsBlockFileSystem || Kind == DumpTargetKind.DracutMount
        ? DeviceSpec.Parse(Value)
        : null;

    /// <summary><c>get_remote_host</c>: host of an ssh or nfs target (IPv6 brackets removed).</summary>
    public string? RemoteHost => Kind is DumpTargetKind.Ssh or DumpTargetKind.Nfs ? GetRemoteHost(Value) : null;

    /// <summary>ssh: the part before '@' (null when there is no '@').</summary>
    public string? SshUser => Kind == DumpTargetKind.Ssh && Value.IndexOf('@', StringComparison.Ordinal) is var at and >= 0
        ? Value[..at]
        : null;

    /// <summary>nfs: the export path after <c>host:</c> (e.g. <c>/export/tmp</c>), or null.</summary>
    public string? NfsExport
    {
        get
        {
            if (Kind != DumpTargetKind.Nfs) return null;
            var i = Value.LastIndexOf(":/", StringComparison.Ordinal);
            return i < 0 ? null : Value[(i + 1)..];
        }
    }

    /// <summary>kdump-lib.sh <c>get_remote_host</c>: strip <c>*@</c>, a trailing <c>:/*</c>, and one pair of brackets.</summary>
    public static string GetRemoteHost(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var v = value;
        var at = v.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) v = v[(at + 1)..];
        var colonSlash = v.LastIndexOf(":/", StringComparison.Ordinal);
        if (colonSlash >= 0) v = v[..colonSlash];
        if (v.StartsWith('[')) v = v[1..];
        if (v.EndsWith(']')) v = v[..^1];
        return v;
    }
}
