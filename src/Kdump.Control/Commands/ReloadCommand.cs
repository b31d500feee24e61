using Kdump.Config.Rebuild;
using Kdump.Config.Messages;

namespace Kdump.Control.Commands;

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
