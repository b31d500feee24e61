using Kdump.Initramfs.Cpio;
using System.Text;
using Kdump.Config.Conf;
using Kdump.Config.Mounts;
using Kdump.Initramfs.Devices;
using Kdump.Initramfs.Elf;
using Kdump.Initramfs.Image;
using Kdump.Initramfs.Modules;

namespace Kdump.Initramfs;

/// <summary>
/// mkdumprd's minimal backend: from the system's kdump.conf, the capture-kernel's modules and a
/// root directory, the plan of an initramfs whose /init is our capture program. Checks and
/// messages follow mkdumprd (kdump-reference §6.2); fatal ones throw <see cref="InitramfsBuildException"/>.
/// </summary>
public sealed partial class CaptureImageBuilder
{
    public const string ConfPath = "/etc/kdump.conf";
    public const string SysconfigPath = "/etc/sysconfig/kdump";

    /// <summary>Pacemaker's fence_kdump options (FENCE_KDUMP_OPTS), which upstream's mkdumprd reads when pcs configures fence_kdump.</summary>
    public const string PacemakerFenceKdumpPath = Config.Cluster.PacemakerCib.FenceKdumpConfigPath;
    public const string DefaultCoreCollector = "makedumpfile -l --message-level 7 -d 31";

    /// <summary>/init and where kdump-capture mounts file systems in the capture kernel.</summary>
    private static readonly string[] s_capturePlaces = [CaptureImage.InitPath, "/proc", "/sys", "/dev", "/run", "/tmp", "/sysroot", "/kdumproot"];

    private static readonly string[] s_searchPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"];
    private static readonly string[] s_hookDirs = ["/etc/kdump/pre.d", "/etc/kdump/post.d", "/etc/kdump/emergency.d"];

    /// <summary>File-system modules per target type (the kernel may have them built in).</summary>
    private static readonly Dictionary<string, string[]> s_fsModules = new(StringComparer.Ordinal)
    {
        ["ext2"] = ["ext4"], // Debian builds ext2/ext3 support into the ext4 driver (CONFIG_EXT4_USE_FOR_EXT2)
        ["ext3"] = ["ext4"],
        ["ext4"] = ["ext4"],
        ["xfs"] = ["xfs"],
        ["btrfs"] = ["btrfs"],
        ["minix"] = ["minix"],
        ["virtiofs"] = ["virtiofs"],
        ["nfs"] = ["nfs", "nfsv3", "nfsv4"],
        ["nfs4"] = ["nfs", "nfsv4"],
    };

    private readonly CaptureImageRequest _request;
    private readonly RootedPath _root;
    private readonly Config.IO.DirectoryRootFileSystem _files;
    private readonly SharedLibraryResolver _libraries;
    private readonly WarningLog _warnings;
    private readonly ImagePlan _plan = new();

    public CaptureImageBuilder(CaptureImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _request = request;
        _root = new RootedPath(request.Root);
        _files = new Config.IO.DirectoryRootFileSystem(request.Root);
        _libraries = new SharedLibraryResolver(_root);
        _warnings = new WarningLog(request.OnWarning);
    }

    /// <summary>The build's warnings, each also passed to the request's <c>OnWarning</c> when added.</summary>
    private sealed class WarningLog(Action<string>? onWarning) : System.Collections.ObjectModel.Collection<string>
    {
        protected override void InsertItem(int index, string item)
        {
            base.InsertItem(index, item);
            onWarning?.Invoke(item);
        }
    }

