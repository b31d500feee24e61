using System.Text;
using Kdump.Cli;
using Kdump.Initramfs.Dracut;
using Kdump.Tests.Shared;
using Kdump.Tools.Mkdumprd;

namespace Kdump.Initramfs.Tests;

public sealed class MkdumprdTests
{
    private static string LabKernelRoot(string release)
    {
        var root = Path.Combine(Lab.Dir, "kernels", release, "root");
        return Directory.Exists(Path.Combine(root, "lib", "modules"))
            ? root
            : throw new DirectoryNotFoundException($"lab kernel {release} missing at {root}: run eng/lab/fetch-kernel.sh");
    }

    private static (int Rc, string Stderr) Run(TestRoot root, params string[] args) => Run(root, null, args);

    private static (int Rc, string Stderr) Run(TestRoot root, ICommandRunner? ssh, params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        using var ctx = new StreamToolContext("mkdumprd", Stream.Null, stdout, stderr, root.Scratch);
        var env = new MkdumprdCommand.Environment(root.Scratch) { PreflightCommandsUnderRoot = ssh };
        var rc = MkdumprdCommand.Run(ctx, args, env);
        return (rc, Encoding.UTF8.GetString(stderr.ToArray()));
    }

    /// <summary>
    /// The minimal backend writes the image itself, and follows kdump.conf's dracut_args
    /// compression as dracut would (the last option wins, --no-compress over all); what it cannot
    /// write is said and passed over. mkdumprd's own --compress comes before kdump.conf.
    /// </summary>
    [Theory]
    [InlineData("--no-compress", null, "303730373031", "")]
    [InlineData("--gzip", null, "1f8b", "")]
    [InlineData("--gzip --no-compress --zstd", null, "303730373031", "")]     // dracut applies --no-compress after the others
    [InlineData("--gzip --zstd", null, "28b52ffd", "")]
    [InlineData("--compress=cat", null, "303730373031", "")]
    [InlineData("--compress pigz", null, "1f8b", "")]
    [InlineData("--gzip --xz", null, "1f8b", "kdump: dracut_args --xz: the minimal backend writes zstd, gzip or no compression; that option is not followed\n")]
    [InlineData("--compress \"zstd -3\"", null, "28b52ffd", "kdump: dracut_args --compress zstd -3: the minimal backend compresses with its own settings, not that command's arguments\n")]
    [InlineData("--compress lz4", null, "28b52ffd", "kdump: dracut_args --compress lz4: the minimal backend writes zstd, gzip or no compression; that option is not followed\n")]
    [InlineData("--no-compress", "--compress=gzip", "1f8b", "")]
    [InlineData("--omit plymouth", null, "28b52ffd", "")]
    public void The_minimal_backend_compresses_as_dracut_args_ask(string dracutArgs, string? option, string magicHex, string stderr)
    {
        using var root = new TestRoot("mkdumprd-dracut-args-compress");
        var kver = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "bookworm", "kernel-release")).Trim();
        root.LinkOutside("/lib/modules", Path.Combine(LabKernelRoot("bookworm"), "lib", "modules"));
        root.Write("/etc/kdump.conf", $"ext4 UUID=0b9c6d1e-1111-2222-3333-444455556666\ndracut_args {dracutArgs}\n");
        root.Write("/etc/sysconfig/kdump", "MKDUMPRD_BACKEND=minimal\n");
        var image = Path.Combine(root.Scratch, "initrd-kdump.img");
        string[] args = ["--root", root.Dir, "--capture-program", root.CaptureProgram(), .. option is null ? Array.Empty<string>() : [option], "-f", image, kver];

        var (rc, err) = Run(root, args);

        Assert.True(rc == 0, err);
        Assert.Equal(stderr, err);
        var bytes = File.ReadAllBytes(image);
        Assert.Equal(magicHex, Convert.ToHexStringLower(bytes, 0, magicHex.Length / 2));
        // Whatever the compression, the archive is the same image.
        Assert.Contains("etc/kdump.conf", CpioTool.List(CpioTool.Decompress(image, root.Scratch)));
    }

    [Fact]
    public void Real_bookworm_kernel_image_has_our_programs_config_and_ext4_virtio_modules_in_load_order()
    {
        using var root = new TestRoot("mkdumprd-bookworm");
        var kernelRoot = LabKernelRoot("bookworm");
        var kver = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "bookworm", "kernel-release")).Trim();
        root.LinkOutside("/lib/modules", Path.Combine(kernelRoot, "lib", "modules"));
        root.Write("/etc/kdump.conf", "ext4 UUID=0b9c6d1e-1111-2222-3333-444455556666\n# comment\npath /var/crash\nextra_modules virtio_blk virtio_pci\nfailure_action poweroff\n");
        root.Write("/etc/sysconfig/kdump", "MKDUMPRD_BACKEND=minimal\nKDUMP_COMMANDLINE_APPEND=\"irqpoll nr_cpus=1\"\n");
        var capture = root.CaptureProgram();
        // A makedumpfile beside mkdumprd is not taken: kdump-capture is the image's makedumpfile.
        File.WriteAllText(Path.Combine(root.Scratch, "makedumpfile"), "another makedumpfile\n");
        var image = Path.Combine(root.Scratch, "initrd-kdump.img");

        var (rc, err) = Run(root, "--root", root.Dir, "-f", image, kver);
        Assert.True(rc == 0, err);
        Assert.Equal("", err);
        // The kernel's unzstd needs about the frame's window in the crash reservation: 1 MiB, not level 19's 8 MiB.
        Assert.Equal(1 << 20, ZstdWindowSize(File.ReadAllBytes(image)));

        var archive = CpioTool.Decompress(image, root.Scratch);
        var names = CpioTool.List(archive);
        var dir = CpioTool.Extract(archive, root.Scratch);
        Assert.Equal("our capture program\n", File.ReadAllText(Path.Combine(dir, "init")));
        Assert.Equal("/init", new FileInfo(Path.Combine(dir, "usr/sbin/makedumpfile")).LinkTarget); // multi-call kdump-capture
        Assert.Equal("ext4 UUID=0b9c6d1e-1111-2222-3333-444455556666\npath /var/crash\nextra_modules virtio_blk virtio_pci\nfailure_action poweroff\n",
            File.ReadAllText(Path.Combine(dir, "etc/kdump.conf")));
        Assert.Equal("UUID=0b9c6d1e-1111-2222-3333-444455556666 /kdumproot ext4 defaults 0 0\n", File.ReadAllText(Path.Combine(dir, "etc/fstab")));
        Assert.Contains("dev/console", names);

        var load = File.ReadAllLines(Path.Combine(dir, "etc/kdump/modules.load")).Select(Path.GetFileName).ToList();
        Assert.True(load.IndexOf("crc32c_generic.ko") < load.IndexOf("ext4.ko"), string.Join(' ', load));
        Assert.True(load.IndexOf("jbd2.ko") < load.IndexOf("ext4.ko"));
        Assert.True(load.IndexOf("virtio_ring.ko") < load.IndexOf("virtio_blk.ko"));
        Assert.True(load.IndexOf("virtio_pci_modern_dev.ko") < load.IndexOf("virtio_pci.ko"));
        // Every listed module is in the image, byte-identical to the kernel package's file.
        foreach (var line in File.ReadAllLines(Path.Combine(dir, "etc/kdump/modules.load")))
        {
            var inImage = Path.Combine(dir, line.TrimStart('/'));
            Assert.Equal(File.ReadAllBytes(Path.Combine(kernelRoot, line.TrimStart('/'))), File.ReadAllBytes(inImage));
        }
    }

    /// <summary>A trixie-like tree: bookworm's real ext4 and jbd2 modules, compressed here by the system xz and zstd.</summary>
    private static (string Kver, string Ext4, string Jbd2) CompressedModuleTree(TestRoot root)
    {
        const string kver = "6.12.0-test-amd64";
        var (labModules, _) = Lab.Modules("bookworm");
        var mods = root.Host($"/lib/modules/{kver}");
        root.Write($"/lib/modules/{kver}/modules.dep", "kernel/fs/ext4/ext4.ko.xz: kernel/fs/jbd2/jbd2.ko.zst\nkernel/fs/jbd2/jbd2.ko.zst:\n");
        var ext4 = Path.Combine(labModules, "kernel/fs/ext4/ext4.ko");
        var jbd2 = Path.Combine(labModules, "kernel/fs/jbd2/jbd2.ko");
        Directory.CreateDirectory(Path.Combine(mods, "kernel/fs/ext4"));
        Directory.CreateDirectory(Path.Combine(mods, "kernel/fs/jbd2"));
        File.WriteAllBytes(Path.Combine(mods, "kernel/fs/ext4/ext4.ko.xz"), Packed("xz", ["--check=crc32", "--lzma2=dict=1MiB"], ext4));
        File.WriteAllBytes(Path.Combine(mods, "kernel/fs/jbd2/jbd2.ko.zst"), Packed("zstd", ["-q"], jbd2));
        root.Write("/etc/kdump.conf", "ext4 /dev/vdb\n");
        return (kver, ext4, jbd2);
    }

    private static byte[] Packed(string program, string[] options, string file)
    {
        var r = ExternalProcess.Run(program, [.. options, "-c", file]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout;
    }

    [Fact]
    public void Xz_and_zstd_modules_are_stored_decompressed()
    {
        using var root = new TestRoot("mkdumprd-ko-xz");
        var (kver, ext4, jbd2) = CompressedModuleTree(root);
        var image = Path.Combine(root.Scratch, "img");

        var (rc, err) = Run(root, "--root", root.Dir, "--backend=minimal", "--compress=gzip", "--capture-program", root.CaptureProgram(), image, kver);
        Assert.True(rc == 0, err);

        var dir = CpioTool.Extract(CpioTool.Decompress(image, root.Scratch), root.Scratch);
        Assert.Equal(File.ReadAllBytes(ext4), File.ReadAllBytes(Path.Combine(dir, $"lib/modules/{kver}/kernel/fs/ext4/ext4.ko")));
        Assert.Equal(File.ReadAllBytes(jbd2), File.ReadAllBytes(Path.Combine(dir, $"lib/modules/{kver}/kernel/fs/jbd2/jbd2.ko")));
        Assert.Equal($"/lib/modules/{kver}/kernel/fs/jbd2/jbd2.ko\n/lib/modules/{kver}/kernel/fs/ext4/ext4.ko\n",
            File.ReadAllText(Path.Combine(dir, "etc/kdump/modules.load")));
    }

    [Fact]
    public void A_cut_empty_or_non_elf_module_fails_the_build_with_its_path()
    {
        using var root = new TestRoot("mkdumprd-ko-xz-damaged");
        var (kver, _, _) = CompressedModuleTree(root);
        var module = root.Host($"/lib/modules/{kver}/kernel/fs/ext4/ext4.ko.xz");
        var packed = File.ReadAllBytes(module);
        (int, string) Build() => Run(root, "--root", root.Dir, "--backend=minimal", "--compress=gzip", "--capture-program", root.CaptureProgram(), Path.Combine(root.Scratch, "img"), kver);

        // Cut: xz's own `xz -t` says "Unexpected end of input".
        File.WriteAllBytes(module, packed[..^8]);
        var (rc, err) = Build();
        Assert.Equal((1, $"kdump: cannot read module '{module}': xz stream: the file ends before the stream does (LZMA_BUF_ERROR)\n"), (rc, err));

        // Empty (e.g. a full disk during an install): stored as is, finit_module would fail in the capture kernel.
        File.WriteAllBytes(module, []);
        (rc, err) = Build();
        Assert.Equal((1, $"kdump: cannot read module '{module}': not an ELF file (empty)\n"), (rc, err));

        File.WriteAllText(module, "not a module\n");
        (rc, err) = Build();
        Assert.Equal((1, $"kdump: cannot read module '{module}': not an ELF file\n"), (rc, err));

        File.Delete(module);
        File.CreateSymbolicLink(module, root.Host("/nowhere.ko.xz"));
        (rc, err) = Build();
        Assert.Equal((1, $"kdump: cannot read module '{module}': No such file or directory\n"), (rc, err));
    }

    [Theory]
    [InlineData("ssh root@192.168.1.1\ncore_collector makedumpfile -l -d 31\n", "kdump: The specified dump target needs makedumpfile \"-F\" option.\n")]
    [InlineData("ssh 192.168.1.1\n", "kdump: Bad ssh dump target 192.168.1.1\n")]
    [InlineData("raw /dev/nosuchdisk\n", "kdump: Bad raw disk /dev/nosuchdisk\n")]
    [InlineData("path /var/nosuch\n", "kdump: Dump path /var/nosuch does not exist.\n")]
    [InlineData("ext4 /dev/vdb\nextra_bins /usr/bin/nosuch\n", "kdump: extra_bins: /usr/bin/nosuch not found.\n")]
    [InlineData("ext4 /dev/vdb\ncore_collector /sbin/../tmp/makedumpfile -d 31\n", "kdump: core_collector: /sbin/../tmp/makedumpfile must be an absolute path without . or .. components.\n")]
    [InlineData("ext4 /dev/vdb\ncore_collector usr/sbin/makedumpfile -d 31\n", "kdump: core_collector: usr/sbin/makedumpfile must be an absolute path without . or .. components.\n")]
    [InlineData("ext4 /dev/vdb\ncore_collector /run/makedumpfile -d 31\n", "kdump: core_collector: /run/makedumpfile lies where the capture program is or mounts; use /usr/sbin/makedumpfile.\n")]
    [InlineData("ext4 /dev/vdb\ncore_collector /init/makedumpfile -d 31\n", "kdump: core_collector: /init/makedumpfile lies where the capture program is or mounts; use /usr/sbin/makedumpfile.\n")]
    public void Upstream_checks_fail_with_upstream_messages(string conf, string expected)
    {
        using var root = new TestRoot("mkdumprd-checks");
        root.Write("/etc/kdump.conf", conf);
        var (rc, err) = Run(root, "--root", root.Dir, "--backend=minimal", "--capture-program", root.CaptureProgram(), Path.Combine(root.Scratch, "img"), "6.1.0-x");
        Assert.Equal(1, rc);
        Assert.Equal(expected, err);
    }

    [Theory]
    [InlineData("makedumpfile -l -d 31", null)]
    [InlineData("/usr/sbin/makedumpfile -l -d 31", null)]
    [InlineData("/sbin/makedumpfile -l -d 31", "sbin/makedumpfile")]
    public void A_makedumpfile_collector_is_ours_under_any_path(string collector, string? extraLink)
    {
        using var root = new TestRoot("mkdumprd-collector");
        root.Write("/etc/kdump.conf", $"ext4 /dev/vdb\ncore_collector {collector}\n");
        // The system's makedumpfile is not taken (upstream would copy it).
        root.Write("/usr/sbin/makedumpfile", "the system's makedumpfile", TestRoot.Executable);
        var image = Path.Combine(root.Scratch, "img");
        var (rc, err) = Run(root, "--root", root.Dir, "--backend=minimal", "--capture-program", root.CaptureProgram(), image, "6.1.0-x");
        Assert.True(rc == 0, err);
        var dir = CpioTool.Extract(CpioTool.Decompress(image, root.Scratch), root.Scratch);
        Assert.Equal("/init", new FileInfo(Path.Combine(dir, "usr/sbin/makedumpfile")).LinkTarget);
        var links = Directory.EnumerateFileSystemEntries(dir, "makedumpfile", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(extraLink is null ? ["usr/sbin/makedumpfile"] : [extraLink, "usr/sbin/makedumpfile"], links);
        if (extraLink is not null) Assert.Equal("/usr/sbin/makedumpfile", new FileInfo(Path.Combine(dir, extraLink)).LinkTarget);
    }

    [Fact]
    public void Raw_target_with_another_collector_warns_like_upstream()
    {
        using var root = new TestRoot("mkdumprd-raw");
        root.Write("/dev/vdc", new string('\0', 1024));
        root.Write("/etc/kdump.conf", "raw /dev/vdc\ncore_collector cat\n");
        root.Write("/usr/bin/cat", "not really cat", TestRoot.Executable);
        var (rc, err) = Run(root, "--root", root.Dir, "--backend=minimal", "--capture-program", root.CaptureProgram(), Path.Combine(root.Scratch, "img"), "6.1.0-x");
        Assert.Equal(0, rc);
        Assert.Equal("kdump: Specifying a non-makedumpfile core collector, you will have to recover the vmcore manually.\n", err);
    }

    private const string Uuid = "0b9c6d1e-1111-2222-3333-444455556666";
    private const string RootMount = "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n";
    private const string DataMount = "30 22 254:17 / /data rw,relatime shared:2 - xfs /dev/vdb1 rw\n";

    /// <summary>
    /// A root whose /dev/vdb1 is a block device (its sysfs dev file) with a by-uuid link, described to
    /// mkdumprd by a mountinfo, maybe an fstab, and a meminfo with the given MemTotal.
    /// </summary>
    private static TestRoot TargetRoot(string purpose, string conf, string mountinfo, string? fstab = null, long? memTotalKiB = null)
    {
        var root = new TestRoot(purpose);
        root.Write("/sys/class/block/vdb1/dev", "254:17\n");
        root.Write("/dev/vdb1", "");
        Directory.CreateDirectory(root.Host("/dev/disk/by-uuid"));
        File.CreateSymbolicLink(root.Host($"/dev/disk/by-uuid/{Uuid}"), "../../vdb1");
        root.Write("/etc/kdump.conf", conf);
        // The target's file-system modules are built in: no modules-tree warning among the checks'.
        root.Write("/lib/modules/6.1.0-x/modules.dep", "");
        root.Write("/lib/modules/6.1.0-x/modules.builtin", "kernel/fs/xfs/xfs.ko\nkernel/fs/ext4/ext4.ko\n");
        root.Write("/proc/self/mountinfo", mountinfo);
        if (fstab is not null) root.Write("/etc/fstab", fstab);
        if (memTotalKiB is { } kib) root.Write("/proc/meminfo", $"MemTotal:       {kib} kB\nMemFree:         1000 kB\n");
        return root;
    }

    private static (int Rc, string Stderr) Build(TestRoot root, ICommandRunner? preflight = null) =>
        Run(root, preflight, "--root", root.Dir, "--backend=minimal", "--compress=none", "-f", "--capture-program", root.CaptureProgram(), Path.Combine(root.Scratch, "img"), "6.1.0-x");

    /// <summary>What <c>df --output=avail</c> says of a host directory (mkdumprd's own probe), in KiB.</summary>
    private static long DfAvailable(string hostDirectory)
    {
        var r = ExternalProcess.Run("df", ["--output=avail", hostDirectory]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return long.Parse(Encoding.UTF8.GetString(r.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    // The type mkdumprd finds (findmnt -k, by the device behind UUID=) differs from the configured one.
    [InlineData($"ext4 UUID={Uuid}\n", RootMount + DataMount, null, $"kdump: \"UUID={Uuid}\" have a wrong type config \"ext4\", expected \"xfs\"\n")]
    // Not mounted: the type comes from fstab (tabs between fields, a comment line).
    [InlineData("ext4 /dev/vdb1\n", RootMount, $"# data\nUUID={Uuid}\t/data\txfs\tdefaults\t0 2\n", "kdump: \"/dev/vdb1\" have a wrong type config \"ext4\", expected \"xfs\"\n")]
    [InlineData("xfs /dev/vdb1\n", RootMount, $"UUID={Uuid} /data xfs defaults 0 2\n", "kdump: Dump target \"/dev/vdb1\" is neither mounted nor configured as \"noauto\"\n")]
    [InlineData("xfs /dev/vdb1\npath /crash\n", RootMount + DataMount, null, "kdump: Dump path \"/crash\" does not exist in dump target \"/dev/vdb1\"\n")]
    // nfs4 in the mount table is nfs to kdump.conf; then the path is missing on the share.
    [InlineData("nfs server:/export\n", RootMount + "40 22 0:50 / /mnt/nfs rw,relatime shared:3 - nfs4 server:/export rw,vers=4.2\n", null,
        "kdump: Dump path \"/var/crash/\" does not exist in dump target \"server:/export\"\n")]
    public void A_configured_target_is_checked_as_mkdumprd_does(string conf, string mountinfo, string? fstab, string expected)
    {
        using var root = TargetRoot("mkdumprd-target-checks", conf, mountinfo, fstab);
        Assert.Equal((1, expected), Build(root));
    }

    [Theory]
    [InlineData($"UUID={Uuid} /data xfs noauto,defaults 0 2\n",
        "kdump: dump target \"/dev/vdb1\" (noauto) is not mounted: its dump path and free space are not checked (mkdumprd would mount it on /data to check them)\n")]
    // Upstream's test is for ",noauto": a lone noauto fails there (not copied).
    [InlineData($"/dev/vdb1 /data xfs noauto 0 2\n",
        "kdump: dump target \"/dev/vdb1\" (noauto) is not mounted: its dump path and free space are not checked (mkdumprd would mount it on /data to check them)\n")]
    [InlineData(null, "kdump: dump target \"/dev/vdb1\" is not mounted: its dump path and free space are not checked (mkdumprd would mount it to check them)\n")]
    public void A_target_that_is_not_mounted_is_built_with_a_warning(string? fstab, string expected)
    {
        using var root = TargetRoot("mkdumprd-target-unmounted", "xfs /dev/vdb1\n", RootMount, fstab, memTotalKiB: long.MaxValue / 1024);
        var (rc, err) = Build(root);
        Assert.Equal(0, rc);
        Assert.Equal(expected, err);
    }

    /// <summary>
    /// Stands in for mount(8) and umount(8): records each argv, runs the given action for a mount
    /// (it may put the dump path on the "mounted" directory, or fail), and unmounts by emptying the
    /// directory <paramref name="host"/> maps the mount point to.
    /// </summary>
    private sealed class MountRunner(Func<IReadOnlyList<string>, int> mount, Func<string, string> host) : ICommandRunner
    {
        public List<string> Runs { get; } = [];

        /// <summary>umount's exit status; when not 0 the "mounted" files stay (target busy).</summary>
        public int UmountStatus { get; set; }

        public int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output)
        {
            Runs.Add(string.Join(' ', argv));
            if (argv[0] == "umount")
            {
                if (UmountStatus != 0) return UmountStatus;
                foreach (var d in Directory.EnumerateDirectories(host(argv[^1]))) Directory.Delete(d, recursive: true);
                return 0;
            }
            var rc = mount(argv);
            if (rc != 0) output.WriteLine("mount: special device does not exist.");
            return rc;
        }

        public (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10) =>
            throw new InvalidOperationException("only mount and umount are run by these tests");
    }

    [Theory]
    // A noauto fstab entry is mounted in place (mount MNT), checked, and unmounted.
    [InlineData($"UUID={Uuid} /data xfs noauto,defaults 0 2\n", true, 0, "", "mount /data|umount -f -- /data")]
    [InlineData($"UUID={Uuid} /data xfs noauto,defaults 0 2\n", false, 1, "kdump: Dump path \"/var/crash/\" does not exist in dump target \"/dev/vdb1\"\n", "mount /data|umount -f -- /data")]
    [InlineData($"UUID={Uuid} /data xfs noauto,defaults 0 2\n", null, 1,
        "mount: special device does not exist.\nkdump: Failed to mount /dev/vdb1 on /data for kdump preflight check.\n", "mount /data")]
    // Neither mounted nor in fstab: mounted on a private temporary directory with the configured type.
    [InlineData(null, true, 0, "", "mount /dev/vdb1 TMP -t xfs -o defaults|umount -f -- TMP")]
    [InlineData(null, false, 1, "kdump: Dump path \"/var/crash/\" does not exist in dump target \"/dev/vdb1\"\n", "mount /dev/vdb1 TMP -t xfs -o defaults|umount -f -- TMP")]
    [InlineData(null, null, 1, "mount: special device does not exist.\nkdump: Failed to mount /dev/vdb1 for kdump preflight check.\n", "mount /dev/vdb1 TMP -t xfs -o defaults")]
    public void A_target_that_is_not_mounted_is_mounted_to_be_checked(string? fstab, bool? dumpPathExists, int rc, string stderr, string runs)
    {
        using var root = TargetRoot("mkdumprd-target-mount-check", "xfs /dev/vdb1\n", RootMount, fstab, memTotalKiB: 1);
        root.MakeDirectory("/data");
        string? temporary = null;
        // The temporary directory is the host's; mount MNT mounts at a path of the system (the tree).
        string Host(string path) => path.StartsWith(Path.GetTempPath(), StringComparison.Ordinal) ? path : root.Host(path);
        var mounter = new MountRunner(argv =>
        {
            if (dumpPathExists is null) return 32;
            var dir = Host(argv.Count == 2 ? argv[1] : argv[2]);
            if (argv.Count > 2)
            {
                temporary = argv[2];
                // Nobody but root may enter where the target is mounted.
                if (OperatingSystem.IsLinux()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(temporary)!));
            }
            Assert.True(Directory.Exists(dir), dir);
            if (dumpPathExists.Value) Directory.CreateDirectory(Path.Combine(dir, "var/crash"));
            return 0;
        }, Host);
        var (gotRc, gotStderr) = Build(root, mounter);
        var tmp = mounter.Runs[0].Split(' ') is { Length: > 2 } w ? w[2] : "TMP";
        Assert.Equal((rc, stderr), (gotRc, gotStderr.Replace(tmp, "TMP", StringComparison.Ordinal)));
        Assert.Equal(runs, string.Join('|', mounter.Runs).Replace(tmp, "TMP", StringComparison.Ordinal));
        // The private directory is made only root can enter, and removed afterwards.
        if (tmp != "TMP")
        {
            Assert.EndsWith("/target", tmp, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.GetDirectoryName(tmp)), tmp);
        }
        if (temporary is not null) Assert.Equal(tmp, temporary);
    }

    [Fact]
    public void A_target_umount_leaves_mounted_is_named_and_nothing_on_it_is_removed()
    {
        using var root = TargetRoot("mkdumprd-target-busy", "xfs /dev/vdb1\n", RootMount, memTotalKiB: 1);
        string? mounted = null;
        var mounter = new MountRunner(argv =>
        {
            mounted = argv[2];
            Directory.CreateDirectory(Path.Combine(mounted, "var/crash"));
            File.WriteAllText(Path.Combine(mounted, "var/crash/earlier-vmcore"), "a dump from before");
            return 0;
        }, p => p) { UmountStatus = 32 };
        try
        {
            var (rc, err) = Build(root, mounter);
            var temporary = Path.GetDirectoryName(mounted)!;
            // Tried twice, as upstream's exit trap tries again; the build itself succeeds.
            Assert.Equal([$"mount /dev/vdb1 {mounted} -t xfs -o defaults", $"umount -f -- {mounted}", $"umount -f -- {mounted}"], mounter.Runs);
            Assert.Equal((0, $"kdump: /dev/vdb1 is still mounted on {mounted}: unmount it and remove {temporary}\n"), (rc, err));
            Assert.Equal("a dump from before", File.ReadAllText(Path.Combine(mounted!, "var/crash/earlier-vmcore")));
        }
        finally
        {
            if (mounted is not null) Directory.Delete(Path.GetDirectoryName(mounted)!, recursive: true);
        }
    }

    [Theory]
    // A mount point that is no absolute path is not "no fstab entry": nothing is mounted on a temporary directory.
    [InlineData("/dev/vdb1 data xfs defaults 0 2\n", "kdump: Dump target \"/dev/vdb1\" is neither mounted nor configured as \"noauto\"\n")]
    [InlineData("/dev/vdb1 /data/../.. xfs noauto 0 2\n", "kdump: Failed to mount /dev/vdb1 on /data/../.. for kdump preflight check: its fstab mount point is not a plain absolute path.\n")]
    [InlineData("/dev/vdb1 data xfs noauto 0 2\n", "kdump: Failed to mount /dev/vdb1 on data for kdump preflight check: its fstab mount point is not a plain absolute path.\n")]
    public void An_fstab_entry_with_a_relative_mount_point_is_not_mounted_elsewhere(string fstab, string expected)
    {
        using var root = TargetRoot("mkdumprd-target-relative", "xfs /dev/vdb1\n", RootMount, fstab, memTotalKiB: 1);
        var mounter = new MountRunner(_ => 0, p => p);
        Assert.Equal((1, expected), Build(root, mounter));
        Assert.Empty(mounter.Runs);
    }

    [Fact]
    public void A_noauto_nfs_target_is_mounted_in_place_under_a_timeout()
    {
        using var root = TargetRoot("mkdumprd-nfs-noauto", "nfs server:/export\n", RootMount, "server:/export /mnt/nfs nfs4 noauto,vers=4.2 0 0\n", memTotalKiB: 1);
        var mounter = new MountRunner(_ => 32, p => p);
        Assert.Equal((1, "mount: special device does not exist.\nkdump: Failed to mount server:/export on /mnt/nfs for kdump preflight check. Please make sure nfs-utils has been installed, and nfs server is accessible.\n"),
            Build(root, mounter));
        Assert.Equal(["timeout --preserve-status 10m mount /mnt/nfs"], mounter.Runs);
    }

    [Fact]
    public void An_nfs_target_that_is_not_mounted_is_mounted_under_a_timeout()
    {
        using var root = TargetRoot("mkdumprd-nfs-mount-check", "nfs server:/export\n", RootMount, memTotalKiB: 1);
        var mounter = new MountRunner(_ => 32, p => p);
        var (rc, err) = Build(root, mounter);
        var tmp = mounter.Runs[0].Split(' ')[5];
        Assert.Equal($"timeout --preserve-status 10m mount server:/export {tmp} -t nfs -o defaults", mounter.Runs.Single());
        Assert.Equal((1, "mount: special device does not exist.\nkdump: Failed to mount server:/export for kdump preflight check. Please make sure nfs-utils has been installed, and nfs server is accessible.\n"), (rc, err));
        Assert.False(Directory.Exists(Path.GetDirectoryName(tmp)), tmp);
    }

    /// <summary>Records each argv and runs it on this machine.</summary>
    private sealed class RecordingRunner(ICommandRunner inner) : ICommandRunner
    {
        public List<string> Runs { get; } = [];

        public int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output)
        {
            Runs.Add(string.Join(' ', argv));
            return inner.Run(argv, environment, output);
        }

        public (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10)
        {
            Runs.Add(string.Join(' ', argv));
            return inner.Capture(argv, maxStdoutBytes);
        }
    }

    [Fact]
    public void A_real_file_system_that_is_not_mounted_is_mounted_checked_and_unmounted_again()
    {
        using var root = TargetRoot("mkdumprd-real-mount", "", RootMount, memTotalKiB: 1);
        // An 8 MiB ext4 image holding /var/crash, made here; mount(8) gives a file its own loop
        // device and frees it again at umount.
        var staging = Path.Combine(root.Scratch, "staging");
        Directory.CreateDirectory(Path.Combine(staging, "var/crash"));
        var image = Path.Combine(root.Scratch, "dump.ext4");
        var mkfs = ExternalProcess.Run("mkfs.ext4", ["-q", "-F", "-d", staging, image, "8M"]);
        Assert.True(mkfs.ExitCode == 0, mkfs.Stderr);
        var runner = new RecordingRunner(new SystemCommandRunner());
        string Mounted() => string.Join('\n', File.ReadLines("/proc/self/mountinfo").Where(l => l.Contains("/mkdumprd.", StringComparison.Ordinal)));

        root.Write("/etc/kdump.conf", $"ext4 {image}\n");
        Assert.Equal((0, ""), Build(root, runner));
        var tmp = System.Text.RegularExpressions.Regex.Escape(Path.GetTempPath().TrimEnd('/'));
        Assert.Matches($@"^mount \S+ {tmp}/mkdumprd\.\w+/target -t ext4 -o defaults\|umount -f -- {tmp}/mkdumprd\.\w+/target$", string.Join('|', runner.Runs));
        // The room df reports on the mounted file system, against MemTotal.
        root.Write("/proc/meminfo", "MemTotal: 1048576 kB\n");
        Assert.Equal((0, "kdump: There might not be enough space to save a vmcore.\n"
            + $"kdump: The size of {image} should be greater than 1048576 kilo bytes.\n"), Build(root, runner));
        root.Write("/etc/kdump.conf", $"ext4 {image}\npath /nowhere\n");
        Assert.Equal((1, $"kdump: Dump path \"/nowhere\" does not exist in dump target \"{image}\"\n"), Build(root, runner));
        Assert.Equal("", Mounted());
        Assert.Equal(6, runner.Runs.Count);
        Assert.All(runner.Runs.Select(r => r.Split(' ')[^1]).Distinct(), dir => Assert.False(Directory.Exists(Path.GetDirectoryName(dir)), dir));
        var losetup = ExternalProcess.Run("losetup", ["-j", image]);
        Assert.Equal("", Encoding.UTF8.GetString(losetup.Stdout));

        // No file system at all: mount(8)'s own error, then upstream's.
        var zeros = Path.Combine(root.Scratch, "zeros");
        File.WriteAllBytes(zeros, new byte[1 << 20]);
        root.Write("/etc/kdump.conf", $"ext4 {zeros}\n");
        var (rc, err) = Build(root, runner);
        Assert.Equal(1, rc);
        Assert.EndsWith($"\nkdump: Failed to mount {zeros} for kdump preflight check.\n", err, StringComparison.Ordinal);
        Assert.StartsWith("mount: ", err, StringComparison.Ordinal);
        Assert.Equal("", Mounted());
    }

    /// <summary>
    /// mkdumprd <c>to_mount</c>: the image mounts a configured target where the first kernel has the
    /// whole file system (not a bind mount of part of it), or a btrfs target where its first mount's
    /// subvolume is, with the first mount's options; an unmounted target comes from fstab. The
    /// device is found by node, as findmnt --source finds it (a /dev/mapper name for /dev/dm-3).
    /// </summary>
    [Theory]
    // A bind mount of part of the file system comes first: the image mounts the whole one's place,
    // with the first mount's options (findmnt -f), as upstream.
    [InlineData("xfs /dev/vdb1\n", RootMount + "29 22 254:17 /crash /srv/crash rw,noatime shared:2 - xfs /dev/vdb1 rw\n" + DataMount, null,
        "/data/var/crash", "/dev/vdb1 /kdumproot/data xfs rw,noatime 0 0\n")]
    // Not mounted, a noauto fstab entry: its mount point and options, noauto and nofail dropped, ro made rw.
    [InlineData("xfs /dev/vdb1\n", RootMount, $"UUID={Uuid} /data/ xfs noauto,nofail,ro 0 2\n", null, "/dev/vdb1 /kdumproot/data xfs rw 0 0\n")]
    // Mounted under a /dev/mapper link to the node kdump.conf names.
    [InlineData("xfs /dev/dm-3\n", RootMount + "30 22 253:3 / /data rw,relatime shared:2 - xfs /dev/mapper/vg-data rw\n", null,
        "/data/var/crash", "/dev/dm-3 /kdumproot/data xfs rw,relatime 0 0\n")]
    // btrfs: a subvolume's mount comes first, the top level's (the default subvolume) is the one
    // findmnt -f takes by the device's name, and its subvol=/ picks the whole file system's mount.
    [InlineData("btrfs /dev/vdb1\n", RootMount + "29 22 254:17 /@data /data rw,relatime shared:2 - btrfs /dev/vdb1 rw,subvolid=256,subvol=/@data\n"
        + "30 22 254:17 / /mnt/pool rw,relatime shared:3 - btrfs /dev/vdb1 rw,subvolid=5,subvol=/\n", null,
        "/mnt/pool/var/crash", "/dev/vdb1 /kdumproot/mnt/pool btrfs rw,relatime,subvolid=5,subvol=/ 0 0\n")]
    // The same on LVM: a UUID= target names dm-3, which the kernel lists as /dev/mapper/vg-data.
    [InlineData("btrfs UUID=d3d3\n", RootMount + "29 22 253:3 /@data /data rw,relatime shared:2 - btrfs /dev/mapper/vg-data rw,subvolid=256,subvol=/@data\n"
        + "30 22 253:3 / /mnt/pool rw,relatime shared:3 - btrfs /dev/mapper/vg-data rw,subvolid=5,subvol=/\n", null,
        "/mnt/pool/var/crash", "UUID=d3d3 /kdumproot/mnt/pool btrfs rw,relatime,subvolid=5,subvol=/ 0 0\n")]
    // By its own name first (findmnt -f), then by another: the options of /b, the mount point of /a.
    [InlineData("xfs /dev/dm-3\n", RootMount + "30 22 253:3 / /a rw,noatime shared:2 - xfs /dev/mapper/vg-data rw\n"
        + "31 22 253:3 / /b rw,relatime shared:3 - xfs /dev/dm-3 rw\n", null,
        "/a/var/crash", "/dev/dm-3 /kdumproot/a xfs rw,relatime 0 0\n")]
    // An fstab entry by a LABEL= with a blank (fstab's \040), whose udev link is my\x20dump.
    [InlineData("xfs /dev/vdb1\n", RootMount, "LABEL=my\\040dump /data xfs noauto 0 2\n", null, "/dev/vdb1 /kdumproot/data xfs defaults 0 0\n")]
    // An fstab entry by PARTUUID=.
    [InlineData("xfs /dev/vdb1\n", RootMount, "PARTUUID=5eed-01 /data xfs noauto 0 2\n", null, "/dev/vdb1 /kdumproot/data xfs defaults 0 0\n")]
    // A mount point with a blank is written escaped, as fstab has it.
    [InlineData("xfs /dev/vdb1\n", RootMount + "30 22 254:17 / /my\\040data rw,relatime shared:2 - xfs /dev/vdb1 rw\n", null,
        "/my data/var/crash", "/dev/vdb1 /kdumproot/my\\040data xfs rw,relatime 0 0\n")]
    // fstab mount points that are no place to mount: the image mounts the target on /kdumproot.
    [InlineData("xfs /dev/vdb1\n", RootMount, "/dev/vdb1 /data/../.. xfs noauto 0 2\n", "/var/crash", "/dev/vdb1 /kdumproot xfs defaults 0 0\n")]
    [InlineData("xfs /dev/vdb1\n", RootMount, "/dev/vdb1 data xfs noauto 0 2\n", null, "/dev/vdb1 /kdumproot xfs defaults 0 0\n")]
    public void The_image_mounts_a_configured_target_where_the_first_kernel_has_it(string conf, string mountinfo, string? fstab, string? dumpDirectory, string expected)
    {
        using var root = TargetRoot("mkdumprd-target-mount", conf, mountinfo, fstab, memTotalKiB: 1);
        root.Write("/sys/class/block/dm-3/dev", "253:3\n");
        root.Write("/dev/dm-3", "");
        Directory.CreateDirectory(root.Host("/dev/mapper"));
        File.CreateSymbolicLink(root.Host("/dev/mapper/vg-data"), "../dm-3");
        root.Write("/sys/class/block/dm-3/dm/name", "vg-data\n");
        File.CreateSymbolicLink(root.Host("/dev/disk/by-uuid/d3d3"), "../../dm-3");
        Directory.CreateDirectory(root.Host("/dev/disk/by-partuuid"));
        File.CreateSymbolicLink(root.Host("/dev/disk/by-partuuid/5eed-01"), "../../vdb1");
        Directory.CreateDirectory(root.Host("/dev/disk/by-label"));
        File.CreateSymbolicLink(root.Host("/dev/disk/by-label/my\\x20dump"), "../../vdb1");
        root.Write("/lib/modules/6.1.0-x/modules.builtin", "kernel/fs/xfs/xfs.ko\nkernel/fs/btrfs/btrfs.ko\n");
        if (dumpDirectory is not null) root.MakeDirectory(dumpDirectory);
        var (rc, err) = Build(root);
        Assert.True(rc == 0, err);
        var dir = CpioTool.Extract(Path.Combine(root.Scratch, "img"), root.Scratch);
        Assert.Equal(expected, File.ReadAllText(Path.Combine(dir, "etc/fstab")));
    }

    [Fact]
    public void A_dracut_args_mount_with_dump_and_pass_fields_mounts_with_its_options_only()
    {
        using var root = TargetRoot("mkdumprd-dracut-mount", "dracut_args --mount \"/dev/vdb1 /mnt/data xfs defaults,noatime 0 2\"\n", RootMount);
        var (rc, err) = Build(root);
        Assert.True(rc == 0, err);
        var dir = CpioTool.Extract(Path.Combine(root.Scratch, "img"), root.Scratch);
        Assert.Equal("/dev/vdb1 /mnt/data xfs defaults,noatime 0 0\n", File.ReadAllText(Path.Combine(dir, "etc/fstab")));
    }

    [Fact]
    public void Warnings_print_as_met_so_a_later_fatal_error_does_not_hide_them()
    {
        using var root = TargetRoot("mkdumprd-warn-then-fail", "xfs /dev/vdb1\ncore_collector bin/makedumpfile -l\n", RootMount);
        Assert.Equal((1, "kdump: dump target \"/dev/vdb1\" is not mounted: its dump path and free space are not checked (mkdumprd would mount it to check them)\n"
            + "kdump: core_collector: bin/makedumpfile must be an absolute path without . or .. components.\n"), Build(root));
    }

    [Fact]
    public void Target_paths_resolve_inside_the_root_and_odd_tables_do_not_crash_the_build()
    {
        // /data is an absolute link inside the tree: followed there, not on the host.
        using (var root = TargetRoot("mkdumprd-target-link", "xfs /dev/vdb1\npath /crash\n", RootMount + DataMount, memTotalKiB: 1))
        {
            root.MakeDirectory("/srv/data/crash");
            File.CreateSymbolicLink(root.Host("/data"), "/srv/data");
            Assert.Equal((0, ""), Build(root));
            // A path that climbs out of the root with .. stays inside it (there is no /crash under /).
            root.Write("/etc/kdump.conf", "xfs /dev/vdb1\npath /../../../../../../crash\n");
            Assert.Equal((1, "kdump: Dump path \"/../../../../../../crash\" does not exist in dump target \"/dev/vdb1\"\n"), Build(root));
        }
        // fstab names the mount point with a trailing slash; another device is mounted there.
        using (var root = TargetRoot("mkdumprd-target-slash", "xfs /dev/vdb1\npath /crash\n",
            RootMount + "31 22 254:33 / /data rw,relatime shared:2 - xfs /dev/vdc1 rw\n", "/dev/vdb1 /data/ xfs defaults 0 2\n", memTotalKiB: 1))
        {
            root.MakeDirectory("/data/crash");
            Assert.Equal((0, ""), Build(root));
        }
        // An fstab escape that makes a NUL: no match, no crash.
        using (var root = TargetRoot("mkdumprd-target-nul", "xfs /dev/vdb1\n", RootMount, "/dev/vd\\000b1 /data xfs defaults 0 2\n"))
        {
            Assert.Equal((0, "kdump: dump target \"/dev/vdb1\" is not mounted: its dump path and free space are not checked (mkdumprd would mount it to check them)\n"), Build(root));
        }
    }

    [Fact]
    public void Free_space_below_memtotal_warns_for_a_configured_and_the_default_target()
    {
        // The free space is that of the file system the test root is on, as df reports it.
        const long slack = 1 << 20;   // KiB: other writers on that file system between df and mkdumprd
        foreach (var (conf, mountinfo, dir, target) in new[]
        {
            ("xfs UUID=" + Uuid + "\npath /crash\n", RootMount + DataMount, "/data/crash", "UUID=" + Uuid),
            ("path /var/crash\n", RootMount, "/var/crash", "/dev/vda1"),
        })
        {
            using var root = TargetRoot("mkdumprd-size", conf, mountinfo);
            root.MakeDirectory(dir);
            var avail = DfAvailable(root.Host(dir));

            root.Write("/proc/meminfo", $"MemTotal:       {avail + slack} kB\n");
            Assert.Equal((0, "kdump: There might not be enough space to save a vmcore.\n" +
                $"kdump: The size of {target} should be greater than {avail + slack} kilo bytes.\n"), Build(root));

            root.Write("/proc/meminfo", $"MemTotal:       {Math.Max(1, avail - slack)} kB\n");
            Assert.Equal((0, ""), Build(root));
        }
    }

    [Fact]
    public void A_raw_target_smaller_than_memory_warns_with_fdisk_sizes()
    {
        using var root = new TestRoot("mkdumprd-raw-size");
        root.Write("/etc/kdump.conf", "raw /dev/vdc\ncore_collector makedumpfile -F -l -d 31\n");
        // A regular file: fdisk -s gives its length in KiB, rounded down.
        root.Write("/dev/vdc", new string('x', 1024 * 1024 + 1023));
        root.Write("/proc/meminfo", "MemTotal:           1025 kB\n");
        Assert.Equal((0, "kdump: There might not be enough space to save a vmcore.\nkdump: The size of /dev/vdc should be greater than 1025 kilo bytes.\n"), Build(root));
        root.Write("/proc/meminfo", "MemTotal:           1024 kB\n");
        Assert.Equal((0, ""), Build(root));

        // A block device: sysfs size in 512-byte sectors (2 GiB here), reached through a by-id link.
        root.Write("/etc/kdump.conf", "raw /dev/disk/by-id/virtio-dump\ncore_collector makedumpfile -F -l -d 31\n");
        root.Write("/sys/class/block/vdd/dev", "254:48\n");
        root.Write("/sys/class/block/vdd/size", "4194304\n");
        root.Write("/dev/vdd", "a readable first block");
        Directory.CreateDirectory(root.Host("/dev/disk/by-id"));
        File.CreateSymbolicLink(root.Host("/dev/disk/by-id/virtio-dump"), "../../vdd");
        root.Write("/proc/meminfo", "MemTotal:        2097153 kB\n");
        Assert.Equal((0, "kdump: There might not be enough space to save a vmcore.\nkdump: The size of /dev/disk/by-id/virtio-dump should be greater than 2097153 kilo bytes.\n"), Build(root));
        root.Write("/proc/meminfo", "MemTotal:        2097152 kB\n");
        Assert.Equal((0, ""), Build(root));

        // A size that cannot be read is upstream's fatal probe failure.
        root.Write("/sys/class/block/vdd/size", "garbage\n");
        Assert.Equal((1, "kdump: Check dump target size failed\n"), Build(root));
        root.Write("/sys/class/block/vdd/size", new string('9', 80) + "\n");
        Assert.Equal((1, "kdump: Check dump target size failed\n"), Build(root));

        // A device node sysfs does not know by that name stats as 0 bytes: its size is not guessed.
        root.Write("/etc/kdump.conf", "raw /dev/cciss/c0d0\ncore_collector makedumpfile -F -l -d 31\n");
        root.Write("/dev/cciss/c0d0", "");
        var (rc, err) = Build(root);
        Assert.Equal(1, rc);   // CheckRaw reads its first block first: an empty stand-in is a bad raw disk
        Assert.Equal("kdump: Bad raw disk /dev/cciss/c0d0\n", err);

        // A link that leaves the tree: the first block is read on the host (a file there), the size
        // cannot be taken inside the root: a warning, no crash.
        var outside = Path.Combine(root.Scratch, "outside-disk");
        File.WriteAllText(outside, new string('x', 4096));
        root.Write("/etc/kdump.conf", "raw /dev/outside\ncore_collector makedumpfile -F -l -d 31\n");
        File.CreateSymbolicLink(root.Host("/dev/outside"), outside);
        Assert.Equal((0, "kdump: the size of raw target /dev/outside is unknown: its room is not checked\n"), Build(root));
    }

    private static readonly string[] s_sshPrefix = ["ssh", "-q", "-n", "-i", "KEY", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "root@server"];

    /// <summary>
    /// The server side of mkdumprd's ssh checks, on this machine: sshd hands the words after the
    /// target, joined by spaces, to the user's shell (<c>sh -c</c>), and so does this runner. A
    /// command may be answered instead (a failure the test cannot cause as root). Records every argv.
    /// </summary>
    private sealed class LocalSshServer(string key, Func<string, (int, string)?>? answer = null) : ICommandRunner
    {
        public List<string> Commands { get; } = [];

        public int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output) =>
            throw new InvalidOperationException("only ssh is run by these tests");

        public (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10)
        {
            Assert.Equal(s_sshPrefix.Select(w => w == "KEY" ? key : w), argv.Take(s_sshPrefix.Length));
            var command = string.Join(' ', argv.Skip(s_sshPrefix.Length));
            Commands.Add(command);
            if (answer?.Invoke(command) is { } scripted) return scripted;
            var r = ExternalProcess.Run("sh", ["-c", command]);
            return (r.ExitCode, Encoding.UTF8.GetString(r.Stdout));
        }
    }

    [Fact]
    public void An_ssh_target_is_made_write_tested_and_measured_on_the_server_with_every_word_quoted()
    {
        using var root = new TestRoot("mkdumprd-ssh");
        var key = root.Write("/root/.ssh/kdump_id_rsa", "a key");
        root.Write("/usr/bin/ssh", "not really ssh", TestRoot.Executable);
        root.Write("/root/.ssh/known_hosts", "server ssh-ed25519 AAAA\n");
        // A path no shell may split or expand: the server creates exactly this directory.
        var server = Path.Combine(root.Scratch, "server");
        var savePath = server + "/dumps here/$(touch " + server + "/pwned)";
        Directory.CreateDirectory(server);
        var avail = DfAvailable(server);
        var ssh = new LocalSshServer(key);
        IReadOnlyList<string> Build(string conf, long memTotalKiB)
        {
            root.Write("/etc/kdump.conf", conf);
            root.Write("/proc/meminfo", $"MemTotal: {memTotalKiB} kB\n");
            // No network facts: the image gets no network.conf (a warning), which is not tested here.
            var request = new CaptureImageRequest { Root = root.Dir, KernelVersion = "6.1.0-x", CaptureProgram = root.CaptureProgram(), PreflightCommands = ssh };
            return [.. new CaptureImageBuilder(request).Build().Warnings.Where(w => !w.StartsWith("the network toward", StringComparison.Ordinal) && !w.Contains("/lib/modules/", StringComparison.Ordinal))];
        }

        var conf = $"ssh root@server\npath {savePath}\ncore_collector makedumpfile -F -l -d 31\n";
        Assert.Equal(["There might not be enough space to save a vmcore.", $"The size of root@server should be greater than {avail + (1 << 20)} kilo bytes."],
            Build(conf, avail + (1 << 20)));
        Assert.True(Directory.Exists(savePath));
        Assert.Empty(Directory.EnumerateFileSystemEntries(savePath));   // the write test's directory is gone
        Assert.False(File.Exists(Path.Combine(server, "pwned")), "the remote shell ran a command from kdump.conf");
        Assert.Equal(["mkdir", "mktemp", "rmdir", "df"], ssh.Commands.Select(c => c.Split(' ')[0]));
        Assert.Equal($"mkdir -p '{savePath}'", ssh.Commands[0]);

        // The configured key when it exists; else the default one (upstream's SSH_KEY_LOCATION).
        ssh.Commands.Clear();
        Assert.Equal(["ssh key /root/.ssh/nosuch not found"],
            Build($"ssh root@server\npath {savePath}\nsshkey /root/.ssh/nosuch\ncore_collector makedumpfile -F -l -d 31\n", Math.Max(1, avail - (1 << 20))));
        Assert.Equal(4, ssh.Commands.Count);
    }

    [Theory]
    [InlineData("mkdir", 255, "", "kdump: mkdir failed on root@server:/var/crash/\n")]
    [InlineData("mktemp", 1, "", "kdump: Could not create temporary directory on root@server:/var/crash/. Make sure user has write permission on destination\n")]
    [InlineData("df", 1, "", "kdump: checking remote ssh server available size failed.\n")]
    [InlineData("df", 0, "Avail\n", "kdump: checking remote ssh server available size failed.\n")]
    public void A_failing_ssh_check_stops_the_build_with_upstreams_message(string failing, int rc, string stdout, string expected)
    {
        using var root = new TestRoot("mkdumprd-ssh-fail");
        var key = root.Write("/root/.ssh/kdump_id_rsa", "a key");
        root.Write("/etc/kdump.conf", "ssh root@server\ncore_collector makedumpfile -F -l -d 31\n");
        var ssh = new LocalSshServer(key, c => c.StartsWith(failing, StringComparison.Ordinal) ? (rc, stdout)
            : c.StartsWith("mktemp", StringComparison.Ordinal) ? (0, "/var/crash/tmp.X\n") : (0, c.StartsWith("df", StringComparison.Ordinal) ? "Avail\n 100\n" : ""));
        var image = Path.Combine(root.Scratch, "img");
        Assert.Equal((1, expected), Run(root, ssh, "--root", root.Dir, "--backend=minimal", "--capture-program", root.CaptureProgram(), image, "6.1.0-x"));
        Assert.False(File.Exists(image));
    }

    [Fact]
    public void Existing_image_needs_force_and_backend_comes_from_sysconfig_or_dracut_presence()
    {
        using var root = new TestRoot("mkdumprd-force");
        root.Write("/etc/kdump.conf", "ext4 /dev/vdb\n");
        var image = root.Write("/boot/existing.img", "old");
        var (rc, err) = Run(root, "--root", root.Dir, "--backend=minimal", "--capture-program", root.CaptureProgram(), image, "6.1.0-x");
        Assert.Equal(1, rc);
        Assert.Equal($"dracut: Will not override existing initramfs ({image}) without --force\n", err);

        var rooted = new Image.RootedPath(root.Dir);
        Assert.Equal("minimal", MkdumprdCommand.ChooseBackend(rooted));
        root.Write("/usr/bin/dracut", "#!/bin/sh\n", TestRoot.Executable);
        Assert.Equal("dracut", MkdumprdCommand.ChooseBackend(rooted));
        root.Write("/etc/sysconfig/kdump", "MKDUMPRD_BACKEND=minimal\n");
        Assert.Equal("minimal", MkdumprdCommand.ChooseBackend(rooted));
    }

    [Fact]
    public void Hooks_and_extra_bins_come_with_their_libraries_as_ldd_sees_them()
    {
        // Root "/" of this machine: the ELF closure of a real dynamic program against the system
        // loader's own answer (ldd), both resolved to real paths.
        var resolver = new Elf.SharedLibraryResolver(new Image.RootedPath("/"));
        const string program = "/usr/bin/ssh";
        var ours = resolver.Closure(program, out var missing)
            .Where(f => f.LinkTarget is null).Select(f => f.Path).Where(p => p != program)
            .ToList();
        Assert.Empty(missing);
        var ldd = Encoding.UTF8.GetString(ExternalProcess.Run("ldd", [program]).Stdout);
        var theirs = ldd.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim()).Where(l => !l.StartsWith("linux-vdso", StringComparison.Ordinal))
            .Select(l => l.Contains("=>", StringComparison.Ordinal) ? l.Split("=>")[1].Trim() : l)
            .Select(l => l.Split(' ')[0])
            .ToList();
        Assert.Equal(RealPaths(theirs), RealPaths(ours));
    }

    [Fact]
    public void Script_hooks_bring_their_interpreter_and_its_libraries_as_dracut_inst_script_does()
    {
        // /bin/sh -> dash: a real dynamic interpreter (this machine's), a link to it, and a script.
        using var root = new TestRoot("mkdumprd-script-hook");
        root.Write("/etc/kdump.conf", "ext4 /dev/vdb\nkdump_pre /usr/local/bin/pre.sh\nfailure_action poweroff\n");
        root.Write("/etc/sysconfig/kdump", "MKDUMPRD_BACKEND=minimal\n");
        root.Write("/usr/local/bin/pre.sh", "#! /bin/sh -e\necho pre\n", TestRoot.Executable);
        root.Write("/etc/kdump/post.d/10-post", "#!/usr/bin/dash\necho post\n", TestRoot.Executable);
        // A merged-/usr root like this machine's, then dash's closure as this machine resolves it.
        foreach (var dir in new[] { "bin", "sbin", "lib", "lib64" })
        {
            root.MakeDirectory("/usr/" + dir);
            File.CreateSymbolicLink(root.Host("/" + dir), "usr/" + dir);
        }
        var host = new Image.RootedPath("/");
        foreach (var (path, link) in new Elf.SharedLibraryResolver(host).Closure("/usr/bin/dash", out _))
        {
            var dir = Path.GetDirectoryName(path)!;
            if (host.Resolve(dir) != dir) continue;   // a spelling through a directory link: the link above covers it
            Directory.CreateDirectory(root.Host(dir));
            if (File.Exists(root.Host(path)) || Directory.Exists(root.Host(path))) continue;   // reached through another link
            if (link is not null) File.CreateSymbolicLink(root.Host(path), link);
            else File.Copy(path, root.Host(path));
        }
        File.CreateSymbolicLink(root.Host("/usr/bin/sh"), "dash");
        var mdf = Path.Combine(root.Scratch, "makedumpfile");
        File.WriteAllText(mdf, "our makedumpfile\n");
        var image = Path.Combine(root.Scratch, "kdump.img");

        var (rc, err) = Run(root, "--root", root.Dir, "--capture-program", root.CaptureProgram(), "--makedumpfile", mdf, "-f", image, "6.1.0-test");
        Assert.True(rc == 0, err);
        var names = CpioTool.List(CpioTool.Decompress(image, root.Scratch));
        // /bin/sh is reached through the bin -> usr/bin link and the sh -> dash link: the image
        // holds /bin/sh -> /usr/bin/sh -> dash, and the loader under the name dash asks for.
        Assert.True(names.Contains("bin/sh"), string.Join(" ", names));
        Assert.Contains("usr/bin/sh", names);
        Assert.Contains("usr/bin/dash", names);
        Assert.Contains("lib64/ld-linux-x86-64.so.2", names);
        Assert.Contains("usr/local/bin/pre.sh", names);
        Assert.Contains("etc/kdump/post.d/10-post", names);
        Assert.Contains(names, n => n.EndsWith("/libc.so.6", StringComparison.Ordinal));

        // An interpreter the root does not have is an error naming it, not a hook that fails later.
        root.Write("/usr/local/bin/pre.sh", "#!/usr/bin/python3\nprint('pre')\n", TestRoot.Executable);
        File.Delete(image);
        (rc, err) = Run(root, "--root", root.Dir, "--capture-program", root.CaptureProgram(), "--makedumpfile", mdf, "-f", image, "6.1.0-test");
        Assert.Equal(1, rc);
        Assert.Contains($"kdump_pre: /usr/local/bin/pre.sh needs its interpreter /usr/bin/python3, not found under {root.Dir}", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#!/bin/sh\n", "/bin/sh")]
    [InlineData("#! /usr/bin/env python3\n", "/usr/bin/env")]
    [InlineData("#!\t/bin/busybox sh\necho", "/bin/busybox")]
    [InlineData("#!sh\n", null)]
    [InlineData("\u007fELF", null)]
    [InlineData("#!", null)]
    public void The_interpreter_is_the_first_word_of_the_shebang_line(string head, string? interpreter)
    {
        using var root = new TestRoot("shebang");
        Assert.Equal(interpreter, Initramfs.CaptureImageBuilder.ScriptInterpreter(root.Write("/x", head)));
    }

    private static string[] RealPaths(IEnumerable<string> paths) =>
        Encoding.UTF8.GetString(ExternalProcess.Run("realpath", paths).Stdout)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct().Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Default_target_and_dump_to_rootfs_come_from_the_mount_table()
    {
        using var root = new TestRoot("mkdumprd-default");
        root.MakeDirectory("/var/crash");
        root.Write("/etc/kdump.conf", "path /var/crash\nfailure_action dump_to_rootfs\n");
        // mountinfo lines as the kernel writes them (proc_pid_mountinfo.5).
        root.Write("/proc/self/mountinfo",
            "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n" +
            "30 22 254:17 / /var ro,noatime shared:2 - xfs /dev/vdb1 ro,noatime\n");
        var image = Path.Combine(root.Scratch, "img");
        var (rc, err) = Run(root, "--root", root.Dir, "--backend=minimal", "--compress=none", "--capture-program", root.CaptureProgram(), image, "6.1.0-x");
        Assert.True(rc == 0, err);
        var dir = CpioTool.Extract(image, root.Scratch);
        Assert.Equal("failure_action dump_to_rootfs\nxfs /dev/vdb1\npath /crash\n", File.ReadAllText(Path.Combine(dir, "etc/kdump.conf")));
        Assert.Equal("/dev/vdb1 /kdumproot/var xfs rw,noatime 0 0\n/dev/vda1 /sysroot ext4 rw,relatime,errors=remount-ro 0 0\n", File.ReadAllText(Path.Combine(dir, "etc/fstab")));
    }

    /// <summary>Window_Size of a zstd frame header (RFC 8878 §3.1.1.1): from Window_Descriptor, or Frame_Content_Size for a single segment.</summary>
    private static long ZstdWindowSize(byte[] frame)
    {
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], frame[..4]);
        var descriptor = frame[4];
        Assert.True((descriptor & 0x20) == 0, "single-segment frame: the window is the whole content");
        var windowDescriptor = frame[5];
        long windowBase = 1L << (10 + (windowDescriptor >> 3));
        return windowBase + windowBase / 8 * (windowDescriptor & 7);
    }
}
