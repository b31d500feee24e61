using Kdump.Config.Shell;

namespace Kdump.Config.Conf;

/// <summary>
/// A validated kdump.conf (what kdumpctl's <c>OPT[]</c> holds after <c>parse_config</c>).
/// Every string is upstream's value verbatim; absent directives are null.
/// </summary>
public sealed record KdumpConfig
{
    /// <summary>The dump target, or null for the default target (the device backing <see cref="Path"/>).</summary>
    public DumpTarget? Target { get; init; }

    /// <summary><c>path</c>, default <c>/var/crash/</c> (not squeezed: use <see cref="SavePath"/>).</summary>
    public string Path { get; init; } = Messages.KdumpctlText.DefaultPath;

    /// <summary><c>sshkey</c> (canonicalised, or the default when the file does not exist).</summary>
    public string SshKey { get; init; } = Messages.KdumpctlText.DefaultSshKey;

    public string? CoreCollector { get; init; }
    public string? KdumpPre { get; init; }
    public string? KdumpPost { get; init; }
    public string? KdumpEmergency { get; init; }
    public IReadOnlyList<string> ExtraBins { get; init; } = [];
    public IReadOnlyList<string> ExtraModules { get; init; } = [];

    /// <summary><c>failure_action</c> (or the deprecated <c>default</c>); null = reboot.</summary>
    public KdumpAction? FailureAction { get; init; }

    /// <summary><c>final_action</c>; null = reboot.</summary>
    public KdumpAction? FinalAction { get; init; }

    /// <summary>Raw <c>force_rebuild</c>; validated by the rebuild decision, as upstream does.</summary>
    public string? ForceRebuild { get; init; }

    /// <summary>Raw <c>force_no_rebuild</c>; validated by the rebuild decision, as upstream does.</summary>
    public string? ForceNoRebuild { get; init; }

    /// <summary>Raw <c>dracut_args</c> value.</summary>
    public string? DracutArgs { get; init; }

    /// <summary><c>dracut_args</c> split like <c>xargs -n 1</c>.</summary>
    public IReadOnlyList<string> DracutArgv { get; init; } = [];

    public string? FenceKdumpArgs { get; init; }
    public IReadOnlyList<string> FenceKdumpNodes { get; init; } = [];

    /// <summary>Raw <c>auto_reset_crashkernel</c> (only compared against <c>no</c>).</summary>
    public string? AutoResetCrashkernel { get; init; }

    /// <summary>kdumpctl's whole <c>OPT[]</c> map, including <c>_fstype</c> and <c>_target</c>.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary><c>_should_reset_crashkernel</c>'s config half: anything but <c>no</c> means yes.</summary>
    public bool ShouldAutoResetCrashkernel => AutoResetCrashkernel != "no";

    /// <summary><c>get_save_path</c>: <see cref="Path"/> with duplicate slashes squeezed.</summary>
    public string SavePath => IO.SystemPath.SqueezeSlashes(Path);

    /// <summary>First word of <see cref="CoreCollector"/> (the binary checked by <c>type -P</c>).</summary>
    public string? CoreCollectorProgram => CoreCollector is null ? null : ShellChars.SplitWords(CoreCollector).FirstOrDefault();

    /// <summary>The default target (no target directive and no <c>--mount</c>): dump under <see cref="Path"/> on its backing file system.</summary>
    public bool IsDefaultTarget => Target is null;
}
