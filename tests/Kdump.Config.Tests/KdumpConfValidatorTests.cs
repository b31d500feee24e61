using Kdump.Config.Conf;
using Kdump.Config.Messages;

namespace Kdump.Config.Tests;

/// <summary>kdumpctl parse_config (fact sheet §1.3): valid configs of every target, ≥ 20 invalid ones.</summary>
public class KdumpConfValidatorTests
{
    private static readonly KdumpConfValidationContext s_context = new()
    {
        Hostname = "node1",
        HostAddresses = ["192.168.1.10", "fe80::1"],
        FileExists = p => p == "/root/.ssh/other_key",
    };

    private static KdumpConfValidation Validate(string text) =>
        KdumpConfValidator.Validate(KdumpConfReader.Parse(text), s_context);

    public static TheoryData<string, DumpTargetKind, string, string> ValidTargets => new()
    {
        { "raw /dev/vg/lv_kdump", DumpTargetKind.Raw, "raw", "/dev/vg/lv_kdump" },
        { "ext2 /dev/sdb1", DumpTargetKind.Ext2, "ext2", "/dev/sdb1" },
        { "ext3 LABEL=/boot", DumpTargetKind.Ext3, "ext3", "LABEL=/boot" },
        { "ext4 UUID=03138356-5e61-4ab3-b58e-27507ac41937", DumpTargetKind.Ext4, "ext4", "UUID=03138356-5e61-4ab3-b58e-27507ac41937" },
        { "xfs PARTUUID=1234-01", DumpTargetKind.Xfs, "xfs", "PARTUUID=1234-01" },
        { "btrfs PARTLABEL=dump", DumpTargetKind.Btrfs, "btrfs", "PARTLABEL=dump" },
        { "minix /dev/sdc", DumpTargetKind.Minix, "minix", "/dev/sdc" },
        { "virtiofs myfs", DumpTargetKind.Virtiofs, "virtiofs", "myfs" },
        { "nfs my.server.com:/export/tmp", DumpTargetKind.Nfs, "nfs", "my.server.com:/export/tmp" },
        { "nfs [2001:db8::1:2:3:4]:/export/tmp", DumpTargetKind.Nfs, "nfs", "[2001:db8::1:2:3:4]:/export/tmp" },
        { "ssh user@my.server.com", DumpTargetKind.Ssh, "ssh", "user@my.server.com" },
        { "ssh user@2001:db8::1:2:3:4", DumpTargetKind.Ssh, "ssh", "user@2001:db8::1:2:3:4" },
        { "dracut_args --mount \"192.168.1.1:/share /mnt/test nfs4 defaults\"", DumpTargetKind.DracutMount, "nfs4", "192.168.1.1:/share" },
    };

    [Theory]
    [MemberData(nameof(ValidTargets))]
    public void ValidTarget(string line, DumpTargetKind kind, string fsType, string value)
    {
        var r = Validate("auto_reset_crashkernel yes\npath /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n" + line + "\n");
        Assert.True(r.Succeeded, string.Join("\n", r.Messages));
        Assert.Equal(new DumpTarget(kind, fsType, value), r.Config!.Target);
        Assert.Equal(fsType, r.Config.Options["_fstype"]);
    }

    [Fact]
    public void ShippedTemplateIsValidWithDefaults()
    {
        var r = Validate("auto_reset_crashkernel yes\npath /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n");
        Assert.True(r.Succeeded);
        var c = r.Config!;
        Assert.Null(c.Target);
        Assert.True(c.IsDefaultTarget);
        Assert.Equal("/var/crash", c.Path);
        Assert.Equal("/root/.ssh/kdump_id_rsa", c.SshKey);
        Assert.Equal("makedumpfile", c.CoreCollectorProgram);
        Assert.True(c.ShouldAutoResetCrashkernel);
        Assert.Empty(r.Messages);
    }

    [Fact]
    public void EmptyConfigGetsDefaultPathAndKey()
    {
        var c = Validate("").Config!;
        Assert.Equal("/var/crash/", c.Path);
        Assert.Equal("/root/.ssh/kdump_id_rsa", c.SshKey);
    }

