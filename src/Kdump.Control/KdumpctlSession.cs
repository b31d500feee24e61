using System.Globalization;
using Kdump.Config;
using Kdump.Config.Cluster;
using Kdump.Config.Conf;
using Kdump.Config.IO;
using Kdump.Config.Messages;
using Kdump.Config.Rebuild;
using Kdump.Config.Sysconfig;
using Kdump.Kexec;

namespace Kdump.Control;

/// <summary>
/// One kdumpctl run: the root, the services, sysconfig as read at start, the console log level,
/// and the steps several subcommands share (parse_config, setup_initrd, need_initrd_rebuild,
/// rebuild_initrd, load_kdump, stop_kdump).
/// </summary>
public sealed class KdumpctlSession
{
    public const string CrashLoadedPath = "/sys/kernel/kexec_crash_loaded";
    public const string CrashSizePath = "/sys/kernel/kexec_crash_size";
    public const string FadumpEnabledPath = "/sys/kernel/fadump/enabled";

    private static readonly string[] s_path = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    private readonly KexecLoader _loader;

    public KdumpctlSession(IRootFileSystem root, KdumpctlServices services)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(services);
        Root = root;
        Services = services;
        Sysconfig = SysconfigKdump.Parse(root.ReadAllText(SysconfigKdump.FileName, ConfigLimits.Default.MaxFileBytes));
        // KDUMP_STDLOGLVL: 0 = silent … 4 = debug; default info.
        ConsoleLevel = int.TryParse(Sysconfig.KdumpStdLogLvl, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is >= 0 and <= 4
            ? (KdumpLogLevel)l
            : KdumpLog.DefaultConsoleLevel;
        _loader = new KexecLoader(services.Syscalls, KexecRootBridge.ToSystemRoot(root), services.Console.Error);
    }

    public IRootFileSystem Root { get; }

    public KdumpctlServices Services { get; }

    public SysconfigKdump Sysconfig { get; set; }

    public KdumpLogLevel ConsoleLevel { get; }

    public TextWriter Out => Services.Console.Out;

    /// <summary><c>fadump</c> when /sys/kernel/fadump/enabled reads 1.</summary>
    public bool IsFadump => ReadSmall(FadumpEnabledPath)?.Trim() == "1";

    public void Log(KdumpMessage message) => KdumpLog.WriteAll(Services.Console.Error, [message], ConsoleLevel);

    public void Log(IEnumerable<KdumpMessage> messages) => KdumpLog.WriteAll(Services.Console.Error, messages, ConsoleLevel);

    public void Info(string text) => Log(KdumpLog.Info(text));

    public void Warn(string text) => Log(KdumpLog.Warning(text));

    public void Error(string text) => Log(KdumpLog.Error(text));

    public string? ReadSmall(string systemPath) => Root.ReadAllText(systemPath, 65536);

    /// <summary>Writes one file (creating its directory) through the all-or-nothing replacement.</summary>
    public void WriteFile(string systemPath, string content)
    {
        Directory.CreateDirectory(Root.HostPath(SystemPath.Directory(systemPath)));
        Root.ReplaceFilesAtomically([new FileReplacement(systemPath, content)]);
    }

    /// <summary>kexec_crash_loaded reads 1.</summary>
    public bool IsKdumpLoaded => _loader.KexecLoaded(crash: true) == 1;

    /// <summary>parse_config: the strict reader's messages, and the config or null on error.</summary>
    public KdumpConfig? ParseConfig()
    {
        KdumpConfReader conf;
        try
        {
            conf = KdumpConfReader.Parse(ReadSmall(KdumpctlText.ConfigFile) ?? "", KdumpctlText.ConfigFile);
        }
        catch (KdumpConfigException e)
        {
            Error(e.Message);
            return null;
        }
        var hostname = ReadSmall("/proc/sys/kernel/hostname")?.Trim() ?? "";
        var result = KdumpConfValidator.Validate(conf, KdumpConfValidationContext.FromRoot(Root, hostname));
        Log(result.Messages);
        return result.Config;
    }

    /// <summary>The configuration for the status report: parsed without printing (the command already did).</summary>
    public KdumpConfig? ParseConfigQuietly()
    {
        try
        {
            var conf = KdumpConfReader.Parse(ReadSmall(KdumpctlText.ConfigFile) ?? "", KdumpctlText.ConfigFile);
            return KdumpConfValidator.Validate(conf, KdumpConfValidationContext.FromRoot(Root)).Config;
        }
        catch (KdumpConfigException)
        {
            return null;
        }
    }

