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

/// <summary>stop: <c>kexec -p -u</c>.</summary>
public sealed class StopCommand : IKdumpctlCommand
{
    public string Name => "stop";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Stop(session);
    }

    internal static int Stop(KdumpctlSession session)
    {
        if (!session.StopKdump())
        {
            session.Error("Stopping kdump: [FAILED]");
            return 1;
        }
        session.Info("Stopping kdump: [OK]");
        return 0;
    }
}

/// <summary>status: 0 when kexec_crash_loaded reads 1, else 3 (systemd's "not running").</summary>
public sealed class StatusCommand : IKdumpctlCommand
{
    public const int NotOperational = 3;

    public string Name => "status";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        int rc;
        if (!session.Root.FileExists(KdumpctlSession.CrashLoadedPath))
        {
            session.Error("kdump is not supported on this kernel");
            session.Info("Kdump is not operational");
            rc = NotOperational;
        }
        else if (session.IsKdumpLoaded)
        {
            session.Info("Kdump is operational");
            rc = 0;
        }
        else
        {
            session.Info("Kdump is not operational");
            rc = NotOperational;
        }
        VmcoreCreationStatus.Report(session, session.ParseConfigQuietly());
        return rc;
    }
}

/// <summary>restart: stop then start.</summary>
public sealed class RestartCommand : IKdumpctlCommand
{
    public string Name => "restart";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (StopCommand.Stop(session) != 0) return 1;
        var rc = StartCommand.Start(session);
        if (rc == 0) VmcoreCreationStatus.Report(session, session.ParseConfigQuietly());
        return rc;
    }
}

/// <summary>reload: no parse_config, no rebuild; unload and load again with the current sysconfig.</summary>
public sealed class ReloadCommand : IKdumpctlCommand
{
    public string Name => "reload";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Reload(session);
    }

    internal static int Reload(KdumpctlSession session)
    {
        if (!session.IsKdumpLoaded) session.Warn("Kdump was not running: [WARNING]");
        if (StopCommand.Stop(session) != 0) return 1;
        var boot = session.SetupInitrd();
        if (boot is null)
        {
            session.Error("Failed to setup initrd");
            session.Error("Starting kdump: [FAILED]");
            return 1;
        }
        if (!session.LoadKdump(boot))
        {
            session.Error("Starting kdump: [FAILED]");
            return 1;
        }
        session.Info("Starting kdump: [OK]");
        return 0;
    }
}

/// <summary>rebuild: parse_config, setup_initrd, an unconditional mkdumprd; the loaded kernel is not touched.</summary>
public sealed class RebuildCommand : IKdumpctlCommand
{
    public string Name => "rebuild";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        var config = session.ParseConfig();
        if (config is null) return 1;
        if (config.Target is { Kind: Config.Conf.DumpTargetKind.Ssh } && !SshTarget.CheckReady(session, config)) return 1;
        var boot = session.SetupInitrd();
        if (boot is null) return 1;
        return session.RebuildInitrd(boot) ? 0 : 1;
    }
}
