using Kdump.Config.IO;

namespace Kdump.Initramfs.Devices;

/// <summary>
/// The block-device questions kdumpctl and mkdumprd ask udev, blkid and stat, answered from the
/// root's /dev links and sysfs alone, so that a prepared tree (<c>--root</c>) answers them too:
/// a path is a block device when it resolves to a name with <c>/sys/class/block/NAME/dev</c>,
/// whose text is its <c>MAJ:MIN</c>.
/// </summary>
public sealed class BlockDevices(IRootFileSystem root)
{
    private const int MaxDepth = 32;   // stacked devices (dm over md over partitions) are far shallower

    /// <summary>get_persistent_dev's search order (no persistent_policy set).</summary>
    private static readonly string[] s_persistentDirs =
    [
        "/dev/mapper", "/dev/disk/by-uuid", "/dev/disk/by-label", "/dev/disk/by-partuuid",
        "/dev/disk/by-partlabel", "/dev/disk/by-id", "/dev/disk/by-path",
    ];

    /// <summary>
    /// <c>readlink -m</c> inside the root: every component's links followed, <c>..</c> applied after.
    /// A link loop gives the path normalised without following links, as GNU readlink -m prints it.
    /// </summary>
    public string Canonicalize(string systemPath)
    {
        ArgumentNullException.ThrowIfNull(systemPath);
        return SystemPath.Canonicalize(systemPath, root.ResolveLink) ?? SystemPath.Normalize(systemPath);
    }

    /// <summary><c>MAJ:MIN</c> of a block device path, or null when it is none (<c>[[ -b ]]</c> fails).</summary>
    public string? DeviceNumber(string devicePath)
    {
        ArgumentNullException.ThrowIfNull(devicePath);
        if (devicePath.Length == 0) return null;
        var name = SystemPath.FileName(Canonicalize(devicePath));
        if (name.Length == 0) return null;
        string? text;
        try { text = root.ReadAllText("/sys/class/block/" + name + "/dev", 64)?.Trim(); }
        catch (Config.KdumpConfigException) { return null; }   // longer than any MAJ:MIN
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public bool IsBlockDevice(string devicePath) => DeviceNumber(devicePath) is not null;

    /// <summary>
    /// <c>fdisk -s DEV</c> (mkdumprd's raw-target size): KiB of a block device from its sysfs
    /// <c>size</c> (512-byte sectors, halved and rounded down as fdisk prints it; null when it cannot
    /// be read); of any other path, its length inside the root, null when nothing is there or its
    /// length is 0 (a device node sysfs does not know by that name, which stat cannot size).
    /// </summary>
    public long? SizeInKiB(string devicePath)
    {
        ArgumentNullException.ThrowIfNull(devicePath);
        if (DeviceNumber(devicePath) is not null)
        {
            var name = SystemPath.FileName(Canonicalize(devicePath));
            string? text;
            try { text = root.ReadAllText("/sys/class/block/" + name + "/size", 64)?.Trim(); }
            catch (Config.KdumpConfigException) { return null; }   // longer than any sector count
            return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sectors)
                ? sectors / 2 : null;
        }
        return root.GetFileLength(Canonicalize(devicePath)) is { } bytes and > 0 ? bytes / 1024 : null;
    }

    /// <summary>blkid's tags that kdump-lib.sh <c>to_dev_name</c> resolves, each with the directory of udev's links for it.</summary>
    private static readonly (string Tag, string Directory)[] s_devNameTags = [("UUID=", "/dev/disk/by-uuid/"), ("LABEL=", "/dev/disk/by-label/")];

    /// <summary>The tags libmount resolves in a mount table's sources.</summary>
    private static readonly (string Tag, string Directory)[] s_mountTags =
        [.. s_devNameTags, ("PARTUUID=", "/dev/disk/by-partuuid/"), ("PARTLABEL=", "/dev/disk/by-partlabel/")];

