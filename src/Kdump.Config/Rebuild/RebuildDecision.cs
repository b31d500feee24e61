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

        // The image is read once; a read problem is told once, by the first check that needs it.
        string? told = null;
        void ReadProblem(string? problem)
        {
            if (problem is null || problem == told) return;
            messages.Add(KdumpLog.Warning(problem));
            told = problem;
        }

        var status = RebuildVerdict.UpToDate;
        foreach (var check in new Func<RebuildVerdict>[]
                 {
                     () => CheckFiles(inputs, imageTime, messages),
                     () => inputs.FileSystem?.Invoke() is { } fs ? CheckFileSystem(fs, messages, ReadProblem) : RebuildVerdict.UpToDate,
                     () => inputs.Drivers?.Invoke() is { } d ? CheckDrivers(d, messages, ReadProblem) : RebuildVerdict.UpToDate,
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
        var modified = string.Concat((inputs.ClusterModifiedFiles?.Invoke(imageTime) ?? []).Select(f => " " + f));
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

    private static RebuildVerdict CheckFileSystem(FsCheckInputs fs, List<KdumpMessage> messages, Action<string?> readProblem)
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
        readProblem(fs.InitrdReadProblem);
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
    /// <c>set -- $(echo "$args" | awk -F "--mount '" '{print $2}' | cut -d' ' -f1,2,3)</c>: per line,
    /// the text after the first <c>--mount '</c> up to the next one, its first three space-separated
    /// fields (cut prints a line without a space whole), then all lines word-split: the first
    /// recorded mount's device, mount point and fstype ("" for what is missing).
    /// </summary>
    public static (string Device, string MountPoint, string FsType) RecordedMount(string buildParameters)
    {
        ArgumentNullException.ThrowIfNull(buildParameters);
        var cut = new List<string>();
        foreach (var line in buildParameters.Split('\n'))
        {
            var parts = line.Split("--mount '");
            var field = parts.Length >= 2 ? parts[1] : "";
            cut.Add(field.Contains(' ', StringComparison.Ordinal) ? string.Join(' ', field.Split(' ').Take(3)) : field);
        }
        var words = Shell.ShellChars.SplitWords(string.Join('\n', cut));
        return (words.ElementAtOrDefault(0) ?? "", words.ElementAtOrDefault(1) ?? "", words.ElementAtOrDefault(2) ?? "");
    }

    private static RebuildVerdict CheckDrivers(DriverCheckInputs d, List<KdumpMessage> messages, Action<string?> readProblem)
    {
        readProblem(d.InitrdReadProblem);
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
