using System.Globalization;
using System.Text;
using Kdump.Cli;
using Kdump.Control.Host;
using Kdump.Control.Testing;
using Kdump.Initramfs.Record;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;
using Kdump.Tools.Mkdumprd;

namespace Kdump.Control.Tests;

/// <summary>
/// need_initrd_rebuild's file-system and driver checks (steps 5 and 6) and estimate's module sizes,
/// on images built by our mkdumprd (run in-process when kdumpctl calls it) with the bookworm lab
/// kernel's real modules, and on an image laid out as upstream's dracut writes it (GNU cpio, ./ names,
/// early cpio, gzip).
/// </summary>
public sealed class KdumpctlImageRebuildTests
{
    private const string Loaded = "kdump: kexec: loaded kdump kernel\nkdump: Starting kdump: [OK]\nkdump: Notice: No vmcore creation test performed!\n";
    private const string Rebuilding = "kdump: Rebuilding /boot/initramfs-6.1.0-testkdump.img\n";
    private const string Mkdumprd = "/sbin/mkdumprd --root $ROOT -f /boot/initramfs-6.1.0-testkdump.img 6.1.0-test";

    /// <summary>A root whose kernel 6.1.0-test has the bookworm lab kernel's module tree; mkdumprd uses its minimal backend.</summary>
    internal static RootTree LabTree()
    {
        var modules = Path.Combine(Lab.Dir, "kernels", "bookworm", "root", "lib", "modules");
        var release = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "bookworm", "kernel-release")).Trim();
        var source = Path.Combine(modules, release);
        if (!File.Exists(Path.Combine(source, "modules.dep")))
            throw new DirectoryNotFoundException($"lab kernel modules missing at {source}: run eng/lab/fetch-kernel.sh");
        var tree = new RootTree();
        var link = tree.Host($"/lib/modules/{RootTree.Kver}");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, source);
        tree.Write("/etc/sysconfig/kdump", File.ReadAllText(tree.Host("/etc/sysconfig/kdump")) + "MKDUMPRD_BACKEND=minimal\n", RootTree.Old);
        Directory.CreateDirectory(tree.Host("/var/crash"));
        tree.Write("/opt/tools/kdump-capture", "our capture program\n", RootTree.Old);
        tree.Write("/opt/tools/makedumpfile", "our makedumpfile\n", RootTree.Old);
        return tree;
    }

    /// <summary>kdumpctl's mkdumprd runs are our mkdumprd, in-process, on the same root.</summary>
    private static RecordingProcessRunner OurMkdumprd(RootTree tree) => new RecordingProcessRunner().On(["/sbin/mkdumprd"], argv =>
    {
        var args = argv.Skip(1).ToList();
        // kdumpctl names the image by its system path; under --root it lives below the root.
        var image = args.IndexOf("-f") + 1;
        args[image] = tree.Host(args[image]);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        int rc;
        using (var ctx = new StreamToolContext("mkdumprd", Stream.Null, stdout, stderr, tree.Root))
        {
            rc = MkdumprdCommand.Run(ctx, args, new MkdumprdCommand.Environment(tree.Host("/opt/tools")));
        }
        return new ProcessResult(rc, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    });

    private static KdumpctlRun Start(RootTree tree) => KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), OurMkdumprd(tree), "", "start");

    private static BuildRecord Record(RootTree tree) => BuildRecord.Read(tree.Host(RootTree.KdumpInitrd));

    private static void AssertStart(KdumpctlRun run, string expectedStderr, bool rebuilt)
    {
        Assert.Equal(expectedStderr, run.Stderr);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(rebuilt ? [Mkdumprd] : [], run.Runs);
    }

    [Fact]
    public void Our_image_is_up_to_date_until_the_target_file_system_or_a_needed_driver_changes()
    {
        using var tree = LabTree();
        tree.Delete(RootTree.KdumpInitrd);
        AssertStart(Start(tree), "kdump: No kdump initial ramdisk found.\n" + Rebuilding + Loaded, rebuilt: true);

        // What the image recorded: the target as upstream's --mount, and the modules it carries,
        // the disk's drivers (virtio_blk, virtio_pci, found in sysfs) among them.
        var record = Record(tree);
        Assert.Equal($"--hostonly --hostonly-mode 'strict' --mount '/dev/disk/by-uuid/{RootTree.RootUuid} /sysroot ext4 rw,relatime' --kver '6.1.0-test'",
            record.BuildParameters);
        foreach (var m in new[] { "ext4", "jbd2", "mbcache", "crc16", "virtio_blk", "virtio_pci", "virtio_ring" })
            Assert.Contains(m, record.HostonlyModules);
        Assert.Equal(record.HostonlyModules.Order(StringComparer.Ordinal), record.HostonlyModules);

        AssertStart(Start(tree), Loaded, rebuilt: false);

        // /var (and so /var/crash) moves to an xfs file system of its own on a second disk.
        tree.AddVirtioDisk("vdb", 254, 16, "0000:00:06.0", "virtio3", (1, "9d1f0a2b-aaaa-bbbb-cccc-ddddeeeeffff"));
        tree.Write("/proc/self/mountinfo", tree.Read("/proc/self/mountinfo") + "30 22 254:17 / /var rw,noatime shared:2 - xfs /dev/vdb1 rw\n", RootTree.Old);
        AssertStart(Start(tree), "kdump: Detected change in File System\n" + Rebuilding + Loaded, rebuilt: true);
        Assert.Contains("--mount '/dev/disk/by-uuid/9d1f0a2b-aaaa-bbbb-cccc-ddddeeeeffff /kdumproot/var xfs rw,noatime'", Record(tree).BuildParameters, StringComparison.Ordinal);
        Assert.Contains("xfs", Record(tree).HostonlyModules);
        AssertStart(Start(tree), Loaded, rebuilt: false);

        // An i6300esb watchdog appears: its module must be in the image.
        tree.Write("/sys/devices/pci0000:00/0000:00:05.0/modalias", "pci:v00008086d000025ABsv00001AF4sd00001100bc08sc80i00\n", RootTree.Old);
        tree.Link("/sys/devices/pci0000:00/0000:00:05.0/driver", "/sys/bus/pci/drivers/i6300esb");
        tree.Link("/sys/bus/pci/drivers/i6300esb/module", "/sys/module/i6300esb");
        tree.Write("/sys/module/i6300esb/refcnt", "0\n", RootTree.Old);
        tree.Link("/sys/class/watchdog/watchdog0/device", "/sys/devices/pci0000:00/0000:00:05.0");
        AssertStart(Start(tree), "kdump: Detected change in block device driver, new loaded module: i6300esb\n" + Rebuilding + Loaded, rebuilt: true);
        Assert.Contains("i6300esb", Record(tree).HostonlyModules);
        AssertStart(Start(tree), Loaded, rebuilt: false);

    }

    /// <summary>
    /// An image as Fedora's mkdumprd → dracut writes it: a plain early cpio, then the main archive
    /// gzip-compressed, names with "./" (find . | cpio -o -H newc), build-parameter.txt with dracut's
    /// full argument line.
    /// </summary>
    private static void WriteUpstreamImage(RootTree tree, string mount, string modules)
    {
        var scratch = tree.Host("/tmp/upstream-image");
        var early = Path.Combine(scratch, "early");
        var main = Path.Combine(scratch, "main");
        Directory.CreateDirectory(Path.Combine(early, "kernel/x86/microcode"));
        File.WriteAllText(Path.Combine(early, "early_cpio"), "1\n");
        File.WriteAllText(Path.Combine(early, "kernel/x86/microcode/GenuineIntel.bin"), "microcode\n");
        Directory.CreateDirectory(Path.Combine(main, "usr/lib/dracut"));
        File.WriteAllText(Path.Combine(main, "usr/lib/dracut/build-parameter.txt"),
            "--quiet --hostonly --hostonly-cmdline --hostonly-i18n --hostonly-mode 'strict' --hostonly-nics '' --aggressive-strip " +
            $"--mount '{mount}' --add squash-squashfs --squash-compressor 'zstd' --no-hostonly-default-device --add-confdir '/lib/kdump/dracut.conf.d' -f\n");
        File.WriteAllText(Path.Combine(main, "usr/lib/dracut/hostonly-kernel-modules.txt"), modules);
        var image = tree.Host(RootTree.KdumpInitrd);
        var sh = $"set -e; cd '{early}'; find . | LC_ALL=C sort | cpio --quiet -o -H newc > '{image}'; " +
                 $"cd '{main}'; find . | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -9 >> '{image}'";
        var r = ExternalProcess.Run("sh", ["-c", sh]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Directory.Delete(scratch, recursive: true);
        File.SetLastWriteTimeUtc(image, DateTimeOffset.FromUnixTimeSeconds(RootTree.New).UtcDateTime);
    }

    [Theory]
    [InlineData("/dev/disk/by-uuid/" + RootTree.RootUuid + " /sysroot ext4 rw,relatime", "virtio_blk\nvirtio_pci\n", "")]
    [InlineData("/dev/disk/by-uuid/" + RootTree.RootUuid + " /sysroot xfs rw,relatime", "virtio_blk\nvirtio_pci\n", "kdump: Detected change in File System\n")]
    [InlineData("/dev/disk/by-uuid/" + RootTree.RootUuid + " /sysroot ext4 rw,relatime", "virtio_pci\n", "kdump: Detected change in block device driver, new loaded module: virtio_blk\n")]
    public void An_image_laid_out_by_upstream_dracut_is_read_the_same(string mount, string modules, string detected)
    {
        using var tree = LabTree();
        WriteUpstreamImage(tree, mount, modules);
        var runner = new RecordingProcessRunner();
        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), runner, "", "start");
        Assert.Equal(detected + (detected.Length > 0 ? Rebuilding : "") + Loaded, run.Stderr);
        Assert.Equal(detected.Length > 0 ? [Mkdumprd] : [], run.Runs);
    }

    [Fact]
    public void A_corrupt_image_is_named_and_treated_as_recording_nothing()
    {
        using var tree = new RootTree();
        var good = File.ReadAllBytes(tree.Host(RootTree.KdumpInitrd));
        tree.WriteBytes(RootTree.KdumpInitrd, good[..(good.Length / 2)], RootTree.New);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal(
            "kdump: cannot read /boot/initramfs-6.1.0-testkdump.img: '$ROOT/boot/initramfs-6.1.0-testkdump.img': zstd data at offset 0x0: " +
            "the compressed stream ends early after 0x0 output bytes (truncated?)\n" +
            "kdump: No dracut arguments found in initrd\n" + Loaded, run.Stderr);
        Assert.Equal(0, run.ExitCode);
    }

    /// <summary>
    /// get_mount_info looks in fstab for a target the kernel has not mounted: a noauto dump disk has
    /// its type and mount point there, for the rebuild check and for the image alike; a mount point
    /// with a blank is recorded escaped, as kdumpctl compares it.
    /// </summary>
    [Theory]
    [InlineData("/data", "/kdumproot/data")]
    [InlineData("/my\\040data", "/kdumproot/my\\040data")]
    public void A_noauto_target_is_found_in_fstab_and_its_image_stays_up_to_date(string fstabMountPoint, string recorded)
    {
        const string uuid = "9d1f0a2b-aaaa-bbbb-cccc-ddddeeeeffff";
        using var tree = LabTree();
        tree.AddVirtioDisk("vdb", 254, 16, "0000:00:06.0", "virtio3", (1, uuid));
        tree.Write("/etc/fstab", $"UUID={uuid} {fstabMountPoint} xfs noauto,nofail 0 2\n", RootTree.Old);
        tree.Write("/etc/kdump.conf", $"xfs UUID={uuid}\npath /crash\n", RootTree.Old);
        tree.Delete(RootTree.KdumpInitrd);
        var run = Start(tree);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal([Mkdumprd], run.Runs);
        Assert.EndsWith(Loaded, run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"--mount '/dev/disk/by-uuid/{uuid} {recorded} xfs defaults'", Record(tree).BuildParameters, StringComparison.Ordinal);
        Assert.Contains("xfs", Record(tree).HostonlyModules);
        AssertStart(Start(tree), Loaded, rebuilt: false);
    }

    /// <summary>
    /// A btrfs dump disk whose subvolume @data is mounted before its top level: findmnt -f takes the
    /// top level's mount (the default subvolume) for the image's options and mount point, and
    /// kdumpctl's check finds the same place, so the image stays up to date.
    /// </summary>
    [Fact]
    public void A_btrfs_target_with_a_subvolume_mounted_first_stays_up_to_date()
    {
        const string uuid = "9d1f0a2b-aaaa-bbbb-cccc-ddddeeeeffff";
        using var tree = LabTree();
        tree.AddVirtioDisk("vdb", 254, 16, "0000:00:06.0", "virtio3", (1, uuid));
        tree.Write("/proc/self/mountinfo", tree.Read("/proc/self/mountinfo")
            + "30 22 254:17 /@data /data rw,relatime shared:2 - btrfs /dev/vdb1 rw,subvolid=256,subvol=/@data\n"
            + "31 22 254:17 / /mnt/pool rw,relatime shared:3 - btrfs /dev/vdb1 rw,subvolid=5,subvol=/\n", RootTree.Old);
        Directory.CreateDirectory(tree.Host("/mnt/pool/crash"));
        tree.Write("/etc/kdump.conf", $"btrfs UUID={uuid}\npath /crash\n", RootTree.Old);
        tree.Delete(RootTree.KdumpInitrd);
        var run = Start(tree);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"--mount '/dev/disk/by-uuid/{uuid} /kdumproot/mnt/pool btrfs rw,relatime,subvolid=5,subvol=/'", Record(tree).BuildParameters, StringComparison.Ordinal);
        AssertStart(Start(tree), Loaded, rebuilt: false);
    }

    [Fact]
    public void An_unmounted_target_is_an_invalid_dump_target_like_upstream()
    {
        using var tree = new RootTree();
        tree.Write("/proc/self/mountinfo", "22 1 0:21 / / rw - tmpfs none rw\n", RootTree.Old);
        var run = KdumpctlRun.Invoke(tree, "start");
        Assert.Equal("kdump: Dump target is invalid\nkdump: Starting kdump: [FAILED]\n", run.Stderr);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Estimate_sums_the_proc_modules_sizes_of_the_modules_our_image_carries()
    {
        using var tree = LabTree();
        tree.Delete(RootTree.KdumpInitrd);
        // /proc/modules as the kernel prints it (name size refcount deps state address); the sizes
        // are those of the lab kernel's .ko files, standing in for the loaded sizes. Two modules
        // that are loaded but not in the image must not count.
        var moduleDir = tree.Host($"/lib/modules/{RootTree.Kver}");
        var dep = File.ReadAllLines(Path.Combine(moduleDir, "modules.dep")).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
        var loaded = new[] { "ext4", "jbd2", "mbcache", "crc16", "virtio_blk", "virtio_pci", "virtio_ring", "virtio", "bluetooth", "snd" };
        var sizes = loaded.ToDictionary(m => m, m => new FileInfo(Path.Combine(moduleDir, dep.Single(p => Path.GetFileName(p) == m + ".ko"))).Length);
        tree.Write("/proc/modules", string.Concat(loaded.Select(m => $"{m} {sizes[m]} 0 - Live 0xffffffffc0000000\n")), RootTree.Old);

        var run = KdumpctlRun.Invoke(tree, new RecordingSystemCalls(), OurMkdumprd(tree), "", "estimate");
        Assert.Equal("kdump: No kdump initial ramdisk found.\n" + Rebuilding, run.Stderr);
        Assert.Equal(0, run.ExitCode);

        // The image's own list, read back by GNU cpio and zstd (not by our reader).
        var listed = ImageFileByGnuCpio(tree, BuildRecord.HostonlyModulesPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("bluetooth", listed);
        var inImage = loaded.Where(listed.Contains).ToList();
        Assert.Equal(8, inImage.Count);
        const long MiB = 1 << 20;
        var mod = inImage.Sum(m => sizes[m]);
        var initrd = new FileInfo(tree.Host(RootTree.KdumpInitrd)).Length;
        var kernel = 28 * MiB; // /proc/iomem: Kernel code 16M + rodata 8M + data 4M
        var recommended = Math.Max(256 * MiB, kernel + mod + 3 * initrd + 16 * MiB);
        var large = inImage.Where(m => sizes[m] >= MiB).ToList();
        Assert.NotEmpty(large); // ext4.ko is larger than 1 MiB
        var expected = new StringBuilder()
            .Append("Reserved crashkernel:    256M\n")
            .Append(CultureInfo.InvariantCulture, $"Recommended crashkernel: {recommended / MiB}M\n\n")
            .Append("Kernel image size:   28M\n")
            .Append(CultureInfo.InvariantCulture, $"Kernel modules size: {mod / MiB}M\n")
            .Append(CultureInfo.InvariantCulture, $"Initramfs size:      {initrd / MiB}M\n")
            .Append("Runtime reservation: 16M\n")
            .Append("Large modules:\n")
            .Append(string.Concat(large.Select(m => $"    {m}: {sizes[m]}\n")))
            .Append(recommended > 256 * MiB ? $"WARNING: Current crashkernel size is lower than recommended size {recommended / MiB}M.\n" : "")
            .ToString();
        Assert.Equal(expected, run.Stdout);
    }

    private static string ImageFileByGnuCpio(RootTree tree, string name)
    {
        var r = ExternalProcess.Run("sh", ["-c", $"zstd -dcq '{tree.Host(RootTree.KdumpInitrd)}' | cpio --quiet -i --to-stdout '{name}'"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return Encoding.UTF8.GetString(r.Stdout);
    }
}