    /// <summary>kdump-lib.sh <c>to_dev_name</c>: <c>UUID=</c>/<c>LABEL=</c> → the device (blkid -U/-L; "" when unknown), else the value without quotes.</summary>
    public string ToDevName(string value) => ResolveTag(value, s_devNameTags);

    /// <summary>As <see cref="ToDevName"/> for every tag libmount knows (<c>PARTUUID=</c> and <c>PARTLABEL=</c> too).</summary>
    public string TagDevice(string value) => ResolveTag(value, s_mountTags);

    /// <summary>
    /// libmount's <c>canonicalize_dm_name</c>: <c>/dev/mapper/NAME</c> for a device-mapper node (its
    /// <c>/sys/class/block/dm-N/dm/name</c>), the name the kernel's mount table uses; else null.
    /// </summary>
    public string? DeviceMapperName(string devicePath)
    {
        ArgumentNullException.ThrowIfNull(devicePath);
        var node = SystemPath.FileName(Canonicalize(devicePath));
        if (!node.StartsWith("dm-", StringComparison.Ordinal)) return null;
        string? name;
        try { name = root.ReadAllText("/sys/class/block/" + node + "/dm/name", 256)?.Trim(); }
        catch (Config.KdumpConfigException) { return null; }   // longer than any dm name (DM_NAME_LEN 128)
        return string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) ? null : "/dev/mapper/" + name;
    }

    private string ResolveTag(string value, (string Tag, string Directory)[] tags)
    {
        ArgumentNullException.ThrowIfNull(value);
        var dev = value.Replace("\"", "", StringComparison.Ordinal);
        foreach (var (tag, directory) in tags)
        {
            if (!dev.StartsWith(tag, StringComparison.Ordinal)) continue;
            var link = directory + EncodeLinkName(dev[tag.Length..]);
            return root.ResolveLink(link) is not null && IsBlockDevice(link) ? Canonicalize(link) : "";
        }
        return dev;
    }

    /// <summary>
    /// A tag's value as udev names its /dev/disk link (blkid's <c>blkid_encode_string</c>, the
    /// <c>ID_FS_LABEL_ENC</c> of the rules): ASCII letters, digits and <c>#+-.:=@_</c> and any
    /// non-ASCII character stay, every other byte is <c>\xNN</c>, so a label with a blank or a
    /// slash names one link in the directory, never a path beside it.
    /// </summary>
    private static string EncodeLinkName(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new System.Text.StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            var c = rune.Value;
            if (c >= 0x80 || char.IsAsciiLetterOrDigit((char)c) || "#+-.:=@_".Contains((char)c, StringComparison.Ordinal)) sb.Append(rune.ToString());
            else sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{c:x2}");
        }
        return sb.ToString();
    }

    /// <summary>
    /// findmnt's <c>--source</c> match for <paramref name="target"/>: a source written the same, or
    /// the same device once tags (<c>UUID=</c>, <c>LABEL=</c>, <c>PARTUUID=</c>, <c>PARTLABEL=</c>)
    /// and links are resolved on both sides (a file-system spec like nfs's <c>host:/path</c> matches
    /// as written). The target is resolved once, each source per call.
    /// </summary>
    public Func<string, bool> SourceMatcher(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        // An fstab escape can make a NUL (\000): no device is named so, and paths cannot hold it.
        // Nor is any longer than PATH_MAX, and canonicalizing such a name costs its square.
        static bool Resolvable(string s) => s.Length <= 4096 && !s.Contains('\0', StringComparison.Ordinal);
        var unquoted = target.Replace("\"", "", StringComparison.Ordinal);
        if (!Resolvable(unquoted)) return _ => false;
        var device = TagDevice(unquoted);
        var canonical = device.StartsWith('/') ? Canonicalize(device) : null;
        return source =>
        {
            if (source == unquoted) return true;
            if (canonical is null || !Resolvable(source)) return false;
            var a = TagDevice(source);
            return a.StartsWith('/') && Canonicalize(a) == canonical;
        };
    }

    /// <summary>
    /// kdump-lib.sh <c>kdump_get_persistent_dev</c> → dracut <c>get_persistent_dev</c>: the first
    /// link in /dev/mapper, /dev/disk/by-uuid, by-label, by-partuuid, by-partlabel, by-id, by-path
    /// (each sorted) naming the same device; the device itself when none does.
    /// </summary>
    public string PersistentDevice(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var dev = value.Replace("\"", "", StringComparison.Ordinal);
        if (dev.StartsWith("UUID=", StringComparison.Ordinal) || dev.StartsWith("LABEL=", StringComparison.Ordinal)) dev = ToDevName(dev);
        if (DeviceNumber(dev) is not { } number) return dev;
        foreach (var dir in s_persistentDirs)
        {
            foreach (var name in root.ListDirectory(dir))
            {
                var candidate = dir + "/" + name;
                if (dir == "/dev/mapper" && name.StartsWith("mpath", StringComparison.Ordinal)) continue;
                if (DeviceNumber(candidate) == number) return candidate;
            }
        }
        return dev;
    }

    /// <summary>
    /// kdumpctl <c>check_drivers_modified</c>'s block part: <c>check_block_and_slaves_all</c> over
    /// the device (its whole disk when it is a partition, and every slave, recursively) and, for each,
    /// the <c>DRIVERS==</c> of its parents as <c>udevadm info -a</c> prints them; each name once, in
    /// the order found. LVM volumes are walked through their slaves like any stacked device.
    /// </summary>
    public IReadOnlyList<string> BlockDrivers(string deviceNumber)
    {
        ArgumentNullException.ThrowIfNull(deviceNumber);
        var drivers = new List<string>();
        Walk(deviceNumber, drivers, new HashSet<string>(StringComparer.Ordinal), 0);
        return drivers;
    }

    // Each device once: sysfs has no slave cycles, but a prepared tree could, and a device reached
    // twice (two LVs' common PV) has nothing new to add.
    private void Walk(string majMin, List<string> drivers, HashSet<string> seen, int depth)
    {
        if (depth > MaxDepth || !seen.Add(majMin)) return;
        var sys = "/sys/dev/block/" + majMin;
        if (!root.DirectoryExists(sys)) return;
        var device = Canonicalize(sys);
        foreach (var d in ParentDrivers(device))
        {
            if (!drivers.Contains(d, StringComparer.Ordinal)) drivers.Add(d);
        }
        // A partition's parent directory is its disk.
        var parent = SystemPath.Directory(device);
        if (IsBlockClass(parent) && ReadNumber(parent) is { } disk) Walk(disk, drivers, seen, depth + 1);
        foreach (var slave in root.ListDirectory(sys + "/slaves"))
        {
            var s = Canonicalize(sys + "/slaves/" + slave);
            if (IsBlockClass(s) && ReadNumber(s) is { } n) Walk(n, drivers, seen, depth + 1);
        }
    }

    // udevadm info -a: "looking at parent device" blocks carry DRIVERS=="name" when the parent has a driver.
    private IEnumerable<string> ParentDrivers(string device)
    {
        for (var p = SystemPath.Directory(device); p.StartsWith("/sys/devices/", StringComparison.Ordinal); p = SystemPath.Directory(p))
        {
            if (root.ResolveLink(p + "/driver") is { } driver) yield return SystemPath.FileName(driver);
        }
    }

    private bool IsBlockClass(string sysDir) =>
        root.FileExists(sysDir + "/dev") && Canonicalize(sysDir + "/subsystem") == "/sys/class/block";

    private string? ReadNumber(string sysDir) => root.ReadAllText(sysDir + "/dev", 64)?.Trim() is { Length: > 0 } t ? t : null;
}
