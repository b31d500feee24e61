using Kdump.Config.Conf;
using Kdump.Config.Mounts;
using System.Runtime.InteropServices;
using Kdump.Initramfs.Devices;

namespace Kdump.Initramfs;

/// <summary>
/// mkdumprd's checks of the dump target before the image is built (kdump-utils 1.0.61,
/// <c>check_user_configured_target</c> and <c>check_size</c>; kdump-reference §6.2): the configured
/// file-system type against the real one, a target that is in fstab but not mounted, the dump path
/// on the mounted target, and free space against the machine's memory.
/// </summary>
/// <remarks>
/// A target that is not mounted is mounted to be checked, as upstream's (an fstab <c>noauto</c>
/// entry in place, any other on a private temporary directory), then unmounted; a failed mount
/// fails the build, a failed unmount is named in a warning. An image built for another root mounts nothing (no
/// <see cref="CaptureImageRequest.PreflightCommands"/>): such a target gets a warning and its path
/// and free space go unchecked. With no mount table at all (a <c>--root</c> tree without
/// <c>/proc/self/mountinfo</c>) nothing is checked.
/// </remarks>
public sealed partial class CaptureImageBuilder
{
    /// <summary>kdump.conf target types mkdumprd checks (its <c>ext[234] | xfs | btrfs | minix | nfs | virtiofs</c> case).</summary>
    private static readonly HashSet<string> s_checkedTypes = new(StringComparer.Ordinal) { "ext2", "ext3", "ext4", "xfs", "btrfs", "minix", "nfs", "virtiofs" };

    private static readonly Dictionary<string, string> s_noEnvironment = [];

    private MountTable? _fstab;

    private MountTable Fstab => _fstab ??= ReadText("/etc/fstab") is { } text ? MountTable.ParseFstab(text) : new MountTable([]);

    /// <summary>mkdumprd <c>check_user_configured_target</c>.</summary>
    private void CheckUserConfiguredTarget(KdumpConfReader conf, string configuredType, string target)
    {
        if (!s_checkedTypes.Contains(configuredType) || _request.Mounts is not { } mounts) return;
        var savePath = conf.GetSavePath();
        // The same findmnt questions the image's own mount line asks (get_mount_info: the kernel's table, else fstab).
        var facts = new DumpTargetFacts(conf, mounts, HostDevices, () => Fstab);
        var fsType = facts.FsType(target);
        if (fsType.Length > 0)
        {
            // nfs4 is nfs to kdump.conf (the nfs4 directive is deprecated).
            if (fsType.StartsWith("nfs", StringComparison.Ordinal)) fsType = "nfs";
            if (fsType != configuredType)
                throw new InitramfsBuildException($"\"{target}\" have a wrong type config \"{configuredType}\", expected \"{fsType}\"");
        }
        else
        {
            fsType = configuredType;
        }

        var mountPoint = facts.MountPoint(target);
        var runner = _request.PreflightCommands;
        if (mountPoint is not null && mounts.Entries.Any(e => Config.IO.SystemPath.Normalize(e.Target) == mountPoint))
        {
            // is_mounted: something is mounted there (findmnt -k MNT), so its dump path is checked in place.
            CheckDumpPathAndRoom(target, savePath, ResolveDirectory(mountPoint + "/" + savePath));
            return;
        }
        // An fstab entry whose mount point is no absolute path (relative, with . or ..): upstream
        // would try that path; it is never taken as "no entry", which would mount on a temporary directory.
        var listedAt = mountPoint ?? (facts.MountsOf(target) is [var entry, ..] ? entry.Target : null);
        if (listedAt is not null)
        {
            // Upstream tests the options for ",noauto" (so noauto first in the list fails there): any noauto word counts here.
            if (!(facts.MountOptions(target) ?? "").Split(',').Contains("noauto", StringComparer.Ordinal))
                throw new InitramfsBuildException($"Dump target \"{target}\" is neither mounted nor configured as \"noauto\"");
            if (runner is null)
            {
                _warnings.Add($"dump target \"{target}\" (noauto) is not mounted: its dump path and free space are not checked (mkdumprd would mount it on {listedAt} to check them)");
                return;
            }
            if (mountPoint is null)
                throw new InitramfsBuildException($"Failed to mount {target} on {listedAt} for kdump preflight check: its fstab mount point is not a plain absolute path.");
            // mount MNT: mount(8) takes the rest from fstab. Unlike upstream (whose exit trap only
            // unmounts its temporary directory) it is unmounted again when the check fails too.
            using var signals = new SignalsDeferred();
            MountForCheck(runner, ["mount", mountPoint], fsType, $"Failed to mount {target} on {mountPoint}");
            try
            {
                CheckDumpPathAndRoom(target, savePath, ResolveDirectory(mountPoint + "/" + savePath));
            }
            finally
            {
                if (!Unmount(runner, mountPoint)) _warnings.Add($"{target} is still mounted on {mountPoint}");
            }
            signals.ThrowIfReceived();
            return;
        }
        if (runner is null)
        {
            _warnings.Add($"dump target \"{target}\" is not mounted: its dump path and free space are not checked (mkdumprd would mount it to check them)");
            return;
        }
        CheckOnTemporaryMount(runner, target, fsType, savePath);
    }