    [Fact]
    public void EveryOtherDirectiveIsTyped()
    {
        var r = Validate("""
            kdump_pre /var/crash/scripts/kdump-pre.sh
            kdump_post /var/crash/scripts/kdump-post.sh
            kdump_emergency /bin/em
            extra_bins /usr/bin/lftp /usr/bin/ls
            extra_modules gfs2 nfs
            failure_action dump_to_rootfs
            final_action poweroff
            force_rebuild 1
            force_no_rebuild 0
            dracut_args --omit-drivers "cfg80211 snd" --add-drivers "ext2 ext3" -o watchdog
            fence_kdump_args -p 7410 -f auto -c 0 -i 10
            fence_kdump_nodes node2 node3
            auto_reset_crashkernel no
            sshkey /root/.ssh/other_key
            """);
        Assert.True(r.Succeeded, string.Join("\n", r.Messages));
        var c = r.Config!;
        Assert.Equal("/var/crash/scripts/kdump-pre.sh", c.KdumpPre);
        Assert.Equal("/var/crash/scripts/kdump-post.sh", c.KdumpPost);
        Assert.Equal("/bin/em", c.KdumpEmergency);
        Assert.Equal(["/usr/bin/lftp", "/usr/bin/ls"], c.ExtraBins);
        Assert.Equal(["gfs2", "nfs"], c.ExtraModules);
        Assert.Equal(KdumpAction.DumpToRootfs, c.FailureAction);
        Assert.Equal(KdumpAction.Poweroff, c.FinalAction);
        Assert.Equal("1", c.ForceRebuild);
        Assert.Equal("0", c.ForceNoRebuild);
        Assert.Equal(["--omit-drivers", "cfg80211 snd", "--add-drivers", "ext2 ext3", "-o", "watchdog"], c.DracutArgv);
        Assert.True(DracutArguments.IsModuleOmitted(c.DracutArgv, "watchdog"));
        Assert.Equal("-p 7410 -f auto -c 0 -i 10", c.FenceKdumpArgs);
        Assert.Equal(["node2", "node3"], c.FenceKdumpNodes);
        Assert.False(c.ShouldAutoResetCrashkernel);
        Assert.Equal("/root/.ssh/other_key", c.SshKey);
    }

    [Fact]
    public void DeprecatedDefaultWarnsTwiceAndSetsFailureAction()
    {
        var r = Validate("default shell\n");
        Assert.True(r.Succeeded);
        Assert.Equal(KdumpAction.Shell, r.Config!.FailureAction);
        Assert.Equal(
            [
                "kdump: Option 'default' was renamed 'failure_action' and will be removed in the future.",
                "kdump: Please update /etc/kdump.conf to use option 'failure_action' instead.",
            ],
            r.Messages.Select(m => m.ToConsoleLine()));
        Assert.All(r.Messages, m => Assert.Equal(KdumpLogLevel.Warning, m.Level));
    }

    [Fact]
    public void MissingSshKeyWarnsAndFallsBack()
    {
        var r = Validate("sshkey /nonexistent\n");
        Assert.True(r.Succeeded);
        Assert.Equal("/root/.ssh/kdump_id_rsa", r.Config!.SshKey);
        Assert.Equal("kdump: '/nonexistent' doesn't exist, using default value '/root/.ssh/kdump_id_rsa'", r.Messages.Single().ToConsoleLine());
    }

    [Fact]
    public void RawOnOpalWarns()
    {
        var r = KdumpConfValidator.Validate(KdumpConfReader.Parse("raw /dev/sda3"), s_context with { OpalDumpPresent = true });
        Assert.True(r.Succeeded);
        Assert.Equal("Won't capture opalcore when 'raw' dump target is used.", r.Messages.Single().Text);
    }

