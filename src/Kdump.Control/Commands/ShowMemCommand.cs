using Kdump.Config;
using Kdump.Config.Boot;
using Kdump.Config.Crashkernel;
using Kdump.Config.Rebuild;

namespace Kdump.Control.Commands;

/// <summary>showmem: the reservation from /sys/kernel/kexec_crash_size.</summary>
public sealed class ShowMemCommand : IKdumpctlCommand
{
    public string Name => "showmem";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        var text = session.ReadSmall(KdumpctlSession.CrashSizePath);
        try
        {
            session.Info(ShowMem.Message(text is null ? 0 : ShowMem.ParseCrashSize(text)));
            return 0;
        }
        catch (KdumpConfigException e)
        {
            session.Error(e.Message);
            return 1;
        }
    }
}