    /// <summary>
    /// Mounts <paramref name="target"/> on a new directory only root can enter (upstream's
    /// <c>$MKDUMPRD_TMPDIR/target</c>, from <c>mktemp -d</c>), checks it, unmounts it and removes
    /// the directories. They are removed one by one, never recursively, and only once the target
    /// is unmounted, so a mount that did not go away keeps the target's files (and is named).
    /// </summary>
    private void CheckOnTemporaryMount(Dracut.ICommandRunner runner, string target, string fsType, string savePath)
    {
        string temporary;
        try
        {
            temporary = Directory.CreateTempSubdirectory("mkdumprd.").FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InitramfsBuildException($"mktemp -d in {Path.GetTempPath()} failed: {Cli.IoErrorText.StrError(e)}");
        }
        var mountPoint = Path.Combine(temporary, "target");
        var stillMounted = false;
        using var signals = new SignalsDeferred();
        try
        {
            Directory.CreateDirectory(mountPoint);
            MountForCheck(runner, ["mount", target, mountPoint, "-t", fsType, "-o", "defaults"], fsType, $"Failed to mount {target}");
            try
            {
                // The temporary directory is this machine's, not the root's (runner is set only for "/").
                var dumpDirectory = Config.IO.SystemPath.SqueezeSlashes(mountPoint + "/" + savePath);
                CheckDumpPathAndRoom(target, savePath, Directory.Exists(dumpDirectory) ? dumpDirectory : null);
            }
            finally
            {
                stillMounted = !Unmount(runner, mountPoint);
            }
        }
        finally
        {
            if (stillMounted)
            {
                _warnings.Add($"{target} is still mounted on {mountPoint}: unmount it and remove {temporary}");
            }
            else
            {
                try
                {
                    if (Directory.Exists(mountPoint)) Directory.Delete(mountPoint);
                    Directory.Delete(temporary);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _warnings.Add($"{temporary} is left behind: {Cli.IoErrorText.StrError(e)}");
                }
            }
        }
        signals.ThrowIfReceived();
    }

    /// <summary>The dump path's check and then <c>check_size fs</c>, on a mounted target.</summary>
    private void CheckDumpPathAndRoom(string target, string savePath, string? dumpDirectory)
    {
        if (dumpDirectory is null)
            throw new InitramfsBuildException($"Dump path \"{savePath}\" does not exist in dump target \"{target}\"");
        CheckSize(target, FreeKiB(dumpDirectory));
    }

    /// <summary>Runs a preflight mount (an nfs one under <c>timeout --preserve-status 10m</c>); <c>mount_failure</c>'s message when it fails.</summary>
    private void MountForCheck(Dracut.ICommandRunner runner, IReadOnlyList<string> mount, string fsType, string failure)
    {
        IReadOnlyList<string> argv = fsType == "nfs" ? ["timeout", "--preserve-status", "10m", .. mount] : mount;
        if (runner.Run(argv, s_noEnvironment, _request.CommandOutput ?? TextWriter.Null) == 0) return;
        var message = failure + " for kdump preflight check.";
        if (fsType == "nfs") message += " Please make sure nfs-utils has been installed, and nfs server is accessible.";
        throw new InitramfsBuildException(message);
    }

    /// <summary>
    /// <c>umount -f -- MNT</c>, once more when that fails (upstream's exit trap tries again); its
    /// failure is umount's to report. False when the target is still mounted.
    /// </summary>
    private bool Unmount(Dracut.ICommandRunner runner, string mountPoint)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (runner.Run(["umount", "-f", "--", mountPoint], s_noEnvironment, _request.CommandOutput ?? TextWriter.Null) == 0) return true;
        }
        return false;
    }

    /// <summary>
    /// While a target is mounted for a check, SIGINT and SIGTERM do not end mkdumprd at once (the
    /// runtime would exit without unmounting): mount or umount, which get the terminal's SIGINT too,
    /// fail or finish, the check unmounts and cleans up, and then the build stops
    /// (<see cref="ThrowIfReceived"/>; upstream's trap exits 1 after its cleanup).
    /// </summary>
    private sealed class SignalsDeferred : IDisposable
    {
        private readonly PosixSignalRegistration[] _registrations;
        private volatile int _received;

        public SignalsDeferred()
        {
            _registrations =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, Defer),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, Defer),
            ];
        }

        private void Defer(PosixSignalContext context)
        {
            context.Cancel = true;
            _received = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        }

        public void ThrowIfReceived()
        {
            if (_received != 0) throw new InitramfsBuildException($"interrupted by {(_received == 2 ? "SIGINT" : "SIGTERM")} while the dump target was mounted for its check");
        }

        public void Dispose()
        {
            foreach (var r in _registrations) r.Dispose();
        }
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
        if (_request.PreflightCommands is not { } ssh) return;
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