    public CaptureImage Build()
    {
        var confText = ReadText(ConfPath) ?? "";
        var conf = KdumpConfReader.Parse(confText, ConfPath);
        var lines = conf.ToNormalizedLines().ToList();
        var (targetOption, targetValue) = LastTarget(conf);
        var dracutArgs = conf.GetValue("dracut_args");
        IReadOnlyList<string> dracutArgv = dracutArgs.Length > 0 ? DracutArguments.Split(dracutArgs) : [];
        var dracutMount = dracutArgv.Count > 0 ? DracutArguments.ParseMount(dracutArgv) : null;
        var collector = conf.GetValue("core_collector");
        var moduleNames = new List<string>();

        // Skeleton: what /init needs before it can mount anything.
        foreach (var d in new[] { "proc", "sys", "dev", "tmp", "run", "sysroot", "kdumproot", "root", "etc/kdump" })
            _plan.AddDirectory(d);
        _plan.AddDirectory("root", UnixMode.Perm0700);
        _plan.AddCharDevice("dev/console", 5, 1);
        _plan.AddCharDevice("dev/null", 1, 3, UnixMode.Perm0666);
        _plan.AddCharDevice("dev/kmsg", 1, 11, UnixMode.Perm0644);
        _plan.AddHostFile(CaptureImage.InitPath, _request.CaptureProgram, UnixMode.Perm0755);
        // Our kdump-capture is also our makedumpfile (multi-call by argv[0]): a link, unless a
        // separate makedumpfile was asked for.
        if (_request.Makedumpfile is { } mdf) _plan.AddHostFile(CaptureImage.MakedumpfilePath, mdf, UnixMode.Perm0755);
        else _plan.AddSymlink(CaptureImage.MakedumpfilePath, CaptureImage.InitPath);
        _plan.AddFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"u8.ToArray());
        _plan.AddFile("etc/group", "root:x:0:\n"u8.ToArray());
        _plan.AddFile("etc/initrd-release", "NAME=kdump-capture\n"u8.ToArray());
        CopyIfExists("/etc/localtime");
        CopyIfExists("/etc/adjtime");
        if (ReadText(SysconfigPath) is { } sysconfig) _plan.AddFile(SysconfigPath, Encoding.UTF8.GetBytes(sysconfig));

        var fstab = new StringBuilder();
        switch (targetOption)
        {
            case "raw":
                CheckRaw(targetValue);
                CheckRawSize(targetValue);
                VerifyCoreCollector(collector, needsFlattened: true, isRaw: true);
                break;
            case "ssh":
                if (!targetValue.Contains('@', StringComparison.Ordinal)) throw new InitramfsBuildException($"Bad ssh dump target {targetValue}");
                var sshKey = conf.GetValue("sshkey") is { Length: > 0 } k ? k : Config.Messages.KdumpctlText.DefaultSshKey;
                CheckSshTarget(targetValue, conf.GetSavePath(), sshKey);
                VerifyCoreCollector(collector, needsFlattened: true, isRaw: false);
                InstallSsh(sshKey);
                break;
            case null when dracutMount is null:
                lines = DefaultTarget(conf, lines, fstab, moduleNames);
                break;
            case null:
                fstab.Append(FstabLine(dracutMount!.Device, dracutMount.MountPoint, dracutMount.FsType, dracutMount.Options.Length > 0 ? dracutMount.Options : "defaults"));
                AddFsModules(dracutMount.FsType, moduleNames);
                break;
            default:
                CheckUserConfiguredTarget(conf, targetOption, targetValue);
                AddFsModules(targetOption, moduleNames);
                fstab.Append(FsTargetFstabLine(conf, targetOption, targetValue));
                break;
        }
        // ssh and nfs: the route to the server, recorded for the capture kernel (Network/); fence_kdump
        // nodes (§5.7) are reached through the same interface, or, for a local target, the first one's.
        var server = Network.CaptureNetworkImage.RemoteHost(targetOption, targetValue, dracutMount);
        var fenceNodes = Config.Shell.ShellChars.SplitWords(conf.GetValue("fence_kdump_nodes"));
        // kdump_configure_fence_kdump: kdump.conf's nodes come first; else a fence_kdump device in
        // Pacemaker's CIB makes the cluster's nodes (less this one) the image's.
        var cluster = fenceNodes.Length == 0 && AskCluster() is { HasFenceKdump: true } cib ? cib : null;
        if (cluster is not null) fenceNodes = [.. cluster.NodeNames];
        Network.NetworkImage network;
        try
        {
            network = Network.CaptureNetworkImage.Install(_plan, _request.Network, server, fenceNodes, _warnings);
        }
        catch (InitramfsBuildException e) when (cluster is not null)
        {
            throw new InitramfsBuildException($"{e.Message} (fence_kdump nodes from the cluster's CIB, pcs cluster cib)", e);
        }
        moduleNames.AddRange(network.Modules);
        if (cluster is not null)
        {
            lines.AddRange(PacemakerFenceLines(cluster, network.FenceNodes));
            _plan.AddFile(CaptureImage.PacemakerNodesPath, Encoding.UTF8.GetBytes(
                Config.Cluster.PacemakerCib.FormatNodeRecord(cluster.NodeNames)));
        }
        if (cluster is not null ? network.FenceNodes.Count > 0 : fenceNodes.Length > 0) _plan.AddSymlink(CaptureImage.FenceKdumpSendPath, CaptureImage.InitPath);
        else if (cluster is null && File.Exists(_root.Host(PacemakerFenceKdumpPath)))
        {
            _warnings.Add($"{PacemakerFenceKdumpPath} (Pacemaker's fence_kdump) exists, but neither fence_kdump_nodes in kdump.conf nor a fence_kdump device"
                + " in the cluster's CIB (pcs cluster cib) names the nodes to notify: the cluster may fence this node while it dumps");
        }
        // mkdumprd: failure_action dump_to_rootfs adds a mount of the root file system at /sysroot.
        if (conf.GetValue("failure_action", "default") == "dump_to_rootfs"
            && _request.Mounts?.Entries.FirstOrDefault(e => e.Target == "/" && e.FsRoot == "/") is { } rootMount)
        {
            fstab.Append(FstabLine(rootMount.Source, "/sysroot", rootMount.FsType, RewriteOptions(rootMount.Options, rootMount.FsType)));
            AddFsModules(rootMount.FsType, moduleNames);
        }
        _plan.AddFile(CaptureImage.FstabPath, Encoding.UTF8.GetBytes(fstab.ToString()));
        var imageConf = string.Concat(lines.Select(l => l + "\n"));
        // What kdump-capture will read: a file it refuses would only show after a crash.
        try { _ = KdumpConfReader.Parse(imageConf, ConfPath); }
        catch (Config.KdumpConfigException e) { throw new InitramfsBuildException($"the image's kdump.conf would not be read by kdump-capture: {e.Message}", e); }
        _plan.AddFile(ConfPath, Encoding.UTF8.GetBytes(imageConf), UnixMode.Perm0600);

        // Programs named by the configuration, each with its libraries.
        if (collector.Length > 0 && Config.Shell.ShellChars.SplitWords(collector).FirstOrDefault() is { } program)
        {
            // makedumpfile, by name or by path, is ours: a path other than ours gets a link to it
            // (upstream would copy the system's file to that path).
            if (Path.GetFileName(program) != "makedumpfile") InstallProgram(program, "core_collector");
            else if (program.Contains('/', StringComparison.Ordinal))
            {
                var path = "/" + ImagePlan.Normalize(program);
                if (!program.StartsWith('/') || program.Split('/').Any(p => p is "." or ".."))
                    throw new InitramfsBuildException($"core_collector: {program} must be an absolute path without . or .. components.");
                // Not over or below the capture program, nor where it mounts (the link would be hidden).
                if (s_capturePlaces.Any(d => path == d || path.StartsWith(d + "/", StringComparison.Ordinal)))
                    throw new InitramfsBuildException($"core_collector: {program} lies where the capture program is or mounts; use /usr/sbin/makedumpfile.");
                if (path != CaptureImage.MakedumpfilePath) _plan.AddSymlink(path, CaptureImage.MakedumpfilePath);
            }
        }
        foreach (var hook in new[] { "kdump_pre", "kdump_post", "kdump_emergency" })
        {
            if (conf.GetValue(hook) is { Length: > 0 } exe) InstallProgram(exe, hook);
        }
        foreach (var bin in Config.Shell.ShellChars.SplitWords(conf.GetValue("extra_bins")))
            InstallProgram(bin, "extra_bins");
        foreach (var dir in s_hookDirs) InstallHookDirectory(dir);
        if (_request.IncludeBusybox || conf.GetValue("failure_action", "default") == "shell") InstallBusybox();

        moduleNames.AddRange(Config.Shell.ShellChars.SplitWords(conf.GetValue("extra_modules")));
        moduleNames.AddRange(_request.WatchdogModules);
        var modules = InstallModules(moduleNames, [.. TargetBlockDrivers(conf), .. network.IfModules]);
        RecordBuild(fstab.ToString(), conf, modules);
        return new CaptureImage(_plan, modules, [.. _warnings]) { DracutArgs = dracutArgv };
    }

