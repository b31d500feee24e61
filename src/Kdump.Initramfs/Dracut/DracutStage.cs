using System.Text;
using Kdump.Config.Conf;
using Kdump.Initramfs.Image;
using Kdump.Initramfs.Record;

namespace Kdump.Initramfs.Dracut;

/// <summary>
/// The directory our dracut module (dist/dracut/99kdump-cs/module-setup.sh) installs from, named
/// to it in <see cref="EnvironmentVariable"/>: <c>root/</c> holds the minimal backend's plan minus
/// what dracut provides itself, with the capture program moved from /init to
/// <see cref="CaptureProgramPath"/>; <c>wait-devices</c> lists the target devices the initqueue
/// waits for; <c>hosts-append</c> holds lines the module appends to the image's /etc/hosts.
/// </summary>
public static class DracutStage
{
    public const string EnvironmentVariable = "KDUMP_CS_STAGE";

    /// <summary>Where the pre-mount hook runs the capture program from.</summary>
    public const string CaptureProgramPath = "usr/lib/kdump/kdump-capture";

    public const string RootDirectory = "root";

    private static readonly string s_initEntry = ImagePlan.Normalize(CaptureImage.InitPath);
    public const string WaitDevicesFile = "wait-devices";

    /// <summary>
    /// Lines for the image's /etc/hosts (the dump server's pinned name): dracut may install the
    /// host's own hosts file first, and inst_simple keeps what is there, so the module appends these.
    /// </summary>
    public const string HostsAppendFile = "hosts-append";

    private static readonly string s_hostsEntry = ImagePlan.Normalize(Network.CaptureNetworkImage.HostsPath);

    /// <summary>Plan paths dracut provides (or must own) in its image, and why.</summary>
    private static readonly (string Path, bool Subtree)[] s_dracutOwned =
    [
        ("dev", true),                                  // devtmpfs, mounted by dracut's init
        ("lib/modules", true),                          // --add-drivers: dracut installs modules and runs depmod
        (CaptureImage.ModuleListPath, false),           // udev and dracut load modules; the list is the minimal /init's
        (CaptureImage.FstabPath, false),                // --mount writes the same lines
        ("etc/passwd", false),                          // dracut's base module
        ("etc/group", false),
        ("etc/initrd-release", false),                  // dracut's, read by systemd in the initrd
        (BuildRecord.BuildParametersPath, false),       // dracut records its own argv
        (BuildRecord.HostonlyModulesPath, false),
    ];

    /// <summary>Writes the stage for <paramref name="plan"/> into the empty directory <paramref name="stage"/>.</summary>
    public static void Write(ImagePlan plan, string stage)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stage);
        var root = Path.Combine(stage, RootDirectory);
        Directory.CreateDirectory(root);
        foreach (var e in plan.Entries)
        {
            if (IsDracutOwned(e.Path)) continue;
            if (e.Path == s_hostsEntry && e.Content is { } lines)
            {
                File.WriteAllBytes(Path.Combine(stage, HostsAppendFile), lines);
                continue;
            }
            var imagePath = e.Path == s_initEntry ? CaptureProgramPath : e.Path;
            var host = Path.Combine(root, imagePath);
            switch (e.Kind)
            {
                case ImageEntryKind.Directory:
                    Directory.CreateDirectory(host);
                    SetMode(host, e.Permissions);
                    break;
                case ImageEntryKind.Symlink:
                    Directory.CreateDirectory(Path.GetDirectoryName(host)!);
                    // Links to the capture program follow it: dracut's /init is systemd or its shell.
                    File.CreateSymbolicLink(host, e.LinkTarget == CaptureImage.InitPath ? "/" + CaptureProgramPath : e.LinkTarget ?? "");
                    break;
                case ImageEntryKind.File:
                    Directory.CreateDirectory(Path.GetDirectoryName(host)!);
                    if (e.Content is { } bytes) File.WriteAllBytes(host, bytes);
                    else CopyHostFile(e, host);
                    SetMode(host, e.Permissions);
                    break;
                default:
                    break; // device nodes: dracut's init mounts devtmpfs
            }
        }
        File.WriteAllText(Path.Combine(stage, WaitDevicesFile), string.Concat(WaitDevices(plan).Select(d => d + "\n")));
    }

    /// <summary>The udev names of the fstab's block devices (UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/…).</summary>
    public static IReadOnlyList<string> WaitDevices(ImagePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Get(CaptureImage.FstabPath)?.Content is not { } fstab) return [];
        var devices = new List<string>();
        foreach (var line in Encoding.UTF8.GetString(fstab).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var device = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            var spec = DeviceSpec.Parse(device);
            // nfs exports, virtiofs tags and the like are no block devices to wait for.
            if (spec.Kind == DeviceSpecKind.Path && !device.StartsWith("/dev/", StringComparison.Ordinal)) continue;
            var path = spec.ToDevicePath();
            if (!devices.Contains(path, StringComparer.Ordinal)) devices.Add(path);
        }
        return devices;
    }

    private static bool IsDracutOwned(string path) => s_dracutOwned.Any(o =>
    {
        var owned = ImagePlan.Normalize(o.Path);
        return path == owned || (o.Subtree && path.StartsWith(owned + "/", StringComparison.Ordinal));
    });

    private static void CopyHostFile(ImageEntry e, string host)
    {
        try
        {
            File.Copy(e.SourcePath!, host, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InitramfsBuildException($"cannot read {e.SourcePath} for /{e.Path}: {ex.Message}", ex);
        }
    }

    private static void SetMode(string path, uint permissions)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)(permissions & 0xFFF));
    }
}
