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

/// <summary>
/// estimate (§4.3). The kernel size comes from /proc/iomem's Kernel code/rodata/data/bss (upstream's
/// fallback: ELF PT_LOAD sizes of a decompressed image are not computed), and the initrd's module
/// list is not read (no lsinitrd yet), so module sizes count as 0.
/// </summary>
public sealed class EstimateCommand : IKdumpctlCommand
{
    public string Name => "estimate";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        var config = session.ParseConfig();
        if (config is null) return 1;
        var boot = session.SetupInitrd();
        if (boot is null) return 1;
        switch (session.NeedInitrdRebuild(config, boot))
        {
            case RebuildVerdict.Rebuild when !session.RebuildInitrd(boot):
            case RebuildVerdict.Error:
                return 1;
        }
        try
        {
            var iomem = GetDefaultCrashkernelCommand.Iomem(session);
            var inputs = GetDefaultCrashkernelCommand.Defaults(session, DumpMode.Kdump);
            var reserved = session.ReadSmall(KdumpctlSession.CrashSizePath) is { } s ? ShowMem.ParseCrashSize(s) : 0;
            var estimate = CrashkernelEstimate.Compute(new EstimateInputs(
                CrashkernelDefaults.RecommendSizeForMemory(iomem?.SystemSizeGiB ?? 0, inputs),
                reserved,
                iomem?.KernelImageBytes ?? 0,
                (ulong)(session.Root.GetFileLength(boot.Initrd) ?? 0),
                [],
                session.ReadSmall("/proc/modules") ?? "",
                [],
                session.Services.Arch));
            session.Out.Write(estimate.Format());
            return 0;
        }
        catch (KdumpConfigException e)
        {
            session.Error(e.Message);
            return 1;
        }
    }
}

/// <summary>
/// reset-crashkernel [--kernel=PATH|ALL|DEFAULT] [--fadump=…] [--reboot] (§3.8): grubby when the
/// root has it, else BLS entries, else /etc/default/grub; file edits all-or-nothing.
/// </summary>
public sealed class ResetCrashkernelCommand : IKdumpctlCommand
{
    private static readonly string[] s_grubbyPaths = ["/usr/sbin/grubby", "/sbin/grubby", "/usr/bin/grubby"];

    public string Name => "reset-crashkernel";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(args);
        string? kernel = null;
        var reboot = false;
        foreach (var a in args)
        {
            if (a.StartsWith("--kernel=", StringComparison.Ordinal)) kernel = a["--kernel=".Length..];
            else if (a.StartsWith("--fadump=", StringComparison.Ordinal) && session.Services.Arch != "ppc64le")
            {
                session.Error(Config.Messages.KdumpctlText.FadumpOnlyOnPpc);
                return 1;
            }
            else if (a == "--reboot")
            {
                session.Warn(Config.Messages.KdumpctlText.RebootDeprecated);
                reboot = true;
            }
            else
            {
                session.Error(Config.Messages.KdumpctlText.NotRecognized(a));
                return 1;
            }
        }

        var grubby = s_grubbyPaths.FirstOrDefault(session.Root.FileExists);
        string? grubbyInfo = null;
        if (grubby is not null)
        {
            var info = session.Services.Processes.Run(["grubby", "--info", kernel ?? "ALL"]);
            if (info.ExitCode != 0)
            {
                session.Error(kernel is null ? Config.Messages.KdumpctlText.UnableToUpdateCmdline
                    : Config.Messages.KdumpctlText.InvalidKernelOption("--kernel=" + kernel));
                return 1;
            }
            grubbyInfo = info.Stdout;
        }

        var version = session.Sysconfig.KdumpKernelVer.Length > 0 ? session.Sysconfig.KdumpKernelVer : KdumpBootInfo.RunningRelease(session.Root);
        BootloaderPlan plan;
        try
        {
            var systemGiB = GetDefaultCrashkernelCommand.Iomem(session)?.SystemSizeGiB ?? 0;
            var newValue = CrashkernelDefaults.Recommend(GetDefaultCrashkernelCommand.Defaults(session, DumpMode.Kdump));
            plan = ResetCrashkernelPlanner.Plan(session.Root, new ResetCrashkernelRequest(newValue, kernel, version, grubbyInfo, systemGiB));
            plan.Apply(session.Root);
        }
        catch (KdumpConfigException e)
        {
            session.Error(e.Message);
            return 1;
        }
        foreach (var argv in plan.Commands)
        {
            var r = session.Services.Processes.Run(argv);
            if (r.ExitCode != 0)
            {
                session.Error($"{argv[0]} failed (exit {r.ExitCode}): {r.Stderr.Trim()}");
                return 1;
            }
        }
        session.Log(plan.Messages);
        if (reboot && plan.HasChanges) session.Services.Processes.Run(["systemctl", "reboot"]);
        return 0;
    }
}
