using Kdump.Config;
using Kdump.Config.Boot;
using Kdump.Config.Crashkernel;
using Kdump.Config.Rebuild;

namespace Kdump.Control.Commands;

/// <summary>
/// reset-crashkernel [--kernel=PATH|ALL|DEFAULT] [--fadump=…] [--reboot] (§3.8): grubby when the
/// root has it, else BLS entries, else /etc/default/grub; file edits all-or-nothing.
/// </summary>
public sealed class ResetCrashkernelCommand : IKdumpctlCommand
{
    private const string SystemctlPath = "/usr/bin/systemctl";

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
        if (reboot && plan.HasChanges)
        {
            // Through the guarded execv, not the process runner: `systemctl reboot` takes the machine
            // away, and nothing but a VM-test guest may be rebooted by this code.
            var r = session.Services.Syscalls.execv(SystemctlPath, ["systemctl", "reboot"]);
            if (r.IsError)
            {
                session.Error($"systemctl reboot: {Linux.Errno.strerror(r.Errno)}");
                return 1;
            }
        }
        return 0;
    }
}
