using Kdump.Config.IO;
using Kdump.Config.Sysconfig;

namespace Kdump.Control;

/// <summary>
/// The kernel and kdump initramfs kdumpctl works with (kdump-lib.sh <c>prepare_kdump_bootinfo</c>,
/// fact sheet §2.3), as system paths.
/// </summary>
/// <param name="KernelVersion">KDUMP_KERNELVER or the running release.</param>
/// <param name="Kernel">The kdump kernel image.</param>
/// <param name="Initrd">The kdump initramfs (<c>initramfs-&lt;kver&gt;kdump.img</c>).</param>
public sealed record KdumpBootInfo(string KernelVersion, string Kernel, string Initrd)
{
    public const string VarLibKdump = "/var/lib/kdump";

    /// <summary>The running release: /proc/sys/kernel/osrelease under the root (<c>uname -r</c>).</summary>
    public static string RunningRelease(IRootFileSystem root) =>
        root.ReadAllText("/proc/sys/kernel/osrelease", 4096)?.Trim() ?? "";

    /// <summary>Null when no kernel image is found (the caller prints upstream's message).</summary>
    public static KdumpBootInfo? Resolve(IRootFileSystem root, SysconfigKdump sysconfig)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(sysconfig);
        var kver = ResolveKernelVersion(root, sysconfig);
        if (kver.Length == 0) return null;

        var images = new List<string>();
        if (BootImage(root) is { } bootImage && bootImage.EndsWith(kver, StringComparison.Ordinal)) images.Add(bootImage);
        images.Add(sysconfig.KdumpImg + "-" + kver + sysconfig.KdumpImgExt);
        var machineId = root.ReadAllText("/etc/machine-id", 4096)?.Trim() ?? "";
        images.Add(machineId + "/" + kver + "/" + sysconfig.KdumpImg);

        string? kernel = null;
        foreach (var dir in sysconfig.BootDirs)
        {
            kernel = images.Select(i => SystemPath.SqueezeSlashes(dir + "/" + i)).FirstOrDefault(root.FileExists);
            if (kernel is not null) break;
        }
        if (kernel is null) return null;

        // The default initrd beside the kernel names the kdump one; without one (a UKI), or when
        // the kernel's directory is not writable, it lives in /var/lib/kdump.
        var bootDir = SystemPath.Directory(kernel);
        var defaultInitrd = new[] { $"initramfs-{kver}.img", "initrd" }
            .Select(n => SystemPath.SqueezeSlashes(bootDir + "/" + n))
            .FirstOrDefault(root.FileExists);
        string initrd;
        if (defaultInitrd is null || !root.IsWritableDirectory(bootDir))
        {
            initrd = $"{VarLibKdump}/initramfs-{kver}kdump.img";
        }
        else
        {
            initrd = defaultInitrd.EndsWith(".img", StringComparison.Ordinal)
                ? defaultInitrd[..^".img".Length] + "kdump.img"
                : defaultInitrd + "kdump";
        }
        return new KdumpBootInfo(kver, kernel, initrd);
    }

    // _get_kdump_kernel_version: a +debug/-debug release maps to its non-debug twin when installed.
    private static string ResolveKernelVersion(IRootFileSystem root, SysconfigKdump sysconfig)
    {
        if (sysconfig.KdumpKernelVer.Length > 0) return sysconfig.KdumpKernelVer;
        var running = RunningRelease(root);
        foreach (var suffix in new[] { "+debug", "-debug" })
        {
            if (!running.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var plain = running[..^suffix.Length];
            if (root.FileExists($"/usr/lib/modules/{plain}/modules.dep")) return plain;
        }
        return running;
    }

    // BOOT_IMAGE from /proc/cmdline without GRUB's "(hd0,gpt2)" device prefix.
    private static string? BootImage(IRootFileSystem root)
    {
        var cmdline = root.ReadAllText("/proc/cmdline", 65536) ?? "";
        foreach (var p in CaptureCommandLine.ParseParameters(cmdline))
        {
            if (p.Name != "BOOT_IMAGE" || p.Value is not { } v) continue;
            var close = v.StartsWith('(') ? v.IndexOf(')', StringComparison.Ordinal) : -1;
            return close >= 0 ? v[(close + 1)..] : v;
        }
        return null;
    }
}
