using Kdump.Config.Messages;

namespace Kdump.Config.Rebuild;

/// <summary>Verdict of <see cref="RebuildDecision.Decide"/> and the messages kdumpctl would print.</summary>
public sealed record RebuildResult(RebuildVerdict Verdict, IReadOnlyList<KdumpMessage> Messages);

/// <summary>
/// kdumpctl's rebuild decision (<c>need_initrd_rebuild</c> → <c>is_system_modified</c> →
/// <c>check_files_modified</c>, <c>check_fs_modified</c>, <c>check_drivers_modified</c>;
/// kdumpctl:461-733) as a pure function.
/// </summary>
public static class RebuildDecision
{
    public static RebuildResult Decide(RebuildInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var messages = new List<KdumpMessage>();
        RebuildResult Done(RebuildVerdict v) => new(v, messages);

        var noRebuild = inputs.ForceNoRebuild ?? "0";
        if (noRebuild is not ("0" or "1"))
        {
            messages.Add(KdumpLog.Error(KdumpctlText.ForceNoRebuildInvalid));
            return Done(RebuildVerdict.Error);
        }
        var rebuild = inputs.ForceRebuild ?? "0";
        if (rebuild is not ("0" or "1"))
        {
            messages.Add(KdumpLog.Error(KdumpctlText.ForceRebuildInvalid));
            return Done(RebuildVerdict.Error);
        }
        if (noRebuild == "1" && rebuild == "1")
        {
            messages.Add(KdumpLog.Error(KdumpctlText.ForceBothEnabled));
            return Done(RebuildVerdict.Error);
        }
        if (noRebuild == "1") return Done(RebuildVerdict.UpToDate);
        if (rebuild == "1")
        {
            messages.Add(KdumpLog.Info(KdumpctlText.ForceRebuild(inputs.TargetInitrd)));
            return Done(RebuildVerdict.Rebuild);
        }
        if (inputs.InitrdModificationTime is not { } imageTime)
        {
            messages.Add(KdumpLog.Info(KdumpctlText.NoInitrd));
            return Done(RebuildVerdict.Rebuild);
        }

        // is_system_modified
        if (inputs.Fadump && !inputs.FadumpInitrdHasCaptureModule)
        {
            messages.Add(KdumpLog.Info(KdumpctlText.RebuildWithCaptureSupport(inputs.TargetInitrd)));
            return Done(RebuildVerdict.Rebuild);
        }

        var status = RebuildVerdict.UpToDate;
        foreach (var check in new Func<RebuildVerdict>[]
                 {
                     () => CheckFiles(inputs, imageTime, messages),
                     () => inputs.FileSystem is { } fs ? CheckFileSystem(fs, messages) : RebuildVerdict.UpToDate,
                     () => inputs.Drivers is { } d ? CheckDrivers(d, messages) : RebuildVerdict.UpToDate,
                 })
        {
            var r = check();
            if (r == RebuildVerdict.Error) return Done(r);
            if (r == RebuildVerdict.Rebuild) status = r;
        }
        return Done(status);
    }

    private static RebuildVerdict CheckFiles(RebuildInputs inputs, long imageTime, List<KdumpMessage> messages)
    {
        var modified = string.Concat((inputs.ClusterModifiedFiles ?? []).Select(f => " " + f));
        foreach (var f in inputs.WatchedFiles)
        {
            if (!f.Exists)
            {
                messages.Add(KdumpLog.Error(KdumpctlText.FileNotFound(f.Path)));
                return RebuildVerdict.Error;
            }
        }
        foreach (var f in inputs.MustBeExecutable)
        {
            if (!f.IsExecutable)
            {
                messages.Add(KdumpLog.Error(KdumpctlText.NotExecutable(f.Path)));
                return RebuildVerdict.Error;
            }
        }
        foreach (var f in inputs.WatchedFiles)
        {
            // Strictly newer than the initrd.
            if (f.ModificationTime > imageTime) modified += " " + f.Path;
            if (f.LinkTarget is { } target && (f.LinkTargetModificationTime ?? 0) > imageTime) modified += " " + target;
        }
        if (modified.Length == 0) return RebuildVerdict.UpToDate;
        messages.Add(KdumpLog.Info(KdumpctlText.DetectedChanges(modified)));
        return RebuildVerdict.Rebuild;
    }

