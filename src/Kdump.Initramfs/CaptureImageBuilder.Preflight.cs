using Kdump.Config.Conf;
using Kdump.Config.Mounts;

namespace Kdump.Initramfs;

/// <summary>
/// mkdumprd's checks of the dump target before the image is built (kdump-utils 1.0.61,
/// <c>check_user_configured_target</c> and <c>check_size</c>; kdump-reference §6.2): the configured
/// file-system type against the real one, a target that is in fstab but not mounted, the dump path
/// on the mounted target, and free space against the machine's memory.
/// </summary>
/// <remarks>
/// Upstream mounts a target that is not mounted (an fstab <c>noauto</c> entry in place, any other on
/// a temporary directory) to check it, and fails when it cannot. Building an image mounts nothing
/// here: such a target gets a warning and its path and free space go unchecked. With no mount table
/// at all (a <c>--root</c> tree without <c>/proc/self/mountinfo</c>) nothing is checked.
/// </remarks>
public sealed partial class CaptureImageBuilder
{
    /// <summary>kdump.conf target types mkdumprd checks (its <c>ext[234] | xfs | btrfs | minix | nfs | virtiofs</c> case).</summary>
    private static readonly HashSet<string> s_checkedTypes = new(StringComparer.Ordinal) { "ext2", "ext3", "ext4", "xfs", "btrfs", "minix", "nfs", "virtiofs" };

    private MountTable? _fstab;

    private MountTable Fstab => _fstab ??= ReadText("/etc/fstab") is { } text ? MountTable.ParseFstab(text) : new MountTable([]);

    /// <summary>mkdumprd <c>check_user_configured_target</c>.</summary>
    private void CheckUserConfiguredTarget(string configuredType, string target, string savePath)
    {
        if (!s_checkedTypes.Contains(configuredType) || _request.Mounts is not { } mounts) return;
        // findmnt -k first, then findmnt -s (fstab) when the kernel's table has nothing.
        var isTarget = HostDevices.SourceMatcher(target);
        var mounted = mounts.Entries.Where(e => isTarget(e.Source)).ToList();
        var listed = Fstab.Entries.Where(e => isTarget(e.Source)).ToList();
        var first = mounted.Count > 0 ? mounted[0] : listed.FirstOrDefault();

        if (first is not null)
        {
            // nfs4 is nfs to kdump.conf (the nfs4 directive is deprecated).
            var actual = first.FsType.StartsWith("nfs", StringComparison.Ordinal) ? "nfs" : first.FsType;
            if (actual != configuredType)
                throw new InitramfsBuildException($"\"{target}\" have a wrong type config \"{configuredType}\", expected \"{actual}\"");
        }

        // get_mntpoint_from_target: the first mount of the whole file system (no [fsroot]), else the first.
        var mountPoint = mounted.Count > 0
            ? (mounted.FirstOrDefault(e => e.FsRoot == "/") ?? mounted[0]).Target
            : listed.FirstOrDefault()?.Target;
        // findmnt compares normalised paths: an fstab "/data/" is the mount on /data.
        if (mountPoint is not null) mountPoint = Config.IO.SystemPath.Normalize(mountPoint);
        if (mountPoint is null)
        {
            _warnings.Add($"dump target \"{target}\" is not mounted: its dump path and free space are not checked (mkdumprd would mount it to check them)");
            return;
        }
        if (mounted.Count == 0 && !mounts.Entries.Any(e => Config.IO.SystemPath.Normalize(e.Target) == mountPoint))
        {
            // Upstream tests the options for ",noauto" (so noauto first in the list fails there): any noauto word counts here.
            if (!listed[0].Options.Split(',').Contains("noauto", StringComparer.Ordinal))
                throw new InitramfsBuildException($"Dump target \"{target}\" is neither mounted nor configured as \"noauto\"");
            _warnings.Add($"dump target \"{target}\" (noauto) is not mounted: its dump path and free space are not checked (mkdumprd would mount it on {mountPoint} to check them)");
            return;
        }

        if (ResolveDirectory(mountPoint + "/" + savePath) is not { } dumpDirectory)
            throw new InitramfsBuildException($"Dump path \"{savePath}\" does not exist in dump target \"{target}\"");
        CheckSize(target, FreeKiB(dumpDirectory));
    }

