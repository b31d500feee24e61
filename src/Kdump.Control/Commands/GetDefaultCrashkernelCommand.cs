using Kdump.Config;
using Kdump.Config.Boot;
using Kdump.Config.Crashkernel;
using Kdump.Config.Rebuild;

namespace Kdump.Control.Commands;

/// <summary>get-default-crashkernel [kdump|fadump]: the arch default on stdout, no newline.</summary>
public sealed class GetDefaultCrashkernelCommand : IKdumpctlCommand
{
    public string Name => "get-default-crashkernel";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(args);
        var mode = args.Count > 0 && args[0] == "fadump" ? DumpMode.Fadump : DumpMode.Kdump;
        session.Out.Write(CrashkernelDefaults.Recommend(Defaults(session, mode)));
        return 0;
    }

    internal static CrashkernelDefaultInputs Defaults(KdumpctlSession session, DumpMode mode) => new(
        session.Services.Arch, mode, KdumpBootInfo.RunningRelease(session.Root),
        NrCpus: CrashkernelArithmetic.FindNrCpus(mode == DumpMode.Fadump ? session.Sysconfig.FadumpCommandlineAppend : session.Sysconfig.KdumpCommandlineAppend));

    internal static ProcIomem? Iomem(KdumpctlSession session) =>
        session.ReadSmall("/proc/iomem") is { } text ? ProcIomem.Parse(text) : null;
}
