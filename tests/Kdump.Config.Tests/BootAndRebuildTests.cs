using Kdump.Config.Boot;
using Kdump.Config.Conf;
using Kdump.Config.IO;
using Kdump.Config.Rebuild;
using Kdump.Tests.Shared;

namespace Kdump.Config.Tests;

/// <summary>reset-crashkernel planning and application (§3.8), the rebuild decision (§3.4).</summary>
public sealed class BootAndRebuildTests : IDisposable
{
    private readonly ScratchDir _dir = Lab.Scratch("kdump-config");
    private readonly DirectoryRootFileSystem _root;

    public BootAndRebuildTests() => _root = new DirectoryRootFileSystem(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private void Write(string systemPath, string text)
    {
        var host = _root.HostPath(systemPath);
        Directory.CreateDirectory(Path.GetDirectoryName(host)!);
        File.WriteAllText(host, text);
    }

    private string Read(string systemPath) => File.ReadAllText(_root.HostPath(systemPath));

    private const string Entry615 = """
        title Fedora (5.15.6-100.fc34.x86_64) 34
        version 5.15.6-100.fc34.x86_64
        linux /vmlinuz-5.15.6-100.fc34.x86_64
        initrd /initramfs-5.15.6-100.fc34.x86_64.img
        options root=UUID=45fd ro rhgb quiet crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M
        grub_class fedora

        """;

    private const string Entry514 = """
        title Fedora (5.14.14-200.fc34.x86_64) 34
        version 5.14.14-200.fc34.x86_64
        linux /vmlinuz-5.14.14-200.fc34.x86_64
        options root=UUID=45fd ro crashkernel=2G-64G:256M,64G-:512M

        """;

    private void WriteBls()
    {
        Write("/boot/loader/entries/e98-5.15.6-100.fc34.x86_64.conf", Entry615);
        Write("/boot/loader/entries/e98-5.14.14-200.fc34.x86_64.conf", Entry514);
    }

    private static ResetCrashkernelRequest Request(string? kernel = null, string version = "5.15.6-100.fc34.x86_64", string? grubby = null, ulong gib = 8) =>
        new("2G-64G:256M,64G-:512M", kernel, version, grubby, gib);

    [Fact]
    public void GrubbyPlanIsTheArgvKdumpctlRuns()
    {
        const string info = "index=0\nkernel=\"/boot/vmlinuz-5.15.6-100.fc34.x86_64\"\nargs=\"ro crashkernel=1G-4G:192M\"\nroot=\"UUID=1\"\nindex=1\nkernel=\"/boot/vmlinuz-5.14.14-200.fc34.x86_64\"\nargs=\"ro crashkernel=2G-64G:256M,64G-:512M\"\n";
        var plan = ResetCrashkernelPlanner.Plan(_root, Request(kernel: "ALL", grubby: info));
        Assert.Equal(BootloaderKind.Grubby, plan.Kind);
        Assert.Equal([["grubby", "--update-kernel", "0", "--args", "crashkernel=2G-64G:256M,64G-:512M"]], plan.Commands);
        Assert.Empty(plan.Edits);
        Assert.Equal(
            [
                "Updated crashkernel=2G-64G:256M,64G-:512M for kernel=/boot/vmlinuz-5.15.6-100.fc34.x86_64, grub entry index=0.",
                "Please reboot the system for the change to take effect.",
                "No need to update crashkernel value for kernel=/boot/vmlinuz-5.14.14-200.fc34.x86_64, grub entry index=1",
            ],
            plan.Messages.Select(m => m.Text));
    }

    [Fact]
    public void BlsOptionsLineIsEditedAndNothingElse()
    {
        WriteBls();
        var plan = ResetCrashkernelPlanner.Plan(_root, Request());
        Assert.Equal(BootloaderKind.BlsEntries, plan.Kind);
        Assert.Equal(["/boot/loader/entries/e98-5.15.6-100.fc34.x86_64.conf"], plan.ChangedFiles);
        plan.Apply(_root);
        Assert.Equal(Entry615.Replace("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M", "crashkernel=2G-64G:256M,64G-:512M", StringComparison.Ordinal),
            Read("/boot/loader/entries/e98-5.15.6-100.fc34.x86_64.conf"));
        Assert.Equal(Entry514, Read("/boot/loader/entries/e98-5.14.14-200.fc34.x86_64.conf"));
        Assert.Empty(Directory.GetFiles(_root.HostPath("/boot/loader/entries"), "*.tmp"));
    }

    [Fact]
    public void BlsAllAppendsWhereMissingAndWarnsOnSmallMemory()
    {
        Write("/boot/loader/entries/a-6.1.conf", "linux /vmlinuz-6.1\noptions ro\n");
        Write("/boot/loader/entries/b-6.2.conf", "linux /vmlinuz-6.2\n");
        var plan = ResetCrashkernelPlanner.Plan(_root, Request(kernel: "ALL", gib: 1));
        plan.Apply(_root);
        Assert.Equal("linux /vmlinuz-6.1\noptions ro crashkernel=2G-64G:256M,64G-:512M\n", Read("/boot/loader/entries/a-6.1.conf"));
        Assert.Equal("linux /vmlinuz-6.2\noptions crashkernel=2G-64G:256M,64G-:512M\n", Read("/boot/loader/entries/b-6.2.conf"));
        Assert.Contains(plan.Messages, m => m.Text == "No memory will be reserved for crash kernel for this system because the system memory is smaller than the requirement. kdump requires more than 2GB memory.");
        // b-6.2 sorts first (newest version first).
        Assert.Equal("Updated crashkernel=2G-64G:256M,64G-:512M for kernel=/vmlinuz-6.2, grub entry index=0.", plan.Messages[0].Text);
    }

    [Fact]
    public void BlsUnknownKernel()
    {
        WriteBls();
        Assert.Equal("no kernel for version 9.9 found",
            Assert.Throws<KdumpConfigException>(() => ResetCrashkernelPlanner.Plan(_root, Request(version: "9.9"))).Message);
        Assert.Equal("Invalid --kernel=/boot/nope, please specify a valid kernel path, ALL or DEFAULT",
            Assert.Throws<KdumpConfigException>(() => ResetCrashkernelPlanner.Plan(_root, Request(kernel: "/boot/nope"))).Message);
    }

    [Fact]
    public void DefaultGrubFallback()
    {
        Write("/etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX='console=ttyS0 crashkernel=384M-:128M'\n# end\n");
        var plan = ResetCrashkernelPlanner.Plan(_root, Request(kernel: "ALL"));
        Assert.Equal(BootloaderKind.DefaultGrub, plan.Kind);
        Assert.Equal([["update-grub"]], plan.Commands);
        plan.Apply(_root);
        Assert.Equal("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"console=ttyS0 crashkernel=2G-64G:256M,64G-:512M\"\n# end\n", Read("/etc/default/grub"));
        var again = ResetCrashkernelPlanner.Plan(_root, Request(kernel: "ALL"));
        Assert.False(again.HasChanges);
    }

    [Fact]
    public void DefaultGrubWithoutVariableGetsOne()
    {
        Write("/etc/default/grub", "GRUB_DEFAULT=0");
        ResetCrashkernelPlanner.Plan(_root, Request()).Apply(_root);
        Assert.Equal("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"crashkernel=2G-64G:256M,64G-:512M\"\n", Read("/etc/default/grub"));
    }

    [Fact]
    public void DefaultGrubNeedingAShellIsRefused()
    {
        Write("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"$(cat /x)\"\n");
        Assert.Throws<KdumpConfigException>(() => ResetCrashkernelPlanner.Plan(_root, Request()));
    }

    [Fact]
    public void NothingToEditIsUpstreamsError() =>
        Assert.Equal("Unable to update kernel command line",
            Assert.Throws<KdumpConfigException>(() => ResetCrashkernelPlanner.Plan(_root, Request())).Message);

    [Fact]
    public void FailedApplyLeavesEveryFileAsItWas()
    {
        WriteBls();
        var a = "/boot/loader/entries/e98-5.15.6-100.fc34.x86_64.conf";
        var b = "/boot/loader/entries/e98-5.14.14-200.fc34.x86_64.conf";
        Directory.CreateDirectory(_root.HostPath("/boot/loader/entries/zz-dir.conf"));
        var edits = new[]
        {
            new FileReplacement(a, "new a"),
            new FileReplacement(b, "new b"),
            new FileReplacement("/boot/loader/entries/zz-dir.conf", "cannot replace a directory"),
        };
        Assert.Throws<KdumpConfigException>(() => _root.ReplaceFilesAtomically(edits));
        Assert.Equal(Entry615, Read(a));
        Assert.Equal(Entry514, Read(b));
        Assert.Empty(Directory.GetFiles(_root.HostPath("/boot/loader/entries"), "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("ro quiet", "crashkernel", "256M", "ro quiet crashkernel=256M")]
    [InlineData("crashkernel=1G ro crashkernel=2G", "crashkernel", "256M", "crashkernel=256M ro")]
    [InlineData("ro crashkernel=1G", "crashkernel", null, "ro")]
    [InlineData("  ro   quiet ", "x", "1", "ro quiet x=1")]
    public void KernelArgEdits(string args, string name, string? value, string expected) =>
        Assert.Equal(expected, KernelArgs.Set(args, name, value));

    private static RebuildInputs Inputs(string? force = null, string? noForce = null, long? initrd = 100, params FileFacts[] files) =>
        new(force, noForce, "/boot/initramfs-6.1kdump.img", initrd, files, []);

    public static TheoryData<RebuildInputs, RebuildVerdict, string[]> Decisions => new()
    {
        { Inputs(noForce: "1"), RebuildVerdict.UpToDate, [] },
        { Inputs(noForce: "yes"), RebuildVerdict.Error, ["Error: force_no_rebuild value is invalid"] },
        { Inputs(force: "2"), RebuildVerdict.Error, ["Error: force_rebuild value is invalid"] },
        { Inputs(force: "1", noForce: "1"), RebuildVerdict.Error, ["Error: force_rebuild and force_no_rebuild are enabled simultaneously in kdump.conf"] },
        { Inputs(force: "1"), RebuildVerdict.Rebuild, ["Force rebuild /boot/initramfs-6.1kdump.img"] },
        { Inputs(initrd: null), RebuildVerdict.Rebuild, ["No kdump initial ramdisk found."] },
        { Inputs(files: [new("/etc/kdump.conf", true, 100)]), RebuildVerdict.UpToDate, [] },
        { Inputs(files: [new("/etc/kdump.conf", true, 101), new("/boot/vmlinuz-6.1", true, 50)]), RebuildVerdict.Rebuild,
          ["Detected change(s) in the following file(s):  /etc/kdump.conf"] },
        { Inputs(files: [new("/usr/sbin/mkd", true, 10, LinkTarget: "/usr/lib/mkd", LinkTargetModificationTime: 200), new("/etc/fstab", true, 300)]), RebuildVerdict.Rebuild,
          ["Detected change(s) in the following file(s):  /usr/lib/mkd /etc/fstab"] },
        { Inputs(files: [new("/bin/pre", false, 0)]), RebuildVerdict.Error, ["Error: /bin/pre not found."] },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void RebuildDecisionTable(RebuildInputs inputs, RebuildVerdict verdict, string[] messages)
    {
        var r = RebuildDecision.Decide(inputs);
        Assert.Equal(verdict, r.Verdict);
        Assert.Equal(messages, r.Messages.Select(m => m.Text));
    }

    [Fact]
    public void NotExecutableHookIsAnError()
    {
        var r = RebuildDecision.Decide(Inputs(files: [new("/bin/pre", true, 1)]) with { MustBeExecutable = [new("/bin/pre", true, 1, IsExecutable: false)] });
        Assert.Equal(RebuildVerdict.Error, r.Verdict);
        Assert.Equal("Error: /bin/pre is not executable.", r.Messages.Single().Text);
    }

    [Theory]
    [InlineData("--mount '/dev/disk/by-uuid/u /kdumproot/data xfs defaults' --add-drivers x", "/dev/disk/by-uuid/u", RebuildVerdict.UpToDate, null)]
    [InlineData("--mount '/dev/disk/by-uuid/OLD /kdumproot/data xfs defaults'", "/dev/disk/by-uuid/u", RebuildVerdict.Rebuild, "Detected change in File System")]
    [InlineData("--add-drivers x", "/dev/disk/by-uuid/u", RebuildVerdict.Rebuild, "Detected change in File System")]
    [InlineData("", "/dev/disk/by-uuid/u", RebuildVerdict.UpToDate, "No dracut arguments found in initrd")]
    [InlineData("--mount 'a b c'", "", RebuildVerdict.Error, "Get persistent device name failed")]
    public void FileSystemCheck(string buildParams, string persistent, RebuildVerdict verdict, string? message)
    {
        var fs = new FsCheckInputs(false, "/dev/vdb1", "xfs", persistent, "/kdumproot/data", buildParams, "/dev/vda2");
        var r = RebuildDecision.Decide(Inputs() with { FileSystem = () => fs });
        Assert.Equal(verdict, r.Verdict);
        Assert.Equal(message, r.Messages.SingleOrDefault()?.Text);
    }

    [Fact]
    public void DriverCheckAndAggregation()
    {
        var r = RebuildDecision.Decide(Inputs(files: [new("/etc/kdump.conf", true, 500)]) with
        {
            Drivers = () => new DriverCheckInputs(["virtio_blk", "i6300esb"], ["virtio_blk", "ext4"]),
        });
        Assert.Equal(RebuildVerdict.Rebuild, r.Verdict);
        Assert.Equal(
            ["Detected change(s) in the following file(s):  /etc/kdump.conf", "Detected change in block device driver, new loaded module: i6300esb"],
            r.Messages.Select(m => m.Text));
    }

    [Fact]
    public void ImageChecksGatherTheirInputsOnlyWhenReachedAndTellAReadProblemOnce()
    {
        const string Problem = "cannot read /boot/initramfs-6.1kdump.img: truncated";
        var gathered = 0;
        FsCheckInputs Fs()
        {
            gathered++;
            return new FsCheckInputs(false, "/dev/vdb1", "xfs", "/dev/disk/by-uuid/u", "/kdumproot/data", "", "/dev/vda2", Problem);
        }
        DriverCheckInputs Drivers()
        {
            gathered++;
            return new DriverCheckInputs(["virtio_blk"], [], Problem);
        }

        // A watched file that is missing is an error: upstream never runs lsinitrd.
        var error = RebuildDecision.Decide(Inputs(files: [new("/etc/kdump.conf", false, 0)]) with { FileSystem = Fs, Drivers = Drivers });
        Assert.Equal(RebuildVerdict.Error, error.Verdict);
        Assert.Equal(["Error: /etc/kdump.conf not found."], error.Messages.Select(m => m.Text));
        Assert.Equal(0, gathered);

        // Otherwise the problem comes where the image is first read, after the file check's message, once.
        var r = RebuildDecision.Decide(Inputs(files: [new("/etc/kdump.conf", true, 500)]) with { FileSystem = Fs, Drivers = Drivers });
        Assert.Equal(RebuildVerdict.Rebuild, r.Verdict);
        Assert.Equal(
            ["Detected change(s) in the following file(s):  /etc/kdump.conf", Problem, "No dracut arguments found in initrd",
             "Detected change in block device driver, new loaded module: virtio_blk"],
            r.Messages.Select(m => m.Text));
        Assert.Equal(2, gathered);
    }

    /// <summary>
    /// Expected values are what <c>set -- $(echo "$args" | awk -F "--mount '" '{print $2}' | cut -d' ' -f1,2,3); echo "$1|$2|$3"</c>
    /// prints in bash for each input (checked with bash, awk and cut by <see cref="RecordedMountMatchesTheShellPipeline"/>).
    /// </summary>
    public static TheoryData<string, string> RecordedMounts => new()
    {
        { "--hostonly --mount '/dev/disk/by-uuid/u /sysroot ext4 rw,relatime' --kver '6.1'", "/dev/disk/by-uuid/u|/sysroot|ext4" },
        { "--mount '/dev/a /kdumproot/x xfs rw' --mount '/dev/b /kdumproot/y ext4 rw'", "/dev/a|/kdumproot/x|xfs" },
        { "--hostonly\n--mount '/dev/a /m xfs rw'", "/dev/a|/m|xfs" },
        { "--mount '/dev/a /m'", "/dev/a|/m'|" },
        { "--mount '/dev/a", "/dev/a||" },
        { "--add-drivers x", "||" },
        { "", "||" },
    };

    [Theory]
    [MemberData(nameof(RecordedMounts))]
    public void RecordedMountIsTheFirstMountsFirstThreeWords(string buildParameters, string expected)
    {
        var (dev, mnt, type) = RebuildDecision.RecordedMount(buildParameters);
        Assert.Equal(expected, $"{dev}|{mnt}|{type}");
    }

    [Fact]
    public void RecordedMountMatchesTheShellPipeline()
    {
        foreach (var row in RecordedMounts)
        {
            var (input, expected) = ((string)row[0], (string)row[1]);
            var script = "set -f; set -- $(printf '%s\\n' \"$1\" | awk -F \"--mount '\" '{print $2}' | cut -d' ' -f1,2,3); printf '%s|%s|%s' \"$1\" \"$2\" \"$3\"";
            var r = Kdump.Tests.Shared.ExternalProcess.Run("bash", ["-c", script, "bash", input]);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(r.Stdout));
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WatchedFilesFromConfigAndTree()
    {
        Write("/etc/kdump/pre.d/10-a", "#!/bin/sh\n");
        Write("/etc/kdump/pre.d/20-noexec", "");
        File.SetUnixFileMode(_root.HostPath("/etc/kdump/pre.d/10-a"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var config = KdumpConfValidator.Validate(KdumpConfReader.Parse("kdump_pre /bin/pre\nextra_bins /bin/a /bin/b\ncore_collector makedumpfile -l")).Config!;
        var hooks = RebuildDecision.HookFiles(_root);
        Assert.Equal(["/etc/kdump/pre.d/10-a"], hooks);
        Assert.Equal(["/etc/kdump.conf", "/boot/vmlinuz-6.1", "/bin/pre", "/bin/a", "/bin/b", "/usr/sbin/makedumpfile", "/etc/fstab", "/etc/kdump/pre.d/10-a"],
            RebuildDecision.WatchedFileList(config, "/boot/vmlinuz-6.1", "/usr/sbin/makedumpfile", fstabExists: true, hookFiles: hooks));
        Write("/etc/kdump.conf", "x");
        var facts = FileFacts.From(_root, "/etc/kdump.conf");
        Assert.True(facts.Exists);
        Assert.False(FileFacts.From(_root, "/nope").Exists);
    }
}
