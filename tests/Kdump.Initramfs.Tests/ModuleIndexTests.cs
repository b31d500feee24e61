using Kdump.Initramfs.Modules;

namespace Kdump.Initramfs.Tests;

public sealed class ModuleIndexTests
{
    // The ext4/virtio lines of Debian 12's modules.dep, modules.softdep and modules.alias (6.1.0-56-amd64).
    private const string Dep = """
        kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
        kernel/fs/jbd2/jbd2.ko:
        kernel/fs/mbcache.ko:
        kernel/lib/crc16.ko:
        kernel/crypto/crc32c_generic.ko:
        kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
        kernel/drivers/virtio/virtio.ko:
        kernel/drivers/virtio/virtio_ring.ko:
        kernel/drivers/watchdog/i6300esb.ko:
        """;
    private const string Softdep = "softdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c\n";
    private const string Alias = "alias crypto-crc32c crc32c_generic\nalias pci:v00008086d000025ABsv*sd*bc*sc*i* i6300esb\n";
    private const string Builtin = "kernel/drivers/virtio/virtio_pci.ko\n";

    [Fact]
    public void Load_order_puts_softdeps_and_dependencies_first_each_once()
    {
        var index = ModuleIndex.Parse(Dep, Builtin, Softdep, Alias);
        var order = index.ResolveLoadOrder(["ext4", "virtio-blk", "virtio_pci", "nosuch"], out var missing);
        Assert.Equal(["crc32c_generic", "jbd2", "mbcache", "crc16", "ext4", "virtio_ring", "virtio", "virtio_blk"], order.Select(m => m.Name));
        Assert.Equal(["nosuch"], missing);
    }

    [Fact]
    public void A_cycle_in_modules_dep_is_an_error_not_a_hang()
    {
        var index = ModuleIndex.Parse("a.ko: b.ko\nb.ko: a.ko\n", "", "", "");
        var order = index.ResolveLoadOrder(["a"], out _);
        Assert.Equal(["b", "a"], order.Select(m => m.Name)); // visited once each: the cycle stops at the seen set
    }

    [Theory]
    [InlineData("kernel/fs/ext4/ext4.ko.xz", "kernel/fs/ext4/ext4.ko")]
    [InlineData("kernel/fs/ext4/ext4.ko.zst", "kernel/fs/ext4/ext4.ko")]
    [InlineData("kernel/fs/ext4/ext4.ko", "kernel/fs/ext4/ext4.ko")]
    public void Compressed_modules_get_plain_names(string path, string plain) => Assert.Equal(plain, ModuleDecompressor.PlainPath(path));
}
