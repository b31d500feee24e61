using Kdump.Config.Conf;
using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Dracut;

/// <summary>What mkdumprd's argv for dracut is made from (kdump-reference §6.1).</summary>
public sealed record DracutCommandLineInputs
{
    /// <summary>The dracut program (a path or a name found through PATH).</summary>
    public required string Program { get; init; }

    /// <summary>The system's kdump.conf, read leniently.</summary>
    public required KdumpConfReader Conf { get; init; }

    /// <summary><c>dracut_args</c> split as <c>xargs -n 1</c> does.</summary>
    public required IReadOnlyList<string> DracutArgs { get; init; }

    /// <summary>The capture kernel's fstab lines (<c>dev mnt fstype options freq passno</c>), target first.</summary>
    public required IReadOnlyList<string> Fstab { get; init; }

    /// <summary>Modules the capture needs besides what dracut finds (file system, watchdogs, target's block drivers).</summary>
    public required IReadOnlyList<string> Drivers { get; init; }

    public required InitramfsCompression Compression { get; init; }

    /// <summary>Where the kernel's modules are when not the running system's <c>/lib/modules/KVER</c>; null = dracut's default.</summary>
    public string? ModuleDirectory { get; init; }

    public bool Debug { get; init; }

    public required string Image { get; init; }

    public required string KernelVersion { get; init; }
}

/// <summary>
/// mkdumprd's dracut argv, in upstream's order: the host-only base options; per kdump.conf line
/// <c>--add-drivers</c> (extra_modules), <c>--mount</c> (file-system targets), <c>--device</c>
/// (raw), <c>--sshkey</c> (ssh) and the <c>dracut_args</c> words; the default target's mount;
/// compression unless <c>dracut_args</c> chose one; the dump_to_rootfs mount;
/// <c>--no-hostonly-default-device</c>; our module and upstream's omissions; then <c>-f IMAGE KVER</c>.
/// </summary>
public static class DracutCommandLine
{
    /// <summary>Our dracut module (dist/dracut/99kdump-cs).</summary>
    public const string ModuleName = "kdump-cs";

    /// <summary>The modules upstream's mkdumprd omits when dracut has no <c>--add-confdir</c> (dracut 059 has none).</summary>
    public const string OmittedModules = "rdma plymouth resume ifcfg earlykdump";

    /// <summary>The mount point under which mkdumprd's dump_to_rootfs mount appears.</summary>
    private const string RootFsMountPoint = "/sysroot";

    /// <summary><c>have_compression_in_dracut_args</c>: the words that choose how dracut compresses.</summary>
    private static readonly string[] s_compressionWords =
        ["--gzip", "--bzip2", "--lzma", "--xz", "--lzo", "--lz4", "--zstd", "--no-compress", "--compress", "--squash-compressor"];

    /// <summary>Our compression choice as dracut's option. Upstream picks a squash image here; see docs/compat/mkdumprd.md.</summary>
    private static readonly Dictionary<InitramfsCompression, string> s_compressionOption = new()
    {
        [InitramfsCompression.Zstd] = "--zstd",
        [InitramfsCompression.Gzip] = "--gzip",
        [InitramfsCompression.None] = "--no-compress",
    };

    public static IReadOnlyList<string> Build(DracutCommandLineInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var argv = new List<string>
        {
            inputs.Program,
            inputs.Debug ? "--debug" : "--quiet",
            "--hostonly", "--hostonly-cmdline", "--hostonly-i18n",
            "--hostonly-mode", "strict",
            "--hostonly-nics", "",
            "--aggressive-strip",
        };
        var mounts = inputs.Fstab.Select(MountArgument).OfType<(string MountPoint, string Value)>().ToList();
        var rootFs = mounts.Where(m => m.MountPoint == RootFsMountPoint).Select(m => m.Value).ToList();
        var target = mounts.Where(m => m.MountPoint != RootFsMountPoint).Select(m => m.Value).ToList();
        // A target given as dracut_args --mount reaches dracut with the dracut_args words.
        var fromDracutArgs = DracutArguments.ParseMount(inputs.DracutArgs) is not null;
        var targetLineSeen = false;

        foreach (var line in inputs.Conf.Lines)
        {
            switch (line.Option)
            {
                case "extra_modules":
                    argv.AddRange(["--add-drivers", line.Value]);
                    break;
                case "raw":
                    argv.AddRange(["--device", DeviceSpec.Parse(line.Value).ToDevicePath()]);
                    targetLineSeen = true;
                    break;
                case "ssh":
                    argv.AddRange(["--sshkey", inputs.Conf.GetValue("sshkey") is { Length: > 0 } key ? key : Config.Messages.KdumpctlText.DefaultSshKey]);
                    targetLineSeen = true;
                    break;
                case var t when DumpTarget.Directives.ContainsKey(t):
                    foreach (var m in target) argv.AddRange(["--mount", m]);
                    target.Clear();
                    targetLineSeen = true;
                    break;
                case "dracut_args":
                    if (DracutArguments.ParseMount(inputs.DracutArgs) is { } argsMount && DracutArguments.MountIsNfs(argsMount))
                        argv.AddRange(["--add-drivers", "nfs_layout_nfsv41_files"]);
                    argv.AddRange(inputs.DracutArgs);
                    break;
            }
        }
        if (!targetLineSeen && !fromDracutArgs)
        {
            foreach (var m in target) argv.AddRange(["--mount", m]);
        }
        if (!inputs.DracutArgs.Any(IsCompressionWord)) argv.Add(s_compressionOption[inputs.Compression]);
        foreach (var m in rootFs) argv.AddRange(["--mount", m]);
        argv.Add("--no-hostonly-default-device");
        if (inputs.Drivers.Count > 0) argv.AddRange(["--add-drivers", string.Join(' ', inputs.Drivers)]);
        argv.AddRange(["--add", ModuleName, "--omit", OmittedModules]);
        if (inputs.ModuleDirectory is { } kmoddir) argv.AddRange(["--kmoddir", kmoddir]);
        argv.AddRange(["-f", inputs.Image, inputs.KernelVersion]);
        return argv;
    }

    /// <summary>dracut's <c>--mount "dev mnt fstype options"</c> of an fstab line (null for a short line).</summary>
    private static (string MountPoint, string Value)? MountArgument(string fstabLine)
    {
        var f = fstabLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length < 4 ? null : (f[1], string.Join(' ', f[..4]));
    }

    private static bool IsCompressionWord(string word) =>
        s_compressionWords.Any(w => word == w || word.StartsWith(w + "=", StringComparison.Ordinal));
}
