using Kdump.Config.Conf;
using Kdump.Config.Mounts;

namespace Kdump.Config.Tests;

/// <summary>Mount-point and btrfs subvolume resolution (§5.2) and dracut_args parsing (§1.2).</summary>
public class MountAndDracutTests
{
    private const string MountInfo = """
        22 1 252:2 / / rw,relatime - ext4 /dev/vda2 rw
        23 22 252:1 / /boot rw,relatime - ext4 /dev/vda1 rw
        24 22 252:3 / /data rw,relatime - xfs /dev/vdb1 rw
        25 22 252:3 /crash /var/crash rw,relatime - xfs /dev/vdb1 rw
        26 22 252:4 /@home /home rw,relatime - btrfs /dev/vdc1 rw,subvol=/@home
        27 22 252:4 /@ /srv rw,relatime - btrfs /dev/vdc1 rw,subvol=/@
        28 22 252:4 /@home/dumps /mnt/dumps rw,relatime - btrfs /dev/vdc1 rw,subvol=/@home
        29 22 0:40 / /mnt/with\040space rw - tmpfs tmpfs rw
        """;

    private static readonly MountTable s_table = MountTable.ParseMountInfo(MountInfo);

    [Theory]
    [InlineData("/var/crash", "/var/crash")]
    [InlineData("/var/log", "/")]
    [InlineData("/boot/x", "/boot")]
    [InlineData("/bootx", "/")]
    [InlineData("/mnt/with space/a", "/mnt/with space")]
    public void MountContaining(string path, string mountPoint) =>
        Assert.Equal(mountPoint, s_table.FindMountContaining(path)!.Target);

    [Theory]
    [InlineData("/var/crash/", "/data/crash/")]
    [InlineData("/var/tmp", "/var/tmp")]
    [InlineData("/mnt/dumps/x", "/home/dumps/x")]
    [InlineData("/home/u", "/home/u")]
    public void BindMountSource(string path, string source) =>
        Assert.Equal(source, s_table.GetBindMountSource(path));

    [Theory]
    [InlineData("/var/crash/", "/dev/vdb1", "xfs", null, "/data", "/crash/", "/kdumproot/data")]
    [InlineData("/var/tmp/crash", "/dev/vda2", "ext4", null, "/", "var/tmp/crash", "/sysroot")]
    [InlineData("/mnt/dumps/vm", "/dev/vdc1", "btrfs", "/@home", "/home", "/dumps/vm", "/kdumproot/home")]
    [InlineData("/srv/crash", "/dev/vdc1", "btrfs", "/@", "/srv", "/crash", "/kdumproot/srv")]
    public void DefaultTarget(string savePath, string device, string fsType, string? subvol, string mountPoint, string relative, string kdumpMnt)
    {
        var r = s_table.ResolveDefaultTarget(savePath);
        Assert.Equal(device, r.Device);
        Assert.Equal(fsType, r.FsType);
        Assert.Equal(subvol, r.BtrfsSubvolume);
        Assert.Equal(mountPoint, r.MountPoint);
        Assert.Equal(relative, r.RelativeSavePath);
        Assert.Equal(kdumpMnt, r.KdumpMountPoint);
    }

    [Theory]
    [InlineData(null, "/kdumproot")]
    [InlineData("/", "/sysroot")]
    [InlineData("/mnt/x/", "/kdumproot/mnt/x/")]
    public void KdumpMountPoint(string? mnt, string expected) => Assert.Equal(expected, MountTable.KdumpMountPoint(mnt));

    [Fact]
    public void ProcMountsParsing()
    {
        var t = MountTable.ParseProcMounts("/dev/vda2 / ext4 rw,relatime 0 0\n/dev/sdb1 /mnt/a\\040b xfs rw 0 0\n");
        Assert.Equal("/mnt/a b", t.Entries[1].Target);
        Assert.Throws<KdumpConfigException>(() => MountTable.ParseProcMounts("garbage\n"));
        Assert.Throws<KdumpConfigException>(() => MountTable.ParseMountInfo("1 2 3\n"));
    }