    public static TheoryData<string, string, int?> Invalid => new()
    {
        { "blabla 1", "Invalid kdump config option blabla", 1 },
        { "path /a\nPath /b", "Invalid kdump config option Path", 2 },
        { "net user@host", "Deprecated kdump config option: net. Refer to kdump.conf manpage for alternatives.", 1 },
        { "options mod opt=1", "Deprecated kdump config option: options. Refer to kdump.conf manpage for alternatives.", 1 },
        { "link_delay 10", "Deprecated kdump config option: link_delay. Refer to kdump.conf manpage for alternatives.", 1 },
        { "disk_timeout 10", "Deprecated kdump config option: disk_timeout. Refer to kdump.conf manpage for alternatives.", 1 },
        { "debug_mem_level 1", "Deprecated kdump config option: debug_mem_level. Refer to kdump.conf manpage for alternatives.", 1 },
        { "blacklist mod", "Deprecated kdump config option: blacklist. Refer to kdump.conf manpage for alternatives.", 1 },
        { "path", "Invalid kdump config value for option 'path'", 1 },
        { "path \"\"", "Invalid kdump config value for option 'path'", 1 },
        { "core_collector # only a comment", "Invalid kdump config value for option 'core_collector'", 1 },
        { "ext4", "Invalid kdump config value for option '_target'", 1 },
        { "sshkey", "Invalid kdump config value for option 'sshkey'", 1 },
        { "default", "Invalid kdump config value for option 'failure_action'", 1 },
        { "ext4 /dev/sda1\nxfs /dev/sdb1", "More than one dump targets specified", 2 },
        { "ext4 /dev/sda1\next4 /dev/sdb1", "More than one dump targets specified", 2 },
        { "nfs a:/b\ndracut_args --mount \"a:/b /mnt nfs defaults\"", "More than one dump targets specified", 2 },
        { "path /a\npath /b", "Duplicated kdump config value of option path", 2 },
        { "extra_bins /a\nextra_bins /b", "Duplicated kdump config value of option extra_bins", 2 },
        { "failure_action shell\ndefault reboot", "Duplicated kdump config value of option failure_action", 2 },
        { "dracut_args --mount \"a /m ext4 d\" --mount \"b /n ext4 d\"", "Multiple mount targets specified in one \"dracut_args\".", 1 },
        { "dracut_args --mount", "Invalid kdump config value for option '_fstype'", 1 },
        { "failure_action explode", "Usage kdump.conf: failure_action {reboot|halt|poweroff|shell|dump_to_rootfs}", 1 },
        { "default explode", "Usage kdump.conf: failure_action {reboot|halt|poweroff|shell|dump_to_rootfs}", 1 },
        { "final_action shell", "Usage kdump.conf: final_action {reboot|halt|poweroff}", 1 },
        { "fence_kdump_nodes node2 node1", "Option fence_kdump_nodes cannot contain node1", 1 },
        { "fence_kdump_nodes 192.168.1.10", "Option fence_kdump_nodes cannot contain 192.168.1.10", 1 },
        { "ssh my.server.com", "Please verify that /etc/kdump.conf contains 'ssh <user>@<host>' and that it is properly formatted.", 1 },
        { "dracut_args --add-drivers \"ext2 ext3", "xargs: unmatched double quote; by default quotes are special to xargs unless you use the -0 option", 1 },
        { "dracut_args --add-drivers 'ext2", "xargs: unmatched single quote; by default quotes are special to xargs unless you use the -0 option", 1 },
        // Would reach ssh as an option, not a destination.
        { "ssh -oProxyCommand=sh@host", "Invalid ssh destination -oProxyCommand=sh@host provided.", 1 },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidConfigGivesUpstreamMessage(string text, string message, int? line)
    {
        var r = Validate(text);
        Assert.False(r.Succeeded);
        Assert.Equal(message, r.Error!.Text);
        Assert.Equal(line, r.Error.Line);
        Assert.Equal("kdump: " + message, r.Error.ToConsoleLine());
    }

    [Fact]
    public void SshHostAliasIsRejected()
    {
        var context = s_context with { SshHostname = _ => "real.host.example" };
        var r = KdumpConfValidator.Validate(KdumpConfReader.Parse("ssh root@alias"), context);
        Assert.Equal("Invalid ssh destination root@alias provided.", r.Error!.Text);
    }

    [Fact]
    public void FirstErrorStopsParsingButKeepsEarlierWarnings()
    {
        var r = Validate("default shell\nbogus 1\npath /a");
        Assert.Equal(3, r.Messages.Count);
        Assert.Equal("Invalid kdump config option bogus", r.Messages[^1].Text);
    }

    [Fact]
    public void QuotedValueIsTrimmedAgainAsKdumpctlRereadsIt()
    {
        var r = Validate("path \"  /x  \"");
        Assert.Equal("/x", r.Config!.Path);
    }

    [Theory]
    [InlineData("user@host.example", "user", "host.example")]
    [InlineData("user@2001:db8::1", "user", "2001:db8::1")]
    public void SshTargetParts(string value, string user, string host)
    {
        var t = new DumpTarget(DumpTargetKind.Ssh, "ssh", value);
        Assert.Equal(user, t.SshUser);
        Assert.Equal(host, t.RemoteHost);
    }

    [Theory]
    [InlineData("my.server.com:/export/tmp", "my.server.com", "/export/tmp")]
    [InlineData("[2001:db8::1:2:3:4]:/export/tmp", "2001:db8::1:2:3:4", "/export/tmp")]
    public void NfsTargetParts(string value, string host, string export)
    {
        var t = new DumpTarget(DumpTargetKind.Nfs, "nfs", value);
        Assert.Equal(host, t.RemoteHost);
        Assert.Equal(export, t.NfsExport);
    }

    [Theory]
    [InlineData("UUID=abc", DeviceSpecKind.Uuid, "abc", "/dev/disk/by-uuid/abc")]
    [InlineData("UUID=\"abc\"", DeviceSpecKind.Uuid, "abc", "/dev/disk/by-uuid/abc")]
    [InlineData("LABEL=/boot", DeviceSpecKind.Label, "/boot", "/dev/disk/by-label//boot")]
    [InlineData("PARTUUID=1-2", DeviceSpecKind.PartUuid, "1-2", "/dev/disk/by-partuuid/1-2")]
    [InlineData("PARTLABEL=x", DeviceSpecKind.PartLabel, "x", "/dev/disk/by-partlabel/x")]
    [InlineData("/dev/vda2", DeviceSpecKind.Path, "/dev/vda2", "/dev/vda2")]
    public void DeviceSpecs(string text, DeviceSpecKind kind, string value, string devicePath)
    {
        var d = DeviceSpec.Parse(text);
        Assert.Equal(kind, d.Kind);
        Assert.Equal(value, d.Value);
        Assert.Equal(devicePath, d.ToDevicePath());
    }
}