    /// <summary>
    /// setup_initrd: kernel and kdump initramfs, or null after upstream's two messages. A debug
    /// kernel is warned about; /var/lib/kdump is created when the initramfs goes there.
    /// </summary>
    public KdumpBootInfo? SetupInitrd()
    {
        var info = KdumpBootInfo.Resolve(Root, Sysconfig);
        if (info is null)
        {
            Error(KdumpctlText.KernelNotFound);
            Error(KdumpctlText.BootinfoFailed);
            return null;
        }
        // ${KDUMP_KERNEL##*+} == ?(64k-)debug
        var plus = info.Kernel.LastIndexOf('+');
        if (plus >= 0 && info.Kernel[(plus + 1)..] is "debug" or "64k-debug") Warn(KdumpctlText.DebugKernel);
        if (SystemPath.Directory(info.Initrd) == KdumpBootInfo.VarLibKdump)
            Directory.CreateDirectory(Root.HostPath(KdumpBootInfo.VarLibKdump));
        return info;
    }

    /// <summary>
    /// need_initrd_rebuild (§3.4): force flags, the image's presence, watched files, then the dump
    /// target's file system and drivers against what the image recorded. Those two checks gather
    /// their inputs only when the decision gets to them, and the image is read once, by the first.
    /// </summary>
    public RebuildVerdict NeedInitrdRebuild(KdumpConfig config, KdumpBootInfo boot)
    {
        var hooks = RebuildDecision.HookFiles(Root);
        var watched = RebuildDecision.WatchedFileList(config, boot.Kernel, FindOnPath(config.CoreCollectorProgram),
            Root.FileExists("/etc/fstab"), hookFiles: hooks);
        var conf = new Lazy<KdumpConfReader>(() => KdumpConfReader.Parse(ReadSmall(KdumpctlText.ConfigFile) ?? "", KdumpctlText.ConfigFile));
        var facts = new Devices.ImageFacts(Root, boot.KernelVersion);
        var record = new Lazy<(Kdump.Initramfs.Record.BuildRecord, string?)>(() =>
            (Devices.ImageFacts.ReadRecord(Root, boot.Initrd, out var problem), problem));
        var inputs = new RebuildInputs(
            config.ForceRebuild,
            config.ForceNoRebuild,
            boot.Initrd,
            Root.GetModificationTimeSeconds(boot.Initrd),
            [.. watched.Select(f => FileFacts.From(Root, f))],
            [.. RebuildDecision.ExecutableList(config).Select(f => FileFacts.From(Root, f))],
            imageTime => PcsClusterModifiedFiles(config, imageTime, () => record.Value),
            FileSystem: () => facts.FileSystem(conf.Value, () => record.Value),
            Drivers: () => facts.Drivers(conf.Value, config.DracutArgv, () => record.Value));
        var result = RebuildDecision.Decide(inputs);
        Log(result.Messages);
        return result.Verdict;
    }

    /// <summary>
    /// get_pcs_cluster_modified_files: with no fence_kdump_nodes in kdump.conf and a fence_kdump
    /// device in the CIB (<c>pcs cluster cib</c>), <c>cluster-cib</c> when the CIB was written after
    /// the image, and /etc/sysconfig/fence_kdump when it was changed after it. pcs is the one found
    /// in the root's PATH, run by that path. Upstream also needs /usr/libexec/fence_kdump_send on
    /// this machine; ours is kdump-capture itself, so it is not looked for. A CIB pcs prints but
    /// that cannot be read is a warning, not a rebuild (mkdumprd stops on it).
    /// Beyond upstream: <c>cluster-cib</c> too when the CIB names a node the image's
    /// <see cref="Kdump.Initramfs.CaptureImage.PacemakerNodesPath"/> (ours writes every name it
    /// read) lacks, or, in an image without that record, when its kdump.conf names no fence_kdump
    /// node (upstream's mkdumprd writes them). mkdumprd asked a cluster that did not answer, or
    /// whose status was not filled in yet (kdump may start at boot before Pacemaker), and a CIB
    /// written before the image would otherwise never have it rebuilt: the other nodes would
    /// power-fence this one in the middle of every dump. The image (<paramref name="record"/>) is
    /// read only then.
    /// </summary>
    private List<string> PcsClusterModifiedFiles(KdumpConfig config, long imageTime, Func<(Kdump.Initramfs.Record.BuildRecord Record, string? Problem)> record)
    {
        if (config.FenceKdumpNodes.Count > 0 || FindOnPath("pcs") is not { } pcs) return [];
        var r = Services.Processes.RunBounded([Root.HostPath(pcs), .. PacemakerCib.PcsCommand.Skip(1)], PacemakerCib.MaxBytes + 1);
        PacemakerCib? cib;
        try { cib = PacemakerCib.FromPcs(r.ExitCode, r.Stdout); }
        catch (KdumpConfigException e)
        {
            Warn($"{e.Message} (a rebuild of the image will stop on it)");
            return [];
        }
        if (cib is not { HasFenceKdump: true }) return [];
        var result = new List<string>();
        if (PacemakerCib.LastWrittenSeconds(cib.LastWritten, Services.TimeZone) is { } written)
        {
            if (written > imageTime) result.Add("cluster-cib");
        }
        else if (cib.LastWritten is { } text)
        {
            // Upstream's date prints its complaint and the comparison is skipped.
            Warn($"pcs cluster cib: cib-last-written \"{text}\" is not a date");
        }
        if (result.Count == 0 && record() is { Problem: null } image
            && (image.Record.PacemakerNodes is { } recorded
                ? !cib.NodeNames.All(PacemakerCib.ParseNodeRecord(recorded).Contains)
                : !NamesFenceNodes(image.Record.KdumpConf)))
        {
            result.Add("cluster-cib");
        }
        var options = PacemakerCib.FenceKdumpConfigPath;
        if (Root.FileExists(options) && Root.GetModificationTimeSeconds(options) > imageTime) result.Add(options);
        return result;
    }

