using Kdump.Config.Rebuild;
using Kdump.Config.Messages;

namespace Kdump.Control.Commands;

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
