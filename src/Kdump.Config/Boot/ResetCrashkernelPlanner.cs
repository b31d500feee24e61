using Kdump.Config.IO;
using Kdump.Config.Messages;

namespace Kdump.Config.Boot;

/// <summary>
/// Plans <c>kdumpctl reset-crashkernel</c> (kdumpctl:1818): grubby when installed (as upstream),
/// else BLS entries, else <c>/etc/default/grub</c> (our fallbacks for systems without grubby).
/// </summary>
public static class ResetCrashkernelPlanner
{
    public static BootloaderPlan Plan(IRootFileSystem root, ResetCrashkernelRequest request, ConfigLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(request);
        limits ??= ConfigLimits.Default;
        if (request.GrubbyInfo is { } info)
            return PlanEntries(BootloaderKind.Grubby, GrubbyInfo.Parse(info), root, request, limits, grubbySelected: true);
        var bls = BlsEntries.Read(root, limits);
        if (bls.Count > 0) return PlanEntries(BootloaderKind.BlsEntries, bls, root, request, limits, grubbySelected: false);
        if (root.ReadAllText(DefaultGrub.FileName, limits.MaxFileBytes) is { } grub) return PlanDefaultGrub(grub, request);
        throw new KdumpConfigException(KdumpctlText.UnableToUpdateCmdline);
    }

    private static BootloaderPlan PlanEntries(BootloaderKind kind, IReadOnlyList<BootEntry> all, IRootFileSystem root,
        ResetCrashkernelRequest request, ConfigLimits limits, bool grubbySelected)
    {
        IReadOnlyList<BootEntry> selected;
        if (grubbySelected)
        {
            // grubby --info <kernel> already selected the entries; without --kernel upstream looks
            // the path up by release first.
            selected = request.Kernel is null ? [.. all.Where(e => MatchesRelease(e, request.KernelVersion))] : all;
            if (request.Kernel is null && selected.Count == 0) throw new KdumpConfigException(KdumpctlText.NoKernelForVersion(request.KernelVersion));
        }
        else
        {
            selected = request.Kernel switch
            {
                null => [.. all.Where(e => MatchesRelease(e, request.KernelVersion))],
                "ALL" => all,
                "DEFAULT" => all.Count > 0 ? [all[0]] : [],
                var path => [.. all.Where(e => SamePath(e.Kernel, path))],
            };
            if (selected.Count == 0)
            {
                throw new KdumpConfigException(request.Kernel is null
                    ? KdumpctlText.NoKernelForVersion(request.KernelVersion)
                    : KdumpctlText.InvalidKernelOption("--kernel=" + request.Kernel));
            }
        }

        var messages = new List<KdumpMessage>();
        var commands = new List<string[]>();
        var edits = new List<FileReplacement>();
        var newValue = request.NewValue.Length == 0 ? null : request.NewValue;
        foreach (var e in selected)
        {
            var index = e.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var old = e.Crashkernel ?? "";
            // _update_kernel_cmdline: no change when the value is already right.
            if (newValue is not null && old == newValue)
            {
                messages.Add(KdumpLog.Info(KdumpctlText.NoNeedToUpdate(e.Kernel, index)));
                continue;
            }
            if (kind == BootloaderKind.Grubby)
            {
                commands.Add(GrubbyInfo.UpdateArgv(e.Index, "crashkernel", newValue));
            }
            else
            {
                var text = root.ReadAllText(e.FilePath!, limits.MaxFileBytes) ?? "";
                edits.Add(new FileReplacement(e.FilePath!, BlsEntries.WithOptions(text, KernelArgs.Set(e.Args, "crashkernel", newValue))));
            }
            messages.Add(KdumpLog.Info(KdumpctlText.Updated(request.NewValue, e.Kernel, index)));
            AddRebootHint(messages, request);
        }
        if (root.FileExists("/etc/zipl.conf") && commands.Count > 0) commands.Add(["zipl"]);
        return new BootloaderPlan(kind, edits, commands, messages);
    }

    private static BootloaderPlan PlanDefaultGrub(string text, ResetCrashkernelRequest request)
    {
        var current = DefaultGrub.GetCmdline(text) ?? "";
        var messages = new List<KdumpMessage>();
        var newValue = request.NewValue.Length == 0 ? null : request.NewValue;
        if (newValue is not null && KernelArgs.Get(current, "crashkernel") == newValue)
        {
            messages.Add(KdumpLog.Info($"No need to update crashkernel value in {DefaultGrub.FileName} ({DefaultGrub.Variable})"));
            return new BootloaderPlan(BootloaderKind.DefaultGrub, [], [], messages);
        }
        var updated = DefaultGrub.WithCmdline(text, KernelArgs.Set(current, "crashkernel", newValue));
        messages.Add(KdumpLog.Info($"Updated crashkernel={request.NewValue} in {DefaultGrub.FileName} ({DefaultGrub.Variable})."));
        AddRebootHint(messages, request);
        return new BootloaderPlan(BootloaderKind.DefaultGrub, [new FileReplacement(DefaultGrub.FileName, updated)], [["update-grub"]], messages);
    }

    // check_mem_requirement: warn "Please reboot" when RAM is enough, else explain why nothing is reserved.
    private static void AddRebootHint(List<KdumpMessage> messages, ResetCrashkernelRequest request)
    {
        var min = request.Mode == Crashkernel.DumpMode.Fadump ? 4 : 2;
        var mode = request.Mode == Crashkernel.DumpMode.Fadump ? "fadump" : "kdump";
        messages.Add(request.SystemGiB < (ulong)min
            ? KdumpLog.Warning(KdumpctlText.MemoryTooSmall(mode, min))
            : KdumpLog.Warning(KdumpctlText.PleaseReboot));
    }

    // _find_kernel_path_by_release: kernel="…<release>(/\w+)?" (BLS-style …/<release>/linux too).
    private static bool MatchesRelease(BootEntry e, string release) =>
        e.Kernel.EndsWith(release, StringComparison.Ordinal)
        || System.Text.RegularExpressions.Regex.IsMatch(e.Kernel,
            System.Text.RegularExpressions.Regex.Escape(release) + @"/\w+$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    // BLS "linux" paths are relative to the boot partition; --kernel takes /boot/... paths.
    private static bool SamePath(string entryKernel, string path) =>
        entryKernel == path || "/boot" + entryKernel == path || entryKernel == "/boot" + path;
}
