using Kdump.Config.Rebuild;
using Kdump.Config.Messages;

namespace Kdump.Control.Commands;

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
