using Kdump.Config.Rebuild;
using Kdump.Config.Messages;

namespace Kdump.Control.Commands;

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
