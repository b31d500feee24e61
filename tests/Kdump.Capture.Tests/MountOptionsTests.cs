namespace Kdump.Capture.Tests;

/// <summary>fstab options split as mount(8) does: generic ones to MS_* flags, the rest is fs data.</summary>
public sealed class MountOptionsTests
{
    public static TheoryData<string, ulong, string?> Cases => new()
    {
        { "defaults", 0UL, null },
        { "rw,relatime", 1UL << 21, null },                              // /proc/mounts of an ext4 root
        { "ro,nosuid,nodev,noexec", 1UL | 2 | 4 | 8, null },
        { "rw,relatime,errors=remount-ro", 1UL << 21, "errors=remount-ro" },
        { "ro,rw", 0UL, null },                                          // the last word wins, as in mount(8)
        { "noatime,atime", 0UL, null },
        { "defaults,nofail,x-systemd.device-timeout=0,_netdev", 0UL, null },
        { "vers=4.2,addr=10.0.2.100,sync", 16UL, "vers=4.2,addr=10.0.2.100" },
        { "subvol=/root,compress=zstd:1,lazytime", 1UL << 25, "subvol=/root,compress=zstd:1" },
        { " noatime , data=ordered ", 1024UL, "data=ordered" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generic_options_become_flags_and_the_rest_stays_data(string options, ulong flags, string? data) =>
        Assert.Equal((flags, data), MountOptions.Split(options));
}