    private static RebuildVerdict CheckFileSystem(FsCheckInputs fs, List<KdumpMessage> messages)
    {
        if (fs.Skip) return RebuildVerdict.UpToDate;
        if (fs.Target.Length == 0 || fs.FsType.Length == 0)
        {
            messages.Add(KdumpLog.Error(KdumpctlText.DumpTargetInvalid));
            return RebuildVerdict.Error;
        }
        if (fs.PersistentDevice.Length == 0)
        {
            messages.Add(KdumpLog.Error(KdumpctlText.PersistentNameFailed));
            return RebuildVerdict.Error;
        }
        if (fs.InitrdBuildParameters.Length == 0)
        {
            messages.Add(KdumpLog.Warning(KdumpctlText.NoDracutArgsInInitrd));
            return RebuildVerdict.UpToDate;
        }
        if (fs.InitrdBuildParameters.Contains("--mount", StringComparison.Ordinal))
        {
            var (dev, mnt, type) = RecordedMount(fs.InitrdBuildParameters);
            if (dev == fs.PersistentDevice && mnt == fs.KdumpMountPoint && type == fs.FsType) return RebuildVerdict.UpToDate;
        }
        else if (fs.Target == fs.RootDevice)
        {
            return RebuildVerdict.UpToDate;
        }
        messages.Add(KdumpLog.Info(KdumpctlText.DetectedFsChange));
        return RebuildVerdict.Rebuild;
    }

    /// <summary>
    /// <c>awk -F "--mount '" '{print $2}' | cut -d' ' -f1,2,3</c> on the recorded dracut
    /// parameters, then word-split: the first <c>--mount '</c> argument's device, mount point, fstype.
    /// </summary>
    public static (string Device, string MountPoint, string FsType) RecordedMount(string buildParameters)
    {
        ArgumentNullException.ThrowIfNull(buildParameters);
        var firstLine = buildParameters.Split('\n')[0];
        var parts = firstLine.Split("--mount '");
        if (parts.Length < 2) return ("", "", "");
        var f = parts[1].Split(' ');
        var words = Shell.ShellChars.SplitWords(string.Join(' ', f.Take(3)));
        return (words.ElementAtOrDefault(0) ?? "", words.ElementAtOrDefault(1) ?? "", words.ElementAtOrDefault(2) ?? "");
    }

    private static RebuildVerdict CheckDrivers(DriverCheckInputs d, List<KdumpMessage> messages)
    {
        var have = new HashSet<string>(d.InitrdModules.Select(m => m.Trim()), StringComparer.Ordinal);
        foreach (var module in d.RequiredModules)
        {
            if (have.Contains(module)) continue;
            messages.Add(KdumpLog.Info(KdumpctlText.DetectedDriverChange(module)));
            return RebuildVerdict.Rebuild;
        }
        return RebuildVerdict.UpToDate;
    }

    /// <summary>
    /// The watched set in upstream's order: kdump.conf, the kernel, kdump_post, kdump_pre,
    /// kdump_emergency, extra_bins, the core collector binary (when found on PATH),
    /// /etc/fstab (when it exists), extra-module files, hook scripts, lvm.conf (LVM-thin target).
    /// </summary>
    public static IReadOnlyList<string> WatchedFileList(Conf.KdumpConfig config, string kernelPath, string? coreCollectorPath,
        bool fstabExists, IReadOnlyList<string>? moduleFiles = null, IReadOnlyList<string>? hookFiles = null, bool lvmThinTarget = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        var files = new List<string> { KdumpctlText.ConfigFile };
        if (kernelPath.Length > 0) files.Add(kernelPath);
        files.AddRange(ExecutableList(config));
        if (!string.IsNullOrEmpty(coreCollectorPath)) files.Add(coreCollectorPath);
        if (fstabExists) files.Add("/etc/fstab");
        files.AddRange(moduleFiles ?? []);
        files.AddRange(hookFiles ?? []);
        if (lvmThinTarget) files.Add("/etc/lvm/lvm.conf");
        return files;
    }

    /// <summary><c>EXTRA_BINS</c>: kdump_post, kdump_pre, kdump_emergency, extra_bins (each must be executable).</summary>
    public static IReadOnlyList<string> ExecutableList(Conf.KdumpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var list = new List<string>();
        foreach (var v in new[] { config.KdumpPost, config.KdumpPre, config.KdumpEmergency })
            list.AddRange(Shell.ShellChars.SplitWords(v));
        list.AddRange(config.ExtraBins);
        return list;
    }

    /// <summary>Hook scripts: executable files of /etc/kdump/{post,pre,emergency}.d in that order.</summary>
    public static IReadOnlyList<string> HookFiles(IO.IRootFileSystem root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var list = new List<string>();
        foreach (var dir in new[] { "/etc/kdump/post.d", "/etc/kdump/pre.d", "/etc/kdump/emergency.d" })
        {
            foreach (var name in root.ListDirectory(dir))
            {
                var path = dir + "/" + name;
                if (root.IsExecutable(path)) list.Add(path);
            }
        }
        return list;
    }
}
