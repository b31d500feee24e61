using System.Text;
using Kdump.Cli;
using Kdump.Initramfs.Dracut;
using Kdump.Tests.Shared;
using Kdump.Tools.Mkdumprd;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// mkdumprd --backend=dracut with the real dracut (Debian 12's dracut-core, installed by
/// eng/lab/install-deps.sh) for the bookworm lab kernel; the images are read back with dracut's
/// skipcpio, zstd/gzip and GNU cpio. Our dracut module comes from the repository's dist/dracut.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DracutBackendTests
{
    private const string Release = "bookworm";

    private static string Kver => File.ReadAllText(Path.Combine(Lab.Dir, "kernels", Release, "kernel-release")).Trim();

    private static string ModuleSource => Path.Combine(Lab.RepoRoot, "dist", "dracut", DracutInstallation.ModuleDirectoryName);

    private static void RequireDracut() =>
        Assert.True(File.Exists("/usr/bin/dracut") && File.Exists("/usr/lib/dracut/skipcpio"),
            "dracut is not installed: eng/lab/install-deps.sh installs dracut-core");

    /// <summary>A root with the lab kernel's modules, our stand-in programs and <paramref name="conf"/>.</summary>
    private static TestRoot LabRoot(string purpose, string conf)
    {
        var root = new TestRoot(purpose);
        var modules = Path.Combine(Lab.Dir, "kernels", Release, "root", "lib", "modules");
        if (!Directory.Exists(modules)) throw new DirectoryNotFoundException($"lab kernel {Release} missing at {modules}: run eng/lab/fetch-kernel.sh");
        root.LinkOutside("/lib/modules", modules);
        root.Write("/etc/kdump.conf", conf);
        root.Write("/etc/sysconfig/kdump", "MKDUMPRD_BACKEND=dracut\n");
        return root;
    }

    private static (int Rc, string Stderr) Run(TestRoot root, MkdumprdCommand.Environment? env, params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        using var ctx = new StreamToolContext("mkdumprd", Stream.Null, stdout, stderr, root.Scratch);
        env ??= new MkdumprdCommand.Environment(Path.Combine(Lab.RepoRoot, "dist"));
        string[] common = ["--root", root.Dir, "--capture-program", root.CaptureProgram()];
        var rc = MkdumprdCommand.Run(ctx, [.. common, .. args], env);
        return (rc, Encoding.UTF8.GetString(stderr.ToArray()));
    }

    /// <summary>The main archive (after any early cpio, as the kernel unpacks it) extracted; its compression's magic.</summary>
    private static (string Dir, byte[] Magic) Unpack(string image, string scratch)
    {
        var main = Path.Combine(scratch, "main-" + Path.GetFileName(image));
        var skipped = ExternalProcess.Run("/usr/lib/dracut/skipcpio", [image]);
        Assert.True(skipped.ExitCode == 0, skipped.Stderr);
        File.WriteAllBytes(main, skipped.Stdout);
        return (CpioTool.Extract(CpioTool.Decompress(main, scratch), scratch), skipped.Stdout[..4]);
    }

    private static readonly byte[] s_zstdMagic = [0x28, 0xB5, 0x2F, 0xFD];
    private static readonly byte[] s_gzipMagic = [0x1F, 0x8B];

    [Fact]
    public void Real_dracut_image_for_the_lab_kernel_has_our_programs_config_hooks_and_the_targets_modules()
    {
        RequireDracut();
        // /sbin/makedumpfile: a second link, which on this merged-/usr machine is the first one's path.
        const string conf = "ext4 LABEL=kdump\npath /\ncore_collector /sbin/makedumpfile -c --message-level 7 -d 31\n"
            + "extra_modules virtio_blk virtio_pci\nfailure_action poweroff\nfinal_action poweroff\n";
        using var root = LabRoot("dracut-lab", conf);
        var image = Path.Combine(root.Scratch, "initramfs-kdump.img");

        // The backend comes from /etc/sysconfig/kdump (MKDUMPRD_BACKEND=dracut).
        var (rc, err) = Run(root, null, "-f", image, Kver);
        Assert.True(rc == 0, err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(image)); // dracut's umask 077

        var (dir, magic) = Unpack(image, root.Scratch);
        Assert.Equal(s_zstdMagic, magic); // mkdumprd's default compression, as dracut --zstd
        string At(string path) => Path.Combine(dir, path);
        Assert.Equal("our capture program\n", File.ReadAllText(At("usr/lib/kdump/kdump-capture")));
        // The multi-call link follows the capture program (dracut's /init is systemd): ln_r makes it
        // relative. /sbin/makedumpfile reaches it too (merged /usr: the same link; else a link to it).
        var link = new FileInfo(At("usr/sbin/makedumpfile")).LinkTarget ?? "";
        Assert.Equal(At(DracutStage.CaptureProgramPath), Path.GetFullPath(link, Path.GetDirectoryName(At("usr/sbin/makedumpfile"))!));
        Assert.Equal("our capture program\n", File.ReadAllText(At("sbin/makedumpfile"))); // the kernel's resolution: a loop would throw
        Assert.Equal(conf, File.ReadAllText(At("etc/kdump.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(At("etc/kdump.conf")));
        Assert.Equal("MKDUMPRD_BACKEND=dracut\n", File.ReadAllText(At("etc/sysconfig/kdump")));
        // dracut's --mount line (it appends passno 2), once: the stage does not add the minimal /etc/fstab.
        Assert.Equal(["LABEL=kdump /kdumproot ext4 defaults 0 2"], File.ReadAllLines(At("etc/fstab")));
        Assert.True(Directory.Exists(At("kdumproot")));
        Assert.False(File.Exists(At("etc/kdump/modules.load")));

        // The hooks, byte-identical to dist/dracut, and the initqueue's wait for the target.
        var hooks = At("usr/lib/dracut/hooks");
        Assert.Equal(File.ReadAllBytes(Path.Combine(ModuleSource, "kdump-cs-capture.sh")), File.ReadAllBytes(Path.Combine(hooks, "pre-mount", "90-kdump-cs-capture.sh")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(ModuleSource, "kdump-cs-cmdline.sh")), File.ReadAllBytes(Path.Combine(hooks, "cmdline", "99-kdump-cs-cmdline.sh")));
        Assert.Equal("[ -e \"/dev/disk/by-label/kdump\" ]\n",
            File.ReadAllText(Path.Combine(hooks, "initqueue", "finished", @"devexists-\x2fdev\x2fdisk\x2fby-label\x2fkdump.sh")));
        // Host systemd is in the image (dracut's default on Debian 12), and waits for the device too.
        Assert.True(File.Exists(At("usr/lib/systemd/systemd")));
        Assert.Equal(@"../dev-disk-by\x2dlabel-kdump.device", new FileInfo(At(@"etc/systemd/system/initrd.target.wants/dev-disk-by\x2dlabel-kdump.device")).LinkTarget);

        // The target's modules, for the lab kernel, with dracut's depmod.
        var mods = At($"usr/lib/modules/{Kver}");
        foreach (var ko in new[] { "kernel/fs/ext4/ext4.ko", "kernel/fs/jbd2/jbd2.ko", "kernel/crypto/crc32c_generic.ko", "kernel/drivers/block/virtio_blk.ko", "kernel/drivers/virtio/virtio_pci.ko" })
            Assert.True(File.Exists(Path.Combine(mods, ko)), ko);
        Assert.Contains(File.ReadAllLines(Path.Combine(mods, "modules.dep")), l => l.StartsWith("kernel/fs/ext4/ext4.ko:", StringComparison.Ordinal));

        // dracut's own record of its argv, which kdumpctl's rebuild decision reads.
        var parameters = File.ReadAllText(At("usr/lib/dracut/build-parameter.txt"));
        Assert.Contains("--mount 'LABEL=kdump /kdumproot ext4 defaults'", parameters, StringComparison.Ordinal);
        Assert.Contains("--add 'kdump-cs'", parameters, StringComparison.Ordinal);
        Assert.Contains("--hostonly-mode 'strict'", parameters, StringComparison.Ordinal);
    }

    [Fact]
    public void Dracut_args_are_honoured_as_argv_omitting_systemd_adding_a_driver_and_choosing_gzip()
    {
        RequireDracut();
        const string conf = "ext4 /dev/vdb\npath /var/crash\n"
            + "dracut_args --omit \"systemd systemd-initrd dracut-systemd\" --add-drivers nbd --gzip\n";
        using var root = LabRoot("dracut-args", conf);
        root.MakeDirectory("/var/crash");
        var image = Path.Combine(root.Scratch, "initramfs-kdump.img");

        var (rc, err) = Run(root, null, "--backend=dracut", "-f", image, Kver);
        Assert.True(rc == 0, err);

        var (dir, magic) = Unpack(image, root.Scratch);
        Assert.Equal(s_gzipMagic, magic[..2]); // dracut_args' --gzip wins over mkdumprd's zstd
        string At(string path) => Path.Combine(dir, path);
        Assert.False(File.Exists(At("usr/lib/systemd/systemd")));
        // dracut's shell init runs the hooks: our capture from pre-mount.
        Assert.Contains("source_hook pre-mount", File.ReadAllText(At("init")), StringComparison.Ordinal);
        Assert.True(File.Exists(At("usr/lib/dracut/hooks/pre-mount/90-kdump-cs-capture.sh")));
        Assert.True(File.Exists(At($"usr/lib/modules/{Kver}/kernel/drivers/block/nbd.ko")));
        Assert.Equal(["/dev/vdb /kdumproot ext4 defaults 0 2"], File.ReadAllLines(At("etc/fstab")));
        Assert.Equal("[ -e \"/dev/vdb\" ]\n",
            File.ReadAllText(At(@"usr/lib/dracut/hooks/initqueue/finished/devexists-\x2fdev\x2fvdb.sh")));
        Assert.Contains("--omit 'systemd systemd-initrd dracut-systemd'", File.ReadAllText(At("usr/lib/dracut/build-parameter.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void Programs_named_by_kdump_conf_come_from_the_root_and_do_not_replace_dracuts_shell()
    {
        RequireDracut();
        using var root = LabRoot("dracut-programs", "ext4 /dev/vdb\nextra_bins /usr/bin/busybox\nfailure_action shell\n");
        // A static busybox (busybox-static, eng/lab/install-deps.sh) as the root's program.
        var busybox = root.Host("/usr/bin/busybox");
        Directory.CreateDirectory(Path.GetDirectoryName(busybox)!);
        File.Copy("/bin/busybox", busybox);
        var image = Path.Combine(root.Scratch, "initramfs-kdump.img");

        var (rc, err) = Run(root, null, "--backend=dracut", "-f", image, Kver);
        Assert.True(rc == 0, err);

        var (dir, _) = Unpack(image, root.Scratch);
        Assert.Equal(File.ReadAllBytes("/bin/busybox"), File.ReadAllBytes(Path.Combine(dir, "usr/bin/busybox")));
        // failure_action shell gives the minimal image /bin/sh -> busybox; dracut's image keeps its own shell.
        var sh = new FileInfo(Path.Combine(dir, "usr/bin/sh"));
        Assert.True(sh.Exists, "no /bin/sh in the image");
        Assert.DoesNotContain("busybox", sh.LinkTarget ?? "", StringComparison.Ordinal);
    }

    /// <summary>Records the argv instead of running it (shows that dracut is not reached).</summary>
    private sealed class RecordingRunner : ICommandRunner
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];

        public int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output)
        {
            Calls.Add(argv);
            return 0;
        }

        public (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10)
        {
            Calls.Add(argv);
            return (0, "");
        }
    }

    [Theory]
    [InlineData("dracut_args --mount \"LABEL=x /mnt ext4\n", "double")]
    [InlineData("dracut_args --add 'kdump-cs\n", "single")]
    public void Bad_dracut_args_are_rejected_with_xargs_message_before_dracut_runs(string conf, string quote)
    {
        using var root = LabRoot("dracut-bad-args", "ext4 /dev/vdb\n" + conf);
        var runner = new RecordingRunner();
        var env = new MkdumprdCommand.Environment(Path.Combine(Lab.RepoRoot, "dist")) { Commands = runner };
        var image = Path.Combine(root.Scratch, "img");

        var (rc, err) = Run(root, env, "--backend=dracut", image, Kver);

        Assert.Equal(1, rc);
        Assert.Equal($"kdump: dracut_args: xargs: unmatched {quote} quote; by default quotes are special to xargs unless you use the -0 option\n", err);
        Assert.Empty(runner.Calls);
        Assert.False(File.Exists(image));
    }

    [Fact]
    public void Upstream_checks_run_before_dracut()
    {
        using var root = LabRoot("dracut-checks", "ssh 192.168.1.1\n");
        var runner = new RecordingRunner();
        var env = new MkdumprdCommand.Environment(Path.Combine(Lab.RepoRoot, "dist")) { Commands = runner };
        var (rc, err) = Run(root, env, "--backend=dracut", Path.Combine(root.Scratch, "img"), Kver);
        Assert.Equal(1, rc);
        Assert.Equal("kdump: Bad ssh dump target 192.168.1.1\n", err);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void A_dracut_that_cannot_be_started_is_status_127_like_the_shell()
    {
        using var root = LabRoot("dracut-missing", "ext4 /dev/vdb\n");
        var env = new MkdumprdCommand.Environment(Path.Combine(Lab.RepoRoot, "dist"))
        {
            Dracut = DracutInstallation.System with { Program = Path.Combine(root.Scratch, "no-dracut") },
        };
        var (rc, err) = Run(root, env, "--backend=dracut", Path.Combine(root.Scratch, "img"), Kver);
        Assert.Equal(127, rc);
        Assert.StartsWith(Path.Combine(root.Scratch, "no-dracut") + ": ", err, StringComparison.Ordinal);
    }
}
