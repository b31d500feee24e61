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

    // The capture kernel writes <path>/kdump-test-<id>/vmcore-creation.status on the target: read
    // locally for the root file system, with scp for ssh; other targets need a mount → manual.
    private static string FetchResult(KdumpctlSession session, KdumpConfig config, string id)
    {
        var remote = $"{config.SavePath}/kdump-test-{id}/vmcore-creation.status";
        string? text = null;
        if (config.Target is null)
        {
            text = session.ReadSmall(SystemPath.SqueezeSlashes(remote));
        }
        else if (config.Target.Kind == DumpTargetKind.Ssh)
        {
            var r = session.Services.Processes.Run([.. Commands.SshTarget.SshOptions(session, config.SshKey, batch: true), config.Target.Value, "cat", ShellChars.QuoteForShell(remote)]);
            text = r.ExitCode == 0 ? r.Stdout : null;
        }
        else
        {
            return "manual";
        }
        var (status, gotId) = Split(text?.Trim() ?? "");
        return gotId == id && status is "success" or "fail" ? status : "fail";
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
