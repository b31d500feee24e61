using Kdump.Config.IO;

namespace Kdump.Config.Tests;

/// <summary>
/// SystemPath.Canonicalize, the one link walk behind mkdumprd's RootedPath.Resolve (readlink -e)
/// and kdumpctl's BlockDevices.Canonicalize (readlink -m). Links are a table here; the answers are
/// what GNU readlink gives for the same tree (checked by hand with coreutils 9.1).
/// </summary>
public class SystemPathTests
{
    // A sysfs-like tree: relative targets with "..", an absolute one, a chain and a loop.
    private static readonly Dictionary<string, string> s_links = new(StringComparer.Ordinal)
    {
        ["/sys/class/block/sda1"] = "../../devices/pci0/host0/block/sda/sda1",
        ["/dev/disk/by-uuid/1234"] = "../../sda1",
        ["/lib64"] = "usr/lib64",
        ["/usr/lib64/ld.so"] = "/usr/lib/x86_64-linux-gnu/ld-2.36.so",
        ["/a"] = "b",
        ["/b"] = "a",
    };

    private static readonly HashSet<string> s_existing = new(StringComparer.Ordinal)
    {
        "/sys", "/sys/class", "/sys/class/block", "/sys/devices", "/sys/devices/pci0", "/sys/devices/pci0/host0",
        "/sys/devices/pci0/host0/block", "/sys/devices/pci0/host0/block/sda", "/sys/devices/pci0/host0/block/sda/sda1",
        "/dev", "/dev/disk", "/dev/disk/by-uuid", "/usr", "/usr/lib64", "/usr/lib", "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/x86_64-linux-gnu/ld-2.36.so",
    };

    private static string? ReadLink(string path) => s_links.GetValueOrDefault(path);

    [Theory]
    [InlineData("/sys/class/block/sda1", "/sys/devices/pci0/host0/block/sda/sda1")]
    [InlineData("/sys/class/block/sda1/../dev", "/sys/devices/pci0/host0/block/sda/dev")] // ".." after the link, not before
    [InlineData("/dev/disk/by-uuid/1234", "/dev/sda1")]                                 // a missing target is kept (-m)
    [InlineData("//lib64/./ld.so", "/usr/lib/x86_64-linux-gnu/ld-2.36.so")]              // a directory link, then an absolute one
    [InlineData("/", "/")]
    public void Follows_every_component_as_readlink_m(string path, string expected) =>
        Assert.Equal(expected, SystemPath.Canonicalize(path, ReadLink));

    [Theory]
    [InlineData("/lib64/ld.so", "/usr/lib/x86_64-linux-gnu/ld-2.36.so")]
    [InlineData("/dev/disk/by-uuid/1234", null)]                       // dangling: readlink -e fails
    [InlineData("/usr/lib64/missing/..", null)]                        // a missing component even before ".."
    public void With_an_existence_test_a_missing_component_is_null_as_readlink_e(string path, string? expected) =>
        Assert.Equal(expected, SystemPath.Canonicalize(path, ReadLink, s_existing.Contains));

    [Fact]
    public void A_link_loop_is_null_after_the_kernels_40_links() =>
        Assert.Null(SystemPath.Canonicalize("/a/x", ReadLink));
}