    [Fact]
    public void FstabParsing()
    {
        // fstab(5): blanks or tabs, comments, octal escapes; fewer than three fields is no entry (libmount).
        var t = MountTable.ParseFstab("# /etc/fstab\n  # indented comment\nUUID=ab12\t/\text4\terrors=remount-ro 0 1\n" +
            "/dev/sdb1 /mnt/a\\040b xfs\n/dev/sdc1 /x\n\nserver:/export /mnt/nfs nfs4 noauto,vers=4.2 0 0\n");
        Assert.Equal(
            [new MountEntry("UUID=ab12", "/", "ext4", "errors=remount-ro"), new MountEntry("/dev/sdb1", "/mnt/a b", "xfs", "defaults"),
             new MountEntry("server:/export", "/mnt/nfs", "nfs4", "noauto,vers=4.2")],
            t.Entries);
    }

    [Theory]
    [InlineData("rw,relatime,subvol=/@home,space_cache", "/@home")]
    [InlineData("rw,subvol=/root", "/root")]
    [InlineData("rw,relatime", null)]
    public void BtrfsSubvolOption(string options, string? subvol) => Assert.Equal(subvol, MountEntry.GetSubvolumeOption(options));

    [Theory]
    [InlineData("--omit-drivers \"cfg80211 snd\" --add-drivers \"ext2 ext3\"", new[] { "--omit-drivers", "cfg80211 snd", "--add-drivers", "ext2 ext3" })]
    [InlineData("-o 'a b' x\\ y", new[] { "-o", "a b", "x y" })]
    [InlineData("--mount \"/dev/sdb1 /mnt ext4 defaults\"", new[] { "--mount", "/dev/sdb1 /mnt ext4 defaults" })]
    [InlineData("a\"b c\"d", new[] { "ab cd" })]
    [InlineData("\"\" x", new[] { "", "x" })]
    [InlineData("", new string[0])]
    public void DracutSplit(string value, string[] argv) => Assert.Equal(argv, DracutArguments.Split(value));

    [Theory]
    [InlineData("--mount \"/dev/sdb1 /mnt ext4 defaults\"", "/dev/sdb1", "ext4")]
    [InlineData("--add-drivers x --mount '192.168.1.1:/s /mnt/t nfs4 defaults'", "192.168.1.1:/s", "nfs4")]
    [InlineData("--mount \"dev\"", "dev\"", "dev\"")]
    [InlineData("--mount", "", "")]
    public void UpstreamMountFields(string value, string target, string fsType) =>
        Assert.Equal((target, fsType), DracutArguments.UpstreamMountFields(value));

    [Fact]
    public void StructuredMount()
    {
        var m = DracutArguments.ParseMount(DracutArguments.Split("--mount \"192.168.1.1:/s /mnt/t nfs4 defaults,ro\""));
        Assert.Equal(new DracutMount("192.168.1.1:/s", "/mnt/t", "nfs4", "defaults,ro"), m);
        Assert.True(DracutArguments.MountIsNfs(m!));
        // dracut's dump and pass fields are not options.
        Assert.Equal(new DracutMount("/dev/vdb1", "/mnt/data", "xfs", "defaults"),
            DracutArguments.ParseMount(DracutArguments.Split("--mount \"/dev/vdb1 /mnt/data xfs defaults 0 2\"")));
    }

    [Theory]
    [InlineData("-o watchdog", true)]
    [InlineData("--omit \"nfs watchdog\"", true)]
    [InlineData("--omit=watchdog", true)]
    [InlineData("--om watchdog", true)]
    [InlineData("-ao watchdog", true)]
    [InlineData("--omit-drivers watchdog", false)]
    [InlineData("-- -o watchdog", false)]
    [InlineData("watchdog", false)]
    public void OmittedModule(string value, bool omitted) =>
        Assert.Equal(omitted, DracutArguments.IsModuleOmitted(DracutArguments.Split(value), "watchdog"));
}
