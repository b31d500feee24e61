using Kdump.Control.Testing;
using Kdump.Control.Host;
using Kdump.Linux.Testing;

namespace Kdump.Control.Tests;

/// <summary>
/// kdump.conf through kdumpctl: valid configs of every target type reach the rebuild (mkdumprd
/// argv), invalid ones stop with the strict reader's upstream message and nothing is loaded or written.
/// </summary>
public sealed class KdumpctlConfigTests
{
    public static TheoryData<string> ValidConfigs => new()
    {
        "raw /dev/vdb",
        "ext2 /dev/sdb1",
        "ext3 LABEL=/boot",
        "ext4 UUID=03138356-5e61-4ab3-b58e-27507ac41937",
        "xfs PARTUUID=1234-01",
        "btrfs PARTLABEL=dump",
        "minix /dev/sdc",
        "virtiofs myfs",
        "nfs my.server.com:/export/tmp",
        "nfs [2001:db8::1:2:3:4]:/export/tmp",
        "ssh user@my.server.com\nsshkey /root/.ssh/kdump_id_rsa",
        "dracut_args --mount \"192.168.1.1:/share /mnt/test nfs4 defaults\"",
        "path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\nfailure_action shell\nfinal_action poweroff",
    };

    [Theory]
    [MemberData(nameof(ValidConfigs))]
    public void Valid_config_rebuilds_and_loads(string conf)
    {
        using var tree = new RootTree();
        // start's save_raw refuses a raw target that is not a block device, as upstream does.
        if (conf.StartsWith("raw ", StringComparison.Ordinal)) tree.AddVirtioDisk("vdb", 254, 16, "0000:00:05.0", "virtio3");
        tree.Write("/etc/kdump.conf", conf + "\nforce_rebuild 1\n", RootTree.Old);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("kdump: Force rebuild /boot/initramfs-6.1.0-testkdump.img\n", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("/sbin/mkdumprd --root $ROOT -f /boot/initramfs-6.1.0-testkdump.img 6.1.0-test", run.Runs);
        Assert.Contains("kdump: Starting kdump: [OK]\n", run.Stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> InvalidConfigs => new()
    {
        { "blabla 1", "Invalid kdump config option blabla" },
        { "path /a\nPath /b", "Invalid kdump config option Path" },
        { "net user@host", "Deprecated kdump config option: net. Refer to kdump.conf manpage for alternatives." },
        { "options mod opt=1", "Deprecated kdump config option: options. Refer to kdump.conf manpage for alternatives." },
        { "link_delay 10", "Deprecated kdump config option: link_delay. Refer to kdump.conf manpage for alternatives." },
        { "disk_timeout 10", "Deprecated kdump config option: disk_timeout. Refer to kdump.conf manpage for alternatives." },
        { "debug_mem_level 1", "Deprecated kdump config option: debug_mem_level. Refer to kdump.conf manpage for alternatives." },
        { "blacklist mod", "Deprecated kdump config option: blacklist. Refer to kdump.conf manpage for alternatives." },
        { "path", "Invalid kdump config value for option 'path'" },
        { "path \"\"", "Invalid kdump config value for option 'path'" },
        { "core_collector # only a comment", "Invalid kdump config value for option 'core_collector'" },
        { "ext4", "Invalid kdump config value for option '_target'" },
        { "sshkey", "Invalid kdump config value for option 'sshkey'" },
        { "ext4 /dev/sda1\nxfs /dev/sdb1", "More than one dump targets specified" },
        { "nfs a:/b\ndracut_args --mount \"a:/b /mnt nfs defaults\"", "More than one dump targets specified" },
        { "path /a\npath /b", "Duplicated kdump config value of option path" },
        { "extra_bins /a\nextra_bins /b", "Duplicated kdump config value of option extra_bins" },
        { "dracut_args --mount \"a /m ext4 d\" --mount \"b /n ext4 d\"", "Multiple mount targets specified in one \"dracut_args\"." },
        { "failure_action explode", "Usage kdump.conf: failure_action {reboot|halt|poweroff|shell|dump_to_rootfs}" },
        { "final_action shell", "Usage kdump.conf: final_action {reboot|halt|poweroff}" },
        { "fence_kdump_nodes node2 node1", "Option fence_kdump_nodes cannot contain node1" },
        { "ssh my.server.com", "Please verify that /etc/kdump.conf contains 'ssh <user>@<host>' and that it is properly formatted." },
        { "dracut_args --add-drivers \"ext2 ext3", "xargs: unmatched double quote; by default quotes are special to xargs unless you use the -0 option" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_config_fails_start_with_the_upstream_message(string conf, string message)
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", conf + "\n", RootTree.Old);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.EndsWith($"kdump: {message}\nkdump: Starting kdump: [FAILED]\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Syscalls);
        Assert.Empty(run.Runs);
        Assert.Empty(run.ChangedFiles);
    }

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_config_fails_rebuild_without_running_mkdumprd(string conf, string message)
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", conf + "\n", RootTree.Old);
        var run = KdumpctlRun.Invoke(tree, "rebuild");
        Assert.EndsWith($"kdump: {message}\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Runs);
    }

    [Theory]
    [InlineData("force_rebuild 2", "Error: force_rebuild value is invalid")]
    [InlineData("force_no_rebuild yes", "Error: force_no_rebuild value is invalid")]
    [InlineData("force_rebuild 1\nforce_no_rebuild 1", "Error: force_rebuild and force_no_rebuild are enabled simultaneously in kdump.conf")]
    public void Invalid_force_flags_fail_the_rebuild_decision(string conf, string message)
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", conf + "\n", RootTree.Old);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.EndsWith($"kdump: {message}\nkdump: Starting kdump: [FAILED]\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }

    [Fact]
    public void Unsupported_kexec_args_are_refused_not_dropped()
    {
        using var tree = new RootTree();
        tree.Write("/etc/sysconfig/kdump", "KEXEC_ARGS=\"-s --elf32-core-headers\"\n");
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Contains("kdump: KEXEC_ARGS option --elf32-core-headers is not supported by this kdumpctl\n", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Syscalls);
    }

    [Fact]
    public void Ssh_target_probe_classifies_failures()
    {
        using var tree = new RootTree();
        tree.Write("/etc/kdump.conf", "ssh user@dump.example\nforce_no_rebuild 1\n", RootTree.Old);
        var denied = new RecordingProcessRunner().On(["ssh"], new ProcessResult(255, "", "user@dump.example: Permission denied (publickey).\n"));
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), denied, "", "start");
        Assert.Equal(
            "kdump: Could not create user@dump.example:/var/crash/, you probably need to run \"kdumpctl propagate\"\n" +
            "kdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(["ssh -i $ROOT/root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$ROOT/root/.ssh/known_hosts user@dump.example mkdir -p /var/crash/"], run.Runs);

        var unreachable = new RecordingProcessRunner().On(["ssh"], new ProcessResult(255, "", "connect: No route to host\n"));
        run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), unreachable, "", "start");
        Assert.Equal(
            "kdump: Network dump target is not usable, waiting for it to be ready...\n" +
            "kdump: Could not create user@dump.example:/var/crash/, ipaddr is not ready yet. You should check network connection\n" +
            "kdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(181, run.Runs.Count);

        run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal(0, run.ExitCode);
    }
}
