using Kdump.Config.Conf;
using Kdump.Initramfs.Dracut;
using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Tests;

/// <summary>mkdumprd's dracut argv (kdump-reference §6.1), without running dracut.</summary>
public sealed class DracutCommandLineTests
{
    private static IReadOnlyList<string> Build(string conf, string[] fstab, string[]? drivers = null,
        InitramfsCompression compression = InitramfsCompression.Zstd, string? kmoddir = null, bool debug = false)
    {
        var reader = KdumpConfReader.Parse(conf);
        return DracutCommandLine.Build(new DracutCommandLineInputs
        {
            Program = "dracut",
            Conf = reader,
            DracutArgs = DracutArguments.Split(reader.GetValue("dracut_args")),
            Fstab = fstab,
            Drivers = drivers ?? [],
            Compression = compression,
            ModuleDirectory = kmoddir,
            Debug = debug,
            Image = "/boot/initramfs-6.1.0-x-kdump.img",
            KernelVersion = "6.1.0-x",
        });
    }

    private static readonly string[] s_base =
    [
        "dracut", "--quiet", "--hostonly", "--hostonly-cmdline", "--hostonly-i18n", "--hostonly-mode", "strict",
        "--hostonly-nics", "", "--aggressive-strip",
    ];

    private static readonly string[] s_tail =
        ["--add", "kdump-cs", "--omit", "rdma plymouth resume ifcfg earlykdump", "-f", "/boot/initramfs-6.1.0-x-kdump.img", "6.1.0-x"];

    [Fact]
    public void Fs_target_in_upstream_order_with_our_module_and_drivers()
    {
        var argv = Build(
            "extra_modules virtio_blk\next4 LABEL=kdump\npath /\n",
            ["LABEL=kdump /kdumproot ext4 rw,relatime 0 0"],
            ["crc32c_generic", "ext4", "virtio_blk"],
            kmoddir: "/r/lib/modules/6.1.0-x");
        string[] expected =
        [
            .. s_base,
            "--add-drivers", "virtio_blk",
            "--mount", "LABEL=kdump /kdumproot ext4 rw,relatime",
            "--zstd",
            "--no-hostonly-default-device",
            "--add-drivers", "crc32c_generic ext4 virtio_blk",
            "--add", "kdump-cs", "--omit", "rdma plymouth resume ifcfg earlykdump",
            "--kmoddir", "/r/lib/modules/6.1.0-x",
            "-f", "/boot/initramfs-6.1.0-x-kdump.img", "6.1.0-x",
        ];
        Assert.Equal(expected, argv);
    }

    [Fact]
    public void Default_target_and_dump_to_rootfs_mounts_come_after_the_config_lines()
    {
        var argv = Build(
            "failure_action dump_to_rootfs\ncore_collector makedumpfile -l -d 31\n",
            ["/dev/vda2 /kdumproot/var/crash xfs rw 0 0", "/dev/vda1 /sysroot ext4 rw 0 0"],
            compression: InitramfsCompression.Gzip, debug: true);
        string[] expected =
        [
            "dracut", "--debug", .. s_base[2..],
            "--mount", "/dev/vda2 /kdumproot/var/crash xfs rw",
            "--gzip",
            "--mount", "/dev/vda1 /sysroot ext4 rw",
            "--no-hostonly-default-device",
            .. s_tail,
        ];
        Assert.Equal(expected, argv);
    }

    [Fact]
    public void Ssh_and_raw_targets_pass_sshkey_and_device()
    {
        var ssh = Build("ssh root@10.0.0.1\nsshkey /root/.ssh/other_key\n", [], compression: InitramfsCompression.None);
        Assert.Equal([.. s_base, "--sshkey", "/root/.ssh/other_key", "--no-compress", "--no-hostonly-default-device", .. s_tail], ssh);
        var raw = Build("raw UUID=1234\n", []);
        Assert.Equal([.. s_base, "--device", "/dev/disk/by-uuid/1234", "--zstd", "--no-hostonly-default-device", .. s_tail], raw);
    }

    [Fact]
    public void Dracut_args_words_go_in_as_argv_and_their_mount_and_compression_win()
    {
        // The value is split like xargs: quotes group, nothing is evaluated ($HOME stays literal).
        var argv = Build(
            "dracut_args --mount \"server:/export /kdumproot nfs defaults\" --xz --install '$HOME/x'\n",
            ["server:/export /kdumproot nfs defaults 0 0"]);
        string[] expected =
        [
            .. s_base,
            "--add-drivers", "nfs_layout_nfsv41_files",
            "--mount", "server:/export /kdumproot nfs defaults", "--xz", "--install", "$HOME/x",
            "--no-hostonly-default-device",
            .. s_tail,
        ];
        Assert.Equal(expected, argv);
    }
}
