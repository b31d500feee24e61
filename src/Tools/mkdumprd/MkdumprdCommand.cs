using Kdump.Cli;
using Kdump.Config.Cluster;
using Kdump.Config.Mounts;
using Kdump.Config.Sysconfig;
using Kdump.Initramfs;
using Kdump.Initramfs.Dracut;
using Kdump.Initramfs.Image;

namespace Kdump.Tools.Mkdumprd;

/// <summary>
/// <c>mkdumprd [--debug] [--root DIR] [--backend=minimal|dracut] [--compress=gzip|zstd|none]
/// [--capture-program FILE] [--makedumpfile FILE] [-f] IMAGE KVER</c> (docs/compat/mkdumprd.md).
/// kdumpctl calls it as <c>mkdumprd -f IMAGE KVER</c>, like upstream.
/// </summary>
public static class MkdumprdCommand
{
    /// <summary>
    /// Where the programs that go into the image are found when not given; the dracut that builds
    /// the dracut backend's image, how it is run, and our dracut module (<c>dracut/99kdump-cs</c>
    /// beside mkdumprd, copied there from dist/dracut) for when it is not installed in dracut's modules.d.
    /// </summary>
    public sealed record Environment(string ToolDirectory)
    {
        public DracutInstallation Dracut { get; init; } = DracutInstallation.System;

        public ICommandRunner Commands { get; init; } = new SystemCommandRunner();

        /// <summary>
        /// The checks that run programs (ssh to an ssh target, mount of an unmounted target) run
        /// through <see cref="Commands"/> for this machine's own root only; with <c>--root</c> they
        /// run through this runner, when one is given (tests).
        /// </summary>
        public ICommandRunner? PreflightCommandsUnderRoot { get; init; }

        /// <summary>
        /// <c>pcs cluster cib</c> runs through <see cref="Commands"/> for this machine's own root;
        /// with <c>--root</c> through this runner, when one is given (tests), else not at all.
        /// </summary>
        public ICommandRunner? ClusterCommandsUnderRoot { get; init; }

        public string DracutModuleSource => Path.Combine(ToolDirectory, "dracut", DracutInstallation.ModuleDirectoryName);
    }

    public static Environment HostEnvironment() => new(AppContext.BaseDirectory);

