namespace Kdump.Config.Conf;

/// <summary>How a device is named in kdump.conf.</summary>
public enum DeviceSpecKind
{
    Path,
    Uuid,
    Label,
    PartUuid,
    PartLabel,
}

/// <summary>
/// A device name: <c>UUID=…</c>, <c>LABEL=…</c>, <c>PARTUUID=…</c>, <c>PARTLABEL=…</c> or a path.
/// Like <c>to_dev_name</c>, every double quote is removed first (<c>UUID="…"</c> works).
/// </summary>
public sealed record DeviceSpec(DeviceSpecKind Kind, string Value)
{
    private static readonly (string Prefix, DeviceSpecKind Kind)[] s_prefixes =
    [
        ("UUID=", DeviceSpecKind.Uuid),
        ("LABEL=", DeviceSpecKind.Label),
        ("PARTUUID=", DeviceSpecKind.PartUuid),
        ("PARTLABEL=", DeviceSpecKind.PartLabel),
    ];

    public static DeviceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dev = text.Replace("\"", "", StringComparison.Ordinal);
        foreach (var (prefix, kind) in s_prefixes)
        {
            if (dev.StartsWith(prefix, StringComparison.Ordinal)) return new DeviceSpec(kind, dev[prefix.Length..]);
        }
        return new DeviceSpec(DeviceSpecKind.Path, dev);
    }

    /// <summary>The udev symlink that names this device (<c>/dev/disk/by-uuid/…</c>), or the path itself.</summary>
    public string ToDevicePath() => Kind switch
    {
        DeviceSpecKind.Uuid => "/dev/disk/by-uuid/" + Value,
        DeviceSpecKind.Label => "/dev/disk/by-label/" + Value,
        DeviceSpecKind.PartUuid => "/dev/disk/by-partuuid/" + Value,
        DeviceSpecKind.PartLabel => "/dev/disk/by-partlabel/" + Value,
        _ => Value,
    };

    public override string ToString() => Kind switch
    {
        DeviceSpecKind.Uuid => "UUID=" + Value,
        DeviceSpecKind.Label => "LABEL=" + Value,
        DeviceSpecKind.PartUuid => "PARTUUID=" + Value,
        DeviceSpecKind.PartLabel => "PARTLABEL=" + Value,
        _ => Value,
    };
}