    private Config.Cluster.PacemakerCib? AskCluster()
    {
        try { return _request.Pacemaker?.Invoke(); }
        catch (Config.KdumpConfigException e) { throw new InitramfsBuildException(e.Message, e); }
    }

    /// <summary>
    /// The lines upstream appends to the image's kdump.conf for a Pacemaker-configured fence_kdump:
    /// the cluster's other nodes, and <c>FENCE_KDUMP_OPTS</c> of /etc/sysconfig/fence_kdump (read as
    /// assignments, where upstream sources the file) when set.
    /// </summary>
    private List<string> PacemakerFenceLines(Config.Cluster.PacemakerCib cib, IReadOnlyList<string> nodes)
    {
        if (nodes.Count == 0)
        {
            _warnings.Add(cib.NodeNames.Count == 0
                ? "the cluster's CIB has a fence_kdump device but no node_state in its status: the capture kernel has no fence_kdump node to notify"
                : "the cluster's CIB names no node but this one: the capture kernel has no fence_kdump node to notify");
            return [];
        }
        List<string> result = [$"fence_kdump_nodes {string.Join(' ', nodes)}"];
        if (ReadText(PacemakerFenceKdumpPath) is { } text)
        {
            string? options;
            try { options = Config.Shell.ShellAssignmentFile.Parse(text, PacemakerFenceKdumpPath).Get("FENCE_KDUMP_OPTS"); }
            catch (Config.KdumpConfigException e) { throw new InitramfsBuildException(e.Message, e); }
            // One kdump.conf line: a quoted value spanning lines would add lines of its own.
            foreach (var c in options ?? "")
            {
                if (char.IsControl(c) && c != '\t')
                    throw new InitramfsBuildException($"{PacemakerFenceKdumpPath}: FENCE_KDUMP_OPTS holds a control character (U+{(int)c:X4}): it must fit on one kdump.conf line");
            }
            if (options is { Length: > 0 }) result.Add($"fence_kdump_args {options}");
        }
        return result;
    }