    /// <summary>An image's kdump.conf with a <c>fence_kdump_nodes</c> value; one that cannot be read names none.</summary>
    private static bool NamesFenceNodes(string imageConf)
    {
        try { return !string.IsNullOrWhiteSpace(KdumpConfReader.Parse(imageConf, "(the image's) /etc/kdump.conf").GetValue("fence_kdump_nodes")); }
        catch (KdumpConfigException) { return false; }
    }

    /// <summary>rebuild_initrd: <c>mkdumprd -f &lt;initrd&gt; &lt;kver&gt;</c> as an argv; clears the test status.</summary>
    public bool RebuildInitrd(KdumpBootInfo boot)
    {
        Info($"Rebuilding {boot.Initrd}");
        var dir = SystemPath.Directory(boot.Initrd);
        if (!Root.IsWritableDirectory(dir))
        {
            Error($"{dir} does not have write permission. Cannot rebuild {boot.Initrd}");
            return false;
        }
        List<string> argv = [Services.Mkdumprd];
        if (Root.HostPath("/") != "/") argv.AddRange(["--root", Root.HostPath("/")]);
        argv.AddRange(["-f", boot.Initrd, boot.KernelVersion]);
        var r = Services.Processes.Run(argv);
        // Upstream runs mkdumprd on kdumpctl's own terminal: its output reaches the sysadmin.
        if (r.Stdout.Length > 0) Services.Console.Out.Write(r.Stdout);
        if (r.Stderr.Length > 0) Services.Console.Error.Write(r.Stderr);
        if (r.ExitCode != 0)
        {
            Error("mkdumprd: failed to make kdump initrd");
            return false;
        }
        Services.Syscalls.sync();
        VmcoreCreationStatus.Clear(this);
        return true;
    }

    /// <summary>load_kdump (§3.5): KEXEC_ARGS, -p, the capture command line, the initrd and kernel, in-process.</summary>
    public bool LoadKdump(KdumpBootInfo boot)
    {
        if (!KexecArguments.TryParse(Sysconfig.KexecArgs, out var args, out var bad))
        {
            Error($"KEXEC_ARGS option {bad} is not supported by this kdumpctl");
            Error("kexec: failed to load kdump kernel");
            return false;
        }
        var cmdline = CaptureCommandLine.Build(CaptureCommandLineInputs.From(Sysconfig, ReadSmall("/proc/cmdline") ?? "") with
        {
            BootCpuApicId = ReadSmall("/proc/cpuinfo") is { } cpuinfo ? CpuInfo.BootCpuApicId(cpuinfo) : null,
            WatchdogDrivers = new Devices.ImageFacts(Root, boot.KernelVersion).WatchdogDrivers(),
        });
        var request = new KexecLoadRequest(Root.HostPath(boot.Kernel))
        {
            InitrdPath = Root.HostPath(boot.Initrd),
            CommandLine = cmdline,
            Crash = true,
            Debug = args.Debug,
            Mode = args.Mode,
        };
        if (_loader.Load(request) != KexecResult.Success)
        {
            Error("kexec: failed to load kdump kernel");
            return false;
        }
        Info("kexec: loaded kdump kernel");
        return true;
    }

    /// <summary>stop_kdump: <c>kexec -p -u</c>.</summary>
    public bool StopKdump()
    {
        if (_loader.Unload(crash: true) != KexecResult.Success)
        {
            Error("kexec: failed to unload kdump kernel");
            return false;
        }
        Info("kexec: unloaded kdump kernel");
        return true;
    }

    // type -P on the root's standard PATH.
    private string? FindOnPath(string? program)
    {
        if (string.IsNullOrEmpty(program)) return null;
        if (program.Contains('/', StringComparison.Ordinal)) return Root.FileExists(program) ? program : null;
        return s_path
            .Select(d => d + "/" + program)
            .FirstOrDefault(p => Root.FileExists(p) && Root.IsExecutable(p));
    }
}
