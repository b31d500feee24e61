using Kdump.Config;
using Kdump.Config.Boot;
using Kdump.Config.Crashkernel;
using Kdump.Config.Rebuild;

namespace Kdump.Control.Commands;

/// <summary>
/// estimate (§4.3). The kernel size is, as upstream's get_kernel_size, the PT_LOAD sizes of the
/// kernel's vmlinux (<see cref="Kexec.Images.KernelImageSize"/>), else /proc/iomem's Kernel
/// code/rodata/data/bss. Module sizes are, as upstream, the /proc/modules sizes of the modules
/// named by the image's hostonly-kernel-modules.txt.
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
                Kexec.Images.KernelImageSize.FromFile(session.Root.HostPath(boot.Kernel)) ?? iomem?.KernelImageBytes ?? 0,
                (ulong)(session.Root.GetFileLength(boot.Initrd) ?? 0),
                ImageModules(session, boot.Initrd),
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

    // lsinitrd -f …/hostonly-kernel-modules.txt: an unreadable image lists nothing (after a warning).
    private static IReadOnlyList<string> ImageModules(KdumpctlSession session, string initrd)
    {
        var record = Devices.ImageFacts.ReadRecord(session.Root, initrd, out var problem);
        if (problem is not null) session.Warn(problem);
        return record.HostonlyModules;
    }
}
