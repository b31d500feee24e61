using Kdump.Config.Rebuild;
using Kdump.Config.Messages;

namespace Kdump.Control.Commands;

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