    private static (string? Option, string Value) LastTarget(KdumpConfReader conf)
    {
        string? option = null;
        var value = "";
        foreach (var l in conf.Lines)
        {
            if (DumpTarget.Directives.ContainsKey(l.Option)) { option = l.Option; value = l.Value; }
        }
        return (option, value);
    }

    private static void AddFsModules(string fsType, List<string> names)
    {
        if (s_fsModules.TryGetValue(fsType, out var mods)) names.AddRange(mods);
    }

    /// <summary>
    /// mkdumprd <c>to_mount</c>: dracut --mount "&lt;dev&gt; &lt;kdump mntpoint&gt; &lt;fstype&gt; &lt;options&gt;"
    /// as an fstab line. The options are the first mount's (the kernel's, else fstab's), their btrfs
    /// <c>subvol=</c> picks which mount point the capture kernel mirrors; the target is found by
    /// device as the preflight checks find it (a <c>UUID=</c> target mounted as /dev/vdb1).
    /// </summary>
    private string FsTargetFstabLine(KdumpConfReader conf, string fsType, string value)
    {
        var device = DeviceSpec.Parse(value);
        var facts = new DumpTargetFacts(conf, _request.Mounts, HostDevices, () => Fstab);
        var options = facts.MountOptions(value) ?? "defaults";
        var subvolume = fsType == "btrfs" ? MountEntry.GetSubvolumeOption(options) : null;
        var mnt = facts.KdumpMountPoint(value, subvolume);
        return FstabLine(device.ToString(), mnt, fsType, RewriteOptions(options, fsType));
    }