    public static int Run(IToolContext context, IReadOnlyList<string> args, Environment env)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(env);
        var err = context.Error;
        string root = "/", backend = "";
        string? compress = null;
        string? capture = null, makedumpfile = null;
        bool force = false, debug = false;
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Value(string name)
            {
                var eq = a.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0) return a[(eq + 1)..];
                if (i + 1 >= args.Count) throw new UsageException($"option {name} needs a value");
                return args[++i];
            }
            try
            {
                if (a is "-f" or "--force") force = true;
                else if (a == "--debug") debug = true;
                else if (a == "--root" || a.StartsWith("--root=", StringComparison.Ordinal)) root = Value("--root");
                else if (a == "--backend" || a.StartsWith("--backend=", StringComparison.Ordinal)) backend = Value("--backend");
                else if (a == "--compress" || a.StartsWith("--compress=", StringComparison.Ordinal)) compress = Value("--compress");
                else if (a == "--capture-program" || a.StartsWith("--capture-program=", StringComparison.Ordinal)) capture = Value("--capture-program");
                else if (a == "--makedumpfile" || a.StartsWith("--makedumpfile=", StringComparison.Ordinal)) makedumpfile = Value("--makedumpfile");
                else if (a.StartsWith('-') && a.Length > 1) throw new UsageException($"unknown option {a}");
                else positional.Add(a);
            }
            catch (UsageException e)
            {
                err.WriteLine($"kdump: {e.Message}");
                err.WriteLine(Usage);
                return 1;
            }
        }
        if (positional.Count != 2)
        {
            err.WriteLine(Usage);
            return 1;
        }
        var (image, kver) = (context.ResolvePath(positional[0]), positional[1]);
        root = context.ResolvePath(root);
        var rooted = new RootedPath(root);

        if (backend.Length == 0) backend = ChooseBackend(rooted);
        if (backend is not ("minimal" or "dracut"))
        {
            err.WriteLine($"kdump: unknown mkdumprd backend '{backend}' (minimal or dracut)");
            return 1;
        }
        // Without --compress: zstd, or (minimal backend) what kdump.conf's dracut_args chose.
        var compression = InitramfsCompression.Zstd;
        if (compress is not null && !InitramfsCompressors.TryParse(compress, out compression))
        {
            err.WriteLine($"kdump: unknown compression '{compress}' (gzip, zstd or none)");
            return 1;
        }
        if (File.Exists(image) && !force)
        {
            // dracut's refusal, which upstream mkdumprd passes through.
            err.WriteLine($"dracut: Will not override existing initramfs ({image}) without --force");
            return 1;
        }
        capture ??= FirstExisting(Path.Combine(env.ToolDirectory, "kdump-capture"), rooted.Host("/usr/lib/kdump/kdump-capture"));
        // Without --makedumpfile the image's makedumpfile is a link to kdump-capture (multi-call).
        if (capture is null)
        {
            err.WriteLine("kdump: the capture program kdump-capture was not found (give --capture-program FILE)");
            return 1;
        }

        var request = new CaptureImageRequest
        {
            Root = root,
            KernelVersion = kver,
            CaptureProgram = capture,
            Makedumpfile = makedumpfile,
            Mounts = ReadMounts(rooted),
            WatchdogModules = ActiveWatchdogModules(rooted),
            Network = Kdump.Initramfs.Network.HostNetwork.Live(root),
            PreflightCommands = rooted.Root.Length == 0 ? env.Commands : env.PreflightCommandsUnderRoot,
            Pacemaker = () => QueryPacemaker(rooted.Root.Length == 0 ? env.Commands : env.ClusterCommandsUnderRoot, w => err.WriteLine($"kdump: {w}")),
            CommandOutput = err,
            OnWarning = w => err.WriteLine($"kdump: {w}"),
        };
        try
        {
            if (backend == "dracut")
            {
                return new DracutImageBuilder(new DracutImageRequest
                {
                    Capture = request,
                    Image = image,
                    Compression = compression,
                    Dracut = env.Dracut,
                    ModuleSource = env.DracutModuleSource,
                    Debug = debug,
                    Runner = env.Commands,
                    Output = err,
                }).Build();
            }
            var built = new CaptureImageBuilder(request).Build();
            if (compress is null)
            {
                // This backend writes the image: kdump.conf's dracut_args choose as they would dracut's.
                var said = new List<string>();
                compression = InitramfsCompressors.FromDracutArgs(built.DracutArgs, said) ?? compression;
                foreach (var w in said) err.WriteLine($"kdump: {w}");
            }
            var temp = image + ".tmp";
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                built.Plan.Write(f, compression);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temp, image, overwrite: true);
            return 0;
        }
        catch (InitramfsBuildException e)
        {
            err.WriteLine($"kdump: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            err.WriteLine($"kdump: cannot write {image}: {IoErrorText.StrError(e)}");
            return 1;
        }
    }

    public const string Usage = "usage: mkdumprd [--root DIR] [--backend=minimal|dracut] [--compress=gzip|zstd|none] [-f] IMAGE KVER";

    /// <summary><c>MKDUMPRD_BACKEND=</c> in /etc/sysconfig/kdump, else dracut when installed, else minimal.</summary>
    public static string ChooseBackend(RootedPath root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var sysconfigHost = root.Host(SysconfigKdump.FileName);
        if (File.Exists(sysconfigHost)
            && SysconfigKdump.Parse(File.ReadAllText(sysconfigHost)).Variables.TryGetValue("MKDUMPRD_BACKEND", out var b) && b.Length > 0)
            return b;
        return root.Exists("/usr/bin/dracut") || root.Exists("/usr/sbin/dracut") ? "dracut" : "minimal";
    }

    /// <summary>
    /// The cluster's CIB through pcs (not under <c>--root</c> without a runner). Upstream's
    /// get_pcs_fence_kdump_nodes first runs <c>pcs cluster sync</c> and <c>pcs cluster
    /// cib-upgrade</c>; those change the cluster (they push corosync.conf to every node and upgrade
    /// the CIB's schema) and reading node names needs neither, so they are not run.
    /// A pcs that is installed and fails (no cluster running yet) is said: the image then has no
    /// fence_kdump the cluster may configure, which upstream leaves unsaid.
    /// </summary>
    private static PacemakerCib? QueryPacemaker(ICommandRunner? runner, Action<string> warn)
    {
        if (runner is null) return null;
        var (rc, stdout) = runner.Capture(PacemakerCib.PcsCommand, PacemakerCib.MaxBytes + 1);
        if (rc is not 0 and not ICommandRunner.NotStarted)
            warn($"pcs cluster cib exited with {rc}: a fence_kdump device the cluster may configure is not in this image (rebuild it when the cluster runs)");
        return PacemakerCib.FromPcs(rc, stdout);
    }

    private static string? FirstExisting(params string[] paths) => paths.FirstOrDefault(File.Exists);

    private static MountTable? ReadMounts(RootedPath root)
    {
        var path = root.Root.Length == 0 ? "/proc/self/mountinfo" : root.Host("/proc/self/mountinfo");
        return File.Exists(path) ? MountTable.ParseMountInfo(File.ReadAllText(path)) : null;
    }

    /// <summary>The modules behind /sys/class/watchdog/* (upstream's dracut watchdog-modules).</summary>
    private static List<string> ActiveWatchdogModules(RootedPath root)
    {
        var result = new List<string>();
        var dir = root.Host("/sys/class/watchdog");
        if (!Directory.Exists(dir)) return result;
        foreach (var wd in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            var module = new FileInfo(Path.Combine(wd, "device", "driver", "module"));
            if (module.LinkTarget is { } target) result.Add(Path.GetFileName(target));
        }
        return result;
    }

    private sealed class UsageException(string message) : Exception(message);
}
