using System.Globalization;
using Kdump.Config.Conf;
using Kdump.Config.IO;
using Kdump.Config.Shell;

namespace Kdump.Control;

/// <summary>
/// /var/lib/kdump/vmcore-creation.status (§3.7): <c>&lt;status&gt; kdump_test_id=&lt;epoch&gt;-&lt;ns&gt;</c>,
/// written <c>pending</c> by <c>kdumpctl test</c> and resolved from the dump target on the next report.
/// </summary>
public static class VmcoreCreationStatus
{
    public const string FileName = "/var/lib/kdump/vmcore-creation.status";

    /// <summary>The test id of a moment: seconds and nanoseconds since the epoch (<c>date +%s-%N</c>).</summary>
    public static string TestId(DateTimeOffset now)
    {
        var ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}-{nanos:D9}");
    }

    /// <summary>clear_vmcore_creation_status: an existing file is emptied (any initrd rebuild does this).</summary>
    public static void Clear(KdumpctlSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Root.FileExists(FileName)) session.WriteFile(FileName, "");
    }

    /// <summary>check_vmcore_creation_status: prints the last test's outcome (only with VMCORE_CREATION_NOTIFICATION=yes, kdump mode).</summary>
    public static void Report(KdumpctlSession session, KdumpConfig? config)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Sysconfig.VmcoreCreationNotification != "yes" || session.IsFadump) return;
        var text = session.ReadSmall(FileName)?.Trim() ?? "";
        if (text.Length == 0)
        {
            session.Info("Notice: No vmcore creation test performed!");
            return;
        }
        var (status, id) = Split(text);
        if (status == "pending" && config is not null)
        {
            status = FetchResult(session, config, id);
            session.WriteFile(FileName, $"{status} kdump_test_id={id}\n");
        }
        var date = FormatDate(id);
        switch (status)
        {
            case "success": session.Info($"Notice: Last successful vmcore creation test on {date}"); break;
            case "fail": session.Warn($"Notice: Last NOT successful vmcore creation test on {date}"); break;
            case "manual": session.Info($"Notice: Require manual check for vmcore creation test of {date}"); break;
            default: session.Warn($"Unknown vmcore creation test status: {status}"); break;
        }
    }

    public static (string Status, string Id) Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0) return (text, "");
        var rest = text[(space + 1)..].Trim();
        return (text[..space], rest.StartsWith("kdump_test_id=", StringComparison.Ordinal) ? rest["kdump_test_id=".Length..] : rest);
    }

    // fetch_status: the capture kernel wrote <path>/kdump-test-<id>/vmcore-creation.status on the
    // target. Read on the root file system, over ssh (no connection → manual), or on the fs/nfs
    // target where it is mounted, else through a temporary mount (a failed mount → manual); raw → manual.
    private static string FetchResult(KdumpctlSession session, KdumpConfig config, string id)
    {
        var remote = $"{config.SavePath}/kdump-test-{id}/vmcore-creation.status";
        string? text;
        switch (config.Target?.Kind)
        {
            case null:
                text = session.ReadSmall(SystemPath.SqueezeSlashes(remote));
                break;
            case DumpTargetKind.Raw:
                return "manual";
            case DumpTargetKind.Ssh:
                var r = session.Services.Processes.Run([.. Commands.SshTarget.SshOptions(session, config.SshKey, batch: true), config.Target.Value, "cat", ShellChars.QuoteForShell(remote)]);
                if (r.ExitCode == 255) return "manual";
                text = r.ExitCode == 0 ? r.Stdout : null;
                break;
            default:
                if (!TryReadOnTarget(session, config.Target, remote, out text)) return "manual";
                break;
        }
        var (status, gotId) = Split(text?.Trim() ?? "");
        return gotId == id && status is "success" or "fail" ? status : "fail";
    }

    /// <summary>
    /// <paramref name="relative"/> on the fs or nfs target: under its mount point in this kernel, else
    /// mounted on a temporary directory (<c>mount TARGET DIR -t FSTYPE -o defaults</c>, nfs under
    /// <c>timeout --preserve-status 5m</c>) and unmounted again. False when the mount fails.
    /// </summary>
    private static bool TryReadOnTarget(KdumpctlSession session, DumpTarget target, string relative, out string? text)
    {
        var nfs = target.Kind == DumpTargetKind.Nfs;
        var source = nfs ? target.Value : new Initramfs.Devices.BlockDevices(session.Root).ToDevName(target.Value);
        var mounts = new Devices.ImageFacts(session.Root, "").Mounts();
        if (source.Length > 0 && mounts?.GetMountPointOfSource(source) is { } mnt)
        {
            text = session.ReadSmall(SystemPath.SqueezeSlashes(mnt + "/" + relative));
            return true;
        }
        text = null;
        // Under /run, which only root can write (upstream: mktemp -d in /tmp): nobody can put a
        // link where root is about to mount.
        var dir = $"/run/kdumpctl-status.{Environment.ProcessId}";
        var hostDir = session.Root.HostPath(dir);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(hostDir);
        else Directory.CreateDirectory(hostDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mounted = false;
        try
        {
            List<string> mount = ["mount", target.Value, hostDir, "-t", target.FsType, "-o", "defaults"];
            if (nfs) mount.InsertRange(0, ["timeout", "--preserve-status", "5m"]);
            if (session.Services.Processes.Run(mount).ExitCode != 0)
            {
                session.Warn($"Failed to mount {target.Value}");
                return false;
            }
            mounted = true;
            text = session.ReadSmall(SystemPath.SqueezeSlashes(dir + "/" + relative));
            return true;
        }
        finally
        {
            if (mounted) session.Services.Processes.Run(["umount", hostDir]);
            try { Directory.Delete(hostDir); }
            catch (IOException) { } // still mounted (umount failed): leave it rather than lose the target's files
        }
    }

    // `date -d @<epoch>` in the C locale, UTC.
    private static string FormatDate(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var epoch = dash > 0 ? id[..dash] : id;
        if (!long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s > 253402300799) return id;
        var t = DateTimeOffset.FromUnixTimeSeconds(s);
        return string.Create(CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss} UTC {t:yyyy}");
    }
}