    /// <summary>An fstab line of the image, its fields escaped as fstab's (a mount point with a blank is <c>\040</c>).</summary>
    private static string FstabLine(string device, string mountPoint, string fsType, string options) =>
        $"{MountTable.Escape(device)} {MountTable.Escape(mountPoint)} {MountTable.Escape(fsType)} {MountTable.Escape(options)} 0 0\n";

    /// <summary>mkdumprd's option rewrite: ro→rw; noauto, nofail, nobootwait dropped; nfs address options dropped.</summary>
    public static string RewriteOptions(string options, string fsType)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kept = new List<string>();
        foreach (var o in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (o is "noauto" or "nofail" or "nobootwait") continue;
            if (fsType.StartsWith("nfs", StringComparison.Ordinal)
                && (o.StartsWith("addr=", StringComparison.Ordinal) || o.StartsWith("mountaddr=", StringComparison.Ordinal)
                    || o.StartsWith("proto=", StringComparison.Ordinal) || o.StartsWith("mountproto=", StringComparison.Ordinal)
                    || o.StartsWith("clientaddr=", StringComparison.Ordinal)))
                continue;
            var rewritten = o == "ro" ? "rw" : o;
            // mountinfo's per-mount and super-block options can repeat a word (rw twice): keep one.
            if (!kept.Contains(rewritten, StringComparer.Ordinal)) kept.Add(rewritten);
        }
        return kept.Count == 0 ? "defaults" : string.Join(',', kept);
    }

    /// <summary>mkdumprd <c>handle_default_dump_target</c>: dump under <c>path</c> on the file system backing it.</summary>
    private List<string> DefaultTarget(KdumpConfReader conf, List<string> lines, StringBuilder fstab, List<string> moduleNames)
    {
        var savePath = conf.GetSavePath();
        if (ResolveDirectory(savePath) is not { } saveDirectory) throw new InitramfsBuildException($"Dump path {savePath} does not exist.");
        if (_request.Mounts is not { } mounts)
        {
            _warnings.Add($"the file system backing {savePath} is unknown: the capture kernel will dump to /sysroot{savePath} only if /sysroot is mounted");
            return lines;
        }
        DefaultTargetResolution t;
        try { t = mounts.ResolveDefaultTarget(savePath); }
        catch (Config.KdumpConfigException e) { throw new InitramfsBuildException(e.Message, e); }
        CheckSize(t.Device, FreeKiB(saveDirectory));
        AddFsModules(t.FsType, moduleNames);
        fstab.Append(FstabLine(t.Device, t.KdumpMountPoint, t.FsType, RewriteOptions(t.Options, t.FsType)));
        // module-setup.sh default_dump_target_install_conf: the target line appended, path made relative to the mount.
        var rewritten = lines.Where(l => !l.StartsWith("path ", StringComparison.Ordinal)).ToList();
        rewritten.Add($"{t.FsType} {t.Device}");
        rewritten.Add("path " + (t.RelativeSavePath.Length == 0 ? "/" : t.RelativeSavePath));
        return rewritten;
    }

    private void CheckRaw(string device)
    {
        var host = _root.Host(DeviceSpec.Parse(device).ToDevicePath());
        try
        {
            using var f = new FileStream(host, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            Span<byte> block = stackalloc byte[512];
            f.ReadAtLeast(block, 1, throwOnEndOfStream: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InitramfsBuildException($"Bad raw disk {device}", e);
        }
    }

    /// <summary>mkdumprd <c>verify_core_collector</c>.</summary>
    private void VerifyCoreCollector(string collector, bool needsFlattened, bool isRaw)
    {
        if (collector.Length == 0) return; // the capture side's default adds -F itself
        var words = Config.Shell.ShellChars.SplitWords(collector);
        if (words.Length > 0 && words[0] == "makedumpfile")
        {
            if (needsFlattened && !collector.Contains("-F", StringComparison.Ordinal))
                throw new InitramfsBuildException("The specified dump target needs makedumpfile \"-F\" option.");
        }
        else if (isRaw)
        {
            _warnings.Add("Specifying a non-makedumpfile core collector, you will have to recover the vmcore manually.");
        }
    }

    private void InstallSsh(string sshKey)
    {
        InstallProgram("ssh", "ssh target");
        if (!CopyIfExists(sshKey, UnixMode.Perm0600)) _warnings.Add($"ssh key {sshKey} not found");
        if (!CopyIfExists("/root/.ssh/known_hosts", UnixMode.Perm0600)) _warnings.Add("/root/.ssh/known_hosts not found: StrictHostKeyChecking will refuse the server");
        _plan.AddDirectory("root/.ssh", UnixMode.Perm0700);
        CopyIfExists("/etc/ssh/ssh_config");
    }

    private void InstallBusybox()
    {
        foreach (var candidate in new[] { "/usr/bin/busybox", "/bin/busybox", "/usr/sbin/busybox", "/sbin/busybox" })
        {
            if (!_root.Exists(candidate)) continue;
            InstallFileWithLibraries(candidate, "busybox");
            _plan.AddSymlink("bin/sh", candidate);
            return;
        }
        _warnings.Add("busybox not found: failure_action shell will have no shell");
    }

    private void InstallHookDirectory(string dir)
    {
        foreach (var name in ListDirectory(dir))
        {
            var path = dir + "/" + name;
            if (!IsExecutable(path)) { _warnings.Add($"{path} is not executable"); continue; }
            InstallFileWithLibraries(path, dir);
        }
    }

    /// <summary>Installs a program named by path or found in the search path, with its libraries.</summary>
    private void InstallProgram(string program, string why)
    {
        var path = program.Contains('/', StringComparison.Ordinal) ? program : s_searchPath.Select(d => d + "/" + program).FirstOrDefault(_root.Exists);
        if (path is null || !_root.Exists(path)) throw new InitramfsBuildException($"{why}: {program} not found.");
        if (!IsExecutable(path)) throw new InitramfsBuildException($"{why}: {path} is not executable.");
        InstallFileWithLibraries(path, why);
    }

    /// <summary>The kernel's limit on nested interpreters (BINPRM_MAX_RECURSION, fs/exec.c).</summary>
    private const int MaxInterpreterDepth = 4;

    /// <summary>
    /// A file with its libraries and, for a script, its <c>#!</c> interpreter (dracut's inst_script):
    /// a <c>#!/bin/sh</c> hook in an image without a shell would fail with ENOENT in the capture kernel.
    /// </summary>
    private void InstallFileWithLibraries(string systemPath, string why, int depth = 0)
    {
        var real = _root.ResolveChain(systemPath) is { Count: > 0 } chain ? chain[^1].Path : systemPath;
        if (ScriptInterpreter(_root.Host(real)) is { } interpreter)
        {
            if (depth >= MaxInterpreterDepth) throw new InitramfsBuildException($"{why}: {systemPath}: interpreters nest deeper than {MaxInterpreterDepth}.");
            if (!_root.Exists(interpreter)) throw new InitramfsBuildException($"{why}: {systemPath} needs its interpreter {interpreter}, not found under {_request.Root}");
            InstallFileWithLibraries(interpreter, why, depth + 1);
        }
        var files = _libraries.Closure(systemPath, out var missing);
        if (missing.Count > 0) throw new InitramfsBuildException($"{why}: {systemPath} needs {string.Join(", ", missing)}, not found under {_request.Root}");
        foreach (var (path, link) in files)
        {
            if (link is not null) _plan.AddSymlink(path, link);
            else _plan.AddHostFile(path, _root.Host(path), IsExecutable(path) ? UnixMode.Perm0755 : UnixMode.Perm0644);
        }
    }

    /// <summary>The absolute interpreter path of a <c>#!</c> line in the first 256 bytes (BINPRM_BUF_SIZE), or null.</summary>
    public static string? ScriptInterpreter(string hostPath)
    {
        Span<byte> head = stackalloc byte[256];
        int n;
        try
        {
            using var f = File.OpenRead(hostPath);
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (n < 3 || head[0] != (byte)'#' || head[1] != (byte)'!') return null;
        var line = head[2..n];
        var end = line.IndexOf((byte)'\n');
        if (end >= 0) line = line[..end];
        var words = Encoding.UTF8.GetString(line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length > 0 && words[0].StartsWith('/') ? words[0] : null;
    }

    /// <summary>Installs <paramref name="names"/> (unknown ones warned about) and those of <paramref name="ifPresent"/> that are loadable modules of this kernel.</summary>
    private IReadOnlyList<ModuleEntry> InstallModules(List<string> names, IReadOnlyList<string> ifPresent)
    {
        var kver = _request.KernelVersion;
        var moduleDir = _root.Host("/lib/modules/" + kver);
        if (!Directory.Exists(moduleDir))
        {
            if (names.Count > 0)
                _warnings.Add($"{moduleDir} not found: {string.Join(' ', names.Distinct())} must be built into kernel {kver}");
            return [];
        }
        var index = ModuleIndex.Load(moduleDir);
        names.AddRange(ifPresent.Where(n => index.Find(n) is not null));
        var order = index.ResolveLoadOrder(names, out var missing);
        foreach (var m in missing) _warnings.Add($"Module {m} not found");
        var list = new StringBuilder();
        foreach (var m in order)
        {
            var plain = ModuleDecompressor.PlainPath(m.RelativePath);
            var imagePath = $"lib/modules/{kver}/{plain}";
            _plan.AddFile(imagePath, ModuleDecompressor.ReadPlain(Path.Combine(moduleDir, m.RelativePath)));
            list.Append('/').Append(imagePath).Append('\n');
        }
        _plan.AddFile(CaptureImage.ModuleListPath, Encoding.UTF8.GetBytes(list.ToString()));
        return order;
    }

    private bool CopyIfExists(string systemPath, uint permissions = UnixMode.Perm0644)
    {
        var chain = _root.ResolveChain(systemPath);
        if (chain is null) return false;
        _plan.AddHostFile(systemPath, _root.Host(chain[^1].Path), permissions);
        return true;
    }

    /// <summary>
    /// A configuration or /proc file of the root, null when missing. Bounded: a file larger than
    /// any configuration stops the build with its name instead of filling memory.
    /// </summary>
    private string? ReadText(string systemPath)
    {
        try { return _files.ReadAllText(systemPath, Config.ConfigLimits.Default.MaxFileBytes); }
        catch (Config.KdumpConfigException e) { throw new InitramfsBuildException(e.Message, e); }
    }

    private IEnumerable<string> ListDirectory(string systemPath)
    {
        var host = _root.Host(systemPath);
        return Directory.Exists(host)
            ? Directory.EnumerateFileSystemEntries(host).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];
    }

    private bool IsExecutable(string systemPath)
    {
        var resolved = _root.Resolve(systemPath);
        if (resolved is null || OperatingSystem.IsWindows()) return false;
        var mode = File.GetUnixFileMode(_root.Host(resolved));
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
