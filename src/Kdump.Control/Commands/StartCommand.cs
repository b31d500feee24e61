using Kdump.Config.Rebuild;
using Kdump.Config.Messages;

namespace Kdump.Control.Commands;

/// <summary>start (§3.3): feasibility, parse_config, rebuild decision, load, then the test report.</summary>
public sealed class StartCommand : IKdumpctlCommand
{
    public string Name => "start";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rc = Start(session);
        if (rc == 0) VmcoreCreationStatus.Report(session, session.ParseConfigQuietly());
        return rc;
    }

    internal static int Start(KdumpctlSession session)
    {
        if (!CheckDumpFeasibility(session)) return Failed(session);
        var config = session.ParseConfig();
        if (config is null) return Failed(session);
        if (!SaveRaw.Run(session, config)) return Failed(session);
        if (session.IsKdumpLoaded)
        {
            session.Warn("Kdump already running: [WARNING]");
            return 0;
        }
        if (config.Target is { Kind: Config.Conf.DumpTargetKind.Ssh } && !SshTarget.CheckReady(session, config)) return Failed(session);
        var boot = session.SetupInitrd();
        if (boot is null) return Failed(session);
        switch (session.NeedInitrdRebuild(config, boot))
        {
            case RebuildVerdict.Rebuild when !session.RebuildInitrd(boot):
            case RebuildVerdict.Error:
                return Failed(session);
        }
        if (!session.LoadKdump(boot)) return Failed(session);
        session.Info("Starting kdump: [OK]");
        return 0;
    }

    // check_dump_feasibility (kdump mode): the sysfs files and a non-zero reservation.
    internal static bool CheckDumpFeasibility(KdumpctlSession session)
    {
        if (!session.Root.FileExists(KdumpctlSession.CrashLoadedPath))
        {
            session.Error("Kdump is not supported on this kernel");
            return false;
        }
        var size = session.ReadSmall(KdumpctlSession.CrashSizePath)?.Trim();
        if (size is null or "" or "0")
        {
            session.Error("No memory reserved for crash kernel");
            return false;
        }
        return true;
    }

    private static int Failed(KdumpctlSession session)
    {
        session.Error("Starting kdump: [FAILED]");
        return 1;
    }
}
