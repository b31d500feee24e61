using System.Globalization;
using Kdump.Config.Conf;
using Kdump.Initramfs.Devices;

namespace Kdump.Control.Commands;

/// <summary>
/// <c>save_raw</c> (kdump-reference §5.9), run by start before anything is loaded: a raw target
/// may hold the flattened dump the capture kernel wrote there; <c>makedumpfile -R</c> turns it
/// into <c>&lt;path&gt;/&lt;date&gt;/vmcore</c> and the first 512 bytes of the device are zeroed
/// so that the next start finds nothing. A device with a file-system signature is left alone.
/// </summary>
internal static class SaveRaw
{
    public const string DefaultDirectory = "/var/crash";
    private const int HeaderBytes = 512; // dd bs=1b count=1

    /// <summary>False only for upstream's two fatal cases (no such block device, no directory).</summary>
    public static bool Run(KdumpctlSession session, KdumpConfig config)
    {
        if (config.Target is not { Kind: DumpTargetKind.Raw } target) return true;
        var device = target.Value;
        if (!new BlockDevices(session.Root).IsBlockDevice(device))
        {
            session.Error($"raw partition {device} not found");
            return false;
        }
        var processes = session.Services.Processes;
        var hostDevice = session.Root.HostPath(device);
        var signature = processes.Run(["lsblk", "--nodeps", "-npo", "FSTYPE", hostDevice]).Stdout;
        var words = signature.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 0)
        {
            session.Warn($"Detected '{string.Join(' ', words)}' signature on {device}, data loss is expected.");
            return true;
        }

        // Upstream: "${path:-/var/crash}/$(date +%Y-%m-%d-%H:%M)" — minutes, local time, no host address.
        var parent = config.Path == Config.Messages.KdumpctlText.DefaultPath ? DefaultDirectory : config.Path;
        var coredir = parent + "/" + session.Services.Clock().ToLocalTime().ToString("yyyy-MM-dd-HH:mm", CultureInfo.InvariantCulture);
        var hostCoredir = session.Root.HostPath(coredir);
        try
        {
            Directory.CreateDirectory(hostCoredir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            session.Error($"failed to create {coredir}");
            return false;
        }
        var result = processes.RunWithInputFile(["makedumpfile", "-R", Path.Combine(hostCoredir, "vmcore")], hostDevice);
        if (result.ExitCode != 0)
        {
            // No dump on the device (or an unreadable one): upstream removes the directory silently.
            try { Directory.Delete(hostCoredir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            return true;
        }
        session.Info($"Dump saved to {coredir}/vmcore");
        // Wipe the flattened header: the next start must not save the same dump again.
        try
        {
            using var f = new FileStream(hostDevice, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            f.Write(new byte[HeaderBytes]);
            f.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // upstream's dd runs with 2>/dev/null: a failure is not reported.
        }
        return true;
    }
}