    /// <summary>A directory inside the root, links and <c>..</c> resolved there (never on the host); null when there is none.</summary>
    private string? ResolveDirectory(string systemPath) =>
        _root.Resolve(Config.IO.SystemPath.SqueezeSlashes(systemPath)) is { } p && Directory.Exists(_root.Host(p)) ? _root.Host(p) : null;

    /// <summary>
    /// <c>df --output=avail DIR</c>: KiB available to unprivileged users on the file system holding
    /// the host directory (statfs through DriveInfo, which multiplies by f_bsize where df takes
    /// f_frsize; they differ only on some FUSE file systems). When df fails upstream's check still
    /// runs (the pipeline's status is tail's) with an empty size, which compares as 0: so here.
    /// </summary>
    private static long FreeKiB(string hostDirectory)
    {
        try
        {
            return new DriveInfo(hostDirectory).AvailableFreeSpace / 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    /// <summary>mkdumprd <c>check_size</c>: warns when the target has less room than the machine has memory (MemTotal, KiB).</summary>
    private void CheckSize(string target, long availableKiB)
    {
        // awk '/MemTotal/{print $2}' /proc/meminfo: without it bash compares with 0 and never warns.
        if (ReadText("/proc/meminfo") is not { } meminfo || Linux.MemInfo.ParseTotal(meminfo) is not { } total) return;
        var totalKiB = total / 1024;
        if (availableKiB >= totalKiB) return;
        _warnings.Add("There might not be enough space to save a vmcore.");
        _warnings.Add($"The size of {target} should be greater than {totalKiB} kilo bytes.");
    }

    /// <summary>
    /// mkdumprd's ssh branch: <c>mkdir_save_path_ssh</c> (mkdir -p, then a write test with
    /// <c>mktemp -d</c>, removed again) and <c>check_size ssh</c> (the server's <c>df</c>). Every word
    /// that reaches the remote shell is quoted: kdump.conf values are never evaluated by a shell.
    /// </summary>
    private void CheckSshTarget(string target, string savePath, string key)
    {
        if (_request.SshCommands is not { } ssh) return;
        // SSH_KEY_LOCATION: the configured key when the file exists, else the default one.
        if (!File.Exists(_root.Host(key))) key = Config.Messages.KdumpctlText.DefaultSshKey;
        key = _root.Host(key);
        var quotedPath = Config.Shell.ShellChars.QuoteForShell(savePath);
        string[] Remote(params string[] command) =>
            ["ssh", "-q", "-n", "-i", key, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", target, .. command];

        if (ssh.Capture(Remote("mkdir", "-p", quotedPath)).ExitCode != 0)
            throw new InitramfsBuildException($"mkdir failed on {target}:{savePath}");
        var (rc, made) = ssh.Capture(Remote("mktemp", "-dqp", quotedPath));
        var dir = made.TrimEnd('\n');
        if (rc != 0 || dir.Length == 0 || dir.Contains('\n', StringComparison.Ordinal))
            throw new InitramfsBuildException($"Could not create temporary directory on {target}:{savePath}. Make sure user has write permission on destination");
        ssh.Capture(Remote("rmdir", Config.Shell.ShellChars.QuoteForShell(dir)));

        // get_ssh_size: the last line of `df --output=avail PATH`.
        var (dfRc, df) = ssh.Capture(Remote("df", "--output=avail", quotedPath));
        var last = df.TrimEnd('\n').Split('\n')[^1].Trim();
        if (dfRc != 0 || !long.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var avail))
            throw new InitramfsBuildException("checking remote ssh server available size failed.");
        CheckSize(target, avail);
    }

    /// <summary>mkdumprd's raw branch: <c>check_size raw DEV</c> with <c>fdisk -s</c>'s size.</summary>
    private void CheckRawSize(string device)
    {
        var dev = DeviceSpec.Parse(device).ToDevicePath();
        var kib = HostDevices.SizeInKiB(dev);
        if (kib is null && !HostDevices.IsBlockDevice(dev))
        {
            // A device node sysfs does not name the same way (/dev/cciss/c0d0, a node made by hand)
            // has no length to stat, and a link that leaves the root has nothing in it to stat:
            // fdisk would ask the device, which is not done here.
            _warnings.Add($"the size of raw target {device} is unknown: its room is not checked");
            return;
        }
        if (kib is null) throw new InitramfsBuildException("Check dump target size failed");
        CheckSize(device, kib.Value);
    }
}
