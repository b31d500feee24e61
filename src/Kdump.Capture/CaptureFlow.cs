using System.Globalization;
using Kdump.Config.Conf;
using Kdump.Config.Shell;

namespace Kdump.Capture;

/// <summary>
/// kdump-utils' <c>kdump.sh</c> main (kdump-reference §5.1) as a library: read the image's
/// kdump.conf leniently, kdump_pre and pre.d, mount the target, vmcore-dmesg.txt first, the
/// collector into <c>vmcore-incomplete</c> renamed only on success, post.d and kdump_post with the
/// exit code, kexec-dmesg.log, then final_action — or, on failure, the error handler:
/// emergency.d and kdump_emergency, failure_action, save_log, final_action. A
/// <c>kdump_test_id=</c> on the command line (<c>kdumpctl test</c>, §3.7) saves into
/// <c>&lt;path&gt;/kdump-test-&lt;id&gt;/</c> with its vmcore-creation.status: fail first, success after the dump.
/// </summary>
public sealed class CaptureFlow
{
    public const string ConfPath = "/etc/kdump.conf";
    public const string FstabPath = "/etc/fstab";
    public const string DefaultPath = "/var/crash";
    public const string DefaultSshKey = "/root/.ssh/kdump_id_rsa";
    public const string LocalHostIp = "127.0.0.1";

    // Owner-only: a vmcore holds every secret the crashed kernel had in memory.
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly ICaptureSystem _system;
    private readonly CapturePaths _paths;
    private readonly int _onlineCpus;
    private KdumpConfReader _conf = KdumpConfReader.Empty;
    private string? _logDestination;
    private string _hostIp = LocalHostIp;
    private string? _testId;

    public CaptureFlow(ICaptureSystem system, CapturePaths paths, int onlineCpus = 1)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(paths);
        _system = system;
        _paths = paths;
        _onlineCpus = onlineCpus;
    }

    /// <summary>The exit status kdump.sh would have (0 after a saved dump).</summary>
    public int Run(bool errorHandler = false)
    {
        var confText = ReadText(ConfPath);
        try { _conf = confText is null ? KdumpConfReader.Empty : KdumpConfReader.Parse(confText, ConfPath); }
        catch (Config.KdumpConfigException e) { Log($"cannot read {ConfPath}: {e.Message}"); _conf = KdumpConfReader.Empty; }

        if (errorHandler) return ErrorHandler();

        var instruction = ReadDumpInstruction();
        var fenceNodes = ShellChars.SplitWords(_conf.GetValue("fence_kdump_nodes"));
        Config.Network.CaptureNetworkConfig? network = null;
        // Upstream starts the sender whatever the network did: part of it may work, and a failure
        // action (dump_to_rootfs) can take minutes during which the cluster would fence this node.
        // It starts once the dump's interface has been tried, before the interfaces toward the
        // nodes: leasing one may take longer than the agents wait (fence_kdump -t: 60 s).
        var notified = false;
        void Notify(Config.Network.CaptureNetworkConfig? first, bool up)
        {
            if (notified || fenceNodes.Length == 0) return;
            notified = true;
            if (!up)
            {
                // With a record, only its first interface failed: nodes behind another one may still hear.
                Log(first is null ? "fence_kdump: the network is not up, the cluster nodes may not hear of this capture"
                    : $"fence_kdump: {first.Interface} is not up, the cluster nodes reached through it may not hear of this capture");
            }
            FenceKdumpNotify(fenceNodes);
        }
        var networkUp = !(instruction.NeedsHostIp || fenceNodes.Length > 0)
            || Network.NetworkBringUp.TryBringUp(_system, _paths, Log, out network, Notify);
        Notify(network, networkUp);
        if (instruction.NeedsHostIp)
        {
            if (!networkUp) return ErrorHandler();
            var remote = RemoteIpFromCmdline() ?? (network is null ? null : Config.Network.IpPrefix.FormatAddress(network.Remote));
            if (remote is null) { Log("failed to get remote IP address!"); return ErrorHandler(); }
            var ip = _system.GetHostIpToward(remote);
            if (ip is null) { Log("get_host_ip exited with non-zero status!"); return ErrorHandler(); }
            _hostIp = ip;
        }

        KdumpTestInit(instruction);
        if (!RunPreHooks())
        {
            Log("kdump_pre script exited with non-zero status!");
            FinalAction();
            return 1;
        }
        var rc = instruction.Run(this);
        if (rc != 0) Log("saving vmcore failed");
        RunPostHooks(rc);
        SaveLog();
        if (rc != 0) return ErrorHandler();
        SetTestStatus(instruction, "success");
        FinalAction();
        return 0;
    }

    /// <summary>
    /// <c>fence_kdump_notify</c> (§5.7): fence_kdump_send with kdump.conf's <c>fence_kdump_args</c>
    /// and <c>fence_kdump_nodes</c>, split into words as the shell splits upstream's unquoted
    /// variables, in the background.
    /// </summary>
    private void FenceKdumpNotify(string[] nodes)
    {
        if (nodes.Length == 0) return;
        var args = ShellChars.SplitWords(_conf.GetValue("fence_kdump_args"));
        Log($"fence_kdump: notifying {string.Join(' ', nodes)}" + (args.Length > 0 ? $" ({string.Join(' ', args)})" : ""));
        _system.StartFenceKdumpSend([.. args, .. nodes]);
    }

    // --- targets ---------------------------------------------------------------------------

    private sealed record DumpInstruction(string Kind, string Argument, bool NeedsHostIp)
    {
        public int Run(CaptureFlow flow) => Kind switch
        {
            "raw" => flow.DumpRaw(Argument),
            "ssh" => flow.DumpSsh(Argument),
            _ => flow.DumpFs(Argument),
        };
    }

    /// <summary><c>read_kdump_confs</c>: the last target line decides; none → <c>dump_fs /sysroot</c>.</summary>
    private DumpInstruction ReadDumpInstruction()
    {
        string? option = null;
        var value = "";
        foreach (var l in _conf.Lines)
        {
            if (DumpTarget.Directives.ContainsKey(l.Option)) { option = l.Option; value = l.Value; }
        }
        var mounts = CaptureMount.Parse(ReadText(FstabPath));
        switch (option)
        {
            case "raw": return new DumpInstruction("raw", value, false);
            case "ssh": return new DumpInstruction("ssh", value, true);
            case null:
                var dracutArgs = _conf.GetValue("dracut_args");
                if (dracutArgs.Length > 0 && DracutArguments.ParseMount(DracutArguments.Split(dracutArgs)) is { } m)
                    return new DumpInstruction("fs", m.MountPoint, DracutArguments.MountIsNfs(m));
                return new DumpInstruction("fs", "/sysroot", false);
            default:
                var dev = DeviceSpec.Parse(value).ToString();
                var mnt = mounts.FirstOrDefault(x => x.Device == dev || x.Device == value)?.MountPoint ?? "/kdumproot";
                return new DumpInstruction("fs", mnt, option == "nfs");
        }
    }

    /// <summary>The directory name: <c>&lt;HOST_IP&gt;-&lt;date +%Y-%m-%d-%T&gt;</c>.</summary>
    public static string DumpDirectoryName(string hostIp, DateTime now) =>
        hostIp + "-" + now.ToString("yyyy-MM-dd-HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>KDUMP_PATH: kdump.conf's <c>path</c>, with <c>kdump-test-&lt;id&gt;</c> below it during a test.</summary>
    private string SavePath => Squeeze((_conf.GetValue("path") is { Length: > 0 } p ? p : DefaultPath)
        + (_testId is null ? "" : "/kdump-test-" + _testId));

    /// <summary>The dump's directory under <paramref name="prefix"/>: <c>&lt;path&gt;/&lt;HOST_IP&gt;-&lt;date&gt;</c>, or the test's directory itself.</summary>
    private string DumpDirectory(string prefix) =>
        Squeeze((prefix.Length > 0 ? prefix + "/" : "") + SavePath + (_testId is null ? "/" + DumpDirectoryName(_hostIp, _system.Now) : ""));

    /// <summary>
    /// <c>kdump_test_init</c>: not for raw targets. The id goes into a path and a remote command,
    /// so only a safe alphabet is taken — letters, digits, <c>-_.</c>, not starting with a dot;
    /// kdumpctl makes <c>&lt;epoch&gt;-&lt;ns&gt;</c> (upstream takes any word).
    /// </summary>
    private void KdumpTestInit(DumpInstruction instruction)
    {
        if (instruction.Kind == "raw" || CmdlineValue("kdump_test_id=") is not { } id) return;
        if (!IsTestId(id))
        {
            Log($"ignoring kdump_test_id={id}: not a kdumpctl test id");
            return;
        }
        _testId = id;
        SetTestStatus(instruction, "fail");
    }

    public static bool IsTestId(string id) =>
        id.Length is > 0 and <= 64 && id[0] != '.' && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary><c>kdump_test_set_status</c>: <c>&lt;status&gt; kdump_test_id=&lt;id&gt;</c> in the test's directory on the target.</summary>
    private void SetTestStatus(DumpInstruction instruction, string status)
    {
        if (_testId is null) return;
        var file = SavePath + "/vmcore-creation.status";
        var line = $"{status} kdump_test_id={_testId}";
        if (instruction.Kind == "ssh")
        {
            if (_system.Run(SshArgv(instruction.Argument, $"mkdir -p {ShellChars.QuoteForShell(SavePath)}")) != 0
                || _system.Run(SshArgv(instruction.Argument, $"echo {line} > {SingleQuoted(file)}")) != 0)
                Log($"cannot write {file} on {instruction.Argument}");
            return;
        }
        var mnt = instruction.Argument;
        try
        {
            if (!TryMountTarget(mnt))
            {
                Log($"cannot write {Squeeze(mnt + "/" + file)}: '{mnt}' is not a mount point");
                return;
            }
            CreateDirectory(_paths.Host(mnt + "/" + SavePath));
            using (var f = CreateOwnerOnly(_paths.Host(mnt + "/" + file)))
            {
                f.Write(System.Text.Encoding.ASCII.GetBytes(line + "\n"));
                f.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log($"cannot write {Squeeze(mnt + "/" + file)}: {e.Message}");
        }
    }

    /// <summary><c>dump_fs &lt;mnt&gt;</c>.</summary>
    private int DumpFs(string mnt)
    {
        var hostMnt = _paths.Host(mnt);
        if (!TryMountTarget(mnt))
        {
            Log($"failed to dump to '{mnt}', it's not a mount point!");
            return 1;
        }
        var dir = DumpDirectory(mnt);
        var hostDir = _paths.Host(dir);
        Log($"saving to {dir}");
        if (_system.GetMountOptions(hostMnt) is { } opts && opts.StartsWith("ro", StringComparison.Ordinal))
        {
            Log("Remounting the dump target in rw mode.");
            _system.RemountReadWrite(hostMnt);
        }
        try
        {
            CreateDirectory(hostDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log($"failed to create {dir}: {e.Message}");
            return 1;
        }
        _logDestination = hostDir;

        SaveVmcoreDmesgFs(dir, hostDir);

        Log("saving vmcore");
        var cc = CoreCollector.Translate(_conf.GetValue("core_collector"), CollectorTarget.FileSystem, _onlineCpus);
        var incomplete = Path.Combine(hostDir, "vmcore-incomplete");
        var argv = CoreCollector.ToArgv(cc).Concat([_paths.Vmcore, incomplete]).ToList();
        var rc = CoreCollector.IsBuiltIn(argv) ? _system.RunBuiltIn(argv[1..]) : _system.Run(argv);
        if (rc != 0)
        {
            Log($"saving vmcore failed, exitcode:{rc}");
            return rc;
        }
        _system.Sync();
        var final = Path.Combine(hostDir, "vmcore");
        try
        {
            File.Move(incomplete, final);
        }
        catch (IOException e)
        {
            // A collector that exits 0 without its file (upstream's mv would fail, unchecked).
            Log($"saving vmcore failed, cannot rename vmcore-incomplete: {e.Message}");
            return 1;
        }
        SetMode(final, FileMode0600);
        Log("saving vmcore complete");
        return 0;
    }

    /// <summary>The target <paramref name="mnt"/> is a mount point, mounted from the image's fstab if it was not.</summary>
    private bool TryMountTarget(string mnt)
    {
        var hostMnt = _paths.Host(mnt);
        if (_system.IsMountPoint(hostMnt)) return true;
        var entry = CaptureMount.Parse(ReadText(FstabPath)).FirstOrDefault(m => m.MountPoint == mnt);
        if (entry is null) return false;
        Directory.CreateDirectory(hostMnt);
        // A failed mount still counts when the target became a mount point meanwhile: in a dracut
        // image systemd mounts the fstab entry while the pre-mount hook runs us (EBUSY here).
        return _system.Mount(entry.Device, hostMnt, entry.FsType, entry.Options) is null || _system.IsMountPoint(hostMnt);
    }

    /// <summary><c>save_vmcore_dmesg_fs</c>: failure is only logged.</summary>
    private void SaveVmcoreDmesgFs(string dir, string hostDir)
    {
        Log($"saving vmcore-dmesg.txt to {dir}");
        var incomplete = Path.Combine(hostDir, "vmcore-dmesg-incomplete.txt");
        string? error;
        using (var f = CreateOwnerOnly(incomplete))
        {
            error = VmcoreDmesg.TryWrite(_paths.Vmcore, f);
        }
        if (error is not null)
        {
            Log($"saving vmcore-dmesg.txt failed ({error})");
            return;
        }
        File.Move(incomplete, Path.Combine(hostDir, "vmcore-dmesg.txt"));
        _system.Sync();
        Log("saving vmcore-dmesg.txt complete");
    }

    /// <summary><c>dump_raw &lt;dev&gt;</c>: the collector's stdout onto the partition; no dmesg, no log.</summary>
    private int DumpRaw(string device)
    {
        var dev = DeviceSpec.Parse(device).ToDevicePath();
        Log($"saving to raw disk {dev}");
        var cc = CoreCollector.Translate(_conf.GetValue("core_collector"), CollectorTarget.Raw, _onlineCpus);
        var argv = CoreCollector.ToArgv(cc).Append(_paths.Vmcore).ToList();
        var rc = CoreCollector.IsBuiltIn(argv) ? _system.RunBuiltIn(argv[1..], _paths.Host(dev)) : _system.Run(argv, stdoutPath: _paths.Host(dev));
        _system.Sync();
        if (rc != 0) Log($"saving vmcore failed, exitcode:{rc}");
        else Log("saving vmcore complete");
        return rc;
    }

    /// <summary><c>dump_ssh &lt;key&gt; &lt;user@host&gt;</c>.</summary>
    private int DumpSsh(string target)
    {
        var host = DumpTarget.GetRemoteHost(target);
        var user = target[..Math.Max(0, target.IndexOf('@', StringComparison.Ordinal))];
        var scpTarget = host.Contains(':', StringComparison.Ordinal) ? $"{user}@[{host}]" : target;
        var dir = DumpDirectory("");
        List<string> Ssh(string command) => SshArgv(target, command);

        Log($"saving to {target}:{dir}");
        var rc = _system.Run(Ssh($"mkdir -p {ShellChars.QuoteForShell(dir)}"));
        if (rc != 0) { Log($"failed to create {dir} on {target}, exitcode:{rc}"); return rc; }

        // vmcore-dmesg.txt, streamed like vmcore-dmesg | ssh … dd.
        Log($"saving vmcore-dmesg.txt to {target}:{dir}");
        var temp = _paths.Host("/tmp/vmcore-dmesg.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        string? error;
        using (var f = CreateOwnerOnly(temp)) error = VmcoreDmesg.TryWrite(_paths.Vmcore, f);
        if (error is null
            && _system.Run(Ssh($"umask 0077 && dd of={SingleQuoted(dir + "/vmcore-dmesg-incomplete.txt")}"), stdinPath: temp) == 0
            && _system.Run(Ssh($"mv {SingleQuoted(dir + "/vmcore-dmesg-incomplete.txt")} {SingleQuoted(dir + "/vmcore-dmesg.txt")}")) == 0)
            Log("saving vmcore-dmesg.txt complete");
        else
            Log("saving vmcore-dmesg.txt failed");

        Log("saving vmcore");
        var configured = _conf.GetValue("core_collector");
        string finalName;
        if (configured.Length > 0 && CoreCollector.IsScp(configured))
        {
            rc = _system.Run(["scp", "-q", .. SshOptions(), _paths.Vmcore, $"{scpTarget}:{dir}/vmcore-incomplete"]);
            finalName = "vmcore";
        }
        else
        {
            var cc = CoreCollector.Translate(configured, CollectorTarget.Ssh, _onlineCpus);
            var producer = CoreCollector.ToArgv(cc).Append(_paths.Vmcore).ToList();
            var consumer = Ssh($"umask 0077 && dd bs=512 of={SingleQuoted(dir + "/vmcore-incomplete")}");
            rc = CoreCollector.IsBuiltIn(producer) ? _system.RunBuiltInPipeline(producer[1..], consumer) : _system.RunPipeline(producer, consumer);
            finalName = "vmcore.flat";
        }
        if (rc != 0) { Log($"saving vmcore failed, exitcode:{rc}"); return rc; }
        rc = _system.Run(Ssh($"mv {SingleQuoted(dir + "/vmcore-incomplete")} {SingleQuoted(dir + "/" + finalName)}"));
        if (rc != 0) { Log($"moving vmcore failed, exitcode:{rc}"); return rc; }
        Log("saving vmcore complete");
        return 0;
    }

    private string[] SshOptions() =>
        ["-i", _conf.GetValue("sshkey") is { Length: > 0 } k ? k : DefaultSshKey, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"];

    private List<string> SshArgv(string target, string command) => ["ssh", "-q", .. SshOptions(), target, command];

    // --- hooks -----------------------------------------------------------------------------

    /// <summary><c>do_kdump_pre</c>: kdump_pre first (its failure aborts), then pre.d (failures only logged).</summary>
    private bool RunPreHooks()
    {
        if (_conf.GetValue("kdump_pre") is { Length: > 0 } pre)
        {
            var rc = _system.Run([_paths.Host(pre)]);
            if (rc != 0)
            {
                Log($"{pre} exited with {rc} status");
                return false;
            }
        }
        RunHookDirectory("/etc/kdump/pre.d", []);
        return true;
    }

    /// <summary><c>do_kdump_post</c>: post.d first, then kdump_post, each with the dump's exit code.</summary>
    private void RunPostHooks(int dumpRc)
    {
        var arg = dumpRc.ToString(CultureInfo.InvariantCulture);
        RunHookDirectory("/etc/kdump/post.d", [arg]);
        if (_conf.GetValue("kdump_post") is { Length: > 0 } post)
        {
            var rc = _system.Run([_paths.Host(post), arg]);
            if (rc != 0) Log($"{post} exited with {rc} status");
        }
    }

    private void RunHookDirectory(string dir, string[] args)
    {
        var hostDir = _paths.Host(dir);
        if (!Directory.Exists(hostDir)) return;
        foreach (var file in Directory.EnumerateFiles(hostDir).Order(StringComparer.Ordinal))
        {
            var rc = _system.Run([file, .. args]);
            if (rc != 0) Log($"{dir}/{Path.GetFileName(file)} exited with {rc} status");
        }
    }

    // --- error handler and actions ---------------------------------------------------------

    /// <summary><c>kdump.sh --error-handler</c>: emergency hooks, failure_action, save_log, final_action.</summary>
    private int ErrorHandler()
    {
        // Upstream's error handler is a fresh `kdump.sh --error-handler`, which never runs
        // kdump_test_init: dump_to_rootfs saves to <path>/<ip>-<date>, not the test's directory.
        _testId = null;
        RunHookDirectory("/etc/kdump/emergency.d", []);
        if (_conf.GetValue("kdump_emergency") is { Length: > 0 } em)
        {
            var rc = _system.Run([_paths.Host(em)]);
            if (rc != 0) Log($"{em} exited with {rc} status");
        }
        var word = _conf.GetValue("failure_action", "default");
        var action = KdumpActions.TryParseFailureAction(word, out var a) ? a : KdumpAction.Reboot;
        switch (action)
        {
            case KdumpAction.Shell:
                Log("Executing failure action kdump_emergency_shell");
                Log("Entering kdump emergency mode.");
                _system.Shell();
                break;
            case KdumpAction.DumpToRootfs:
                Log("Executing failure action dump_to_rootfs");
                DumpFs("/sysroot");
                break;
            default:
                // "<cmd> && exit": the machine is gone; if the call was refused, stop here too.
                Log("Executing failure action " + ActionCommand(action));
                Act(action);
                return 1;
        }
        SaveLog();
        FinalAction();
        return 1;
    }

    private void FinalAction()
    {
        var word = _conf.GetValue("final_action");
        var action = KdumpActions.TryParseFinalAction(word, out var a) ? a : KdumpAction.Reboot;
        Log("Executing final action " + ActionCommand(action));
        Act(action);
    }

    private static string ActionCommand(KdumpAction action) => action switch
    {
        KdumpAction.Halt => "halt",
        KdumpAction.Poweroff => "systemctl poweroff -f",
        _ => "systemctl reboot -f",
    };

    private void Act(KdumpAction action)
    {
        _system.Sync();
        switch (action)
        {
            case KdumpAction.Halt: _system.Halt(); break;
            case KdumpAction.Poweroff: _system.Poweroff(); break;
            default: _system.Reboot(); break;
        }
    }

    /// <summary><c>save_log</c>: the capture kernel's log as kexec-dmesg.log beside the vmcore (0600).</summary>
    private void SaveLog()
    {
        if (_logDestination is null || !Directory.Exists(_logDestination)) return;
        try
        {
            using var f = CreateOwnerOnly(Path.Combine(_logDestination, "kexec-dmesg.log"));
            using var w = new StreamWriter(f);
            w.Write(_system.ReadKernelLog());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log($"saving kexec-dmesg.log failed: {e.Message}");
        }
        _system.Sync();
    }

    // --- helpers ---------------------------------------------------------------------------

    /// <summary><c>kdump_remote_ip=</c> from the kernel command line (written at build time).</summary>
    private string? RemoteIpFromCmdline() => CmdlineValue("kdump_remote_ip=");

    /// <summary>dracut's <c>getarg KEY=</c>: the value of the last <paramref name="key"/> word of /proc/cmdline.</summary>
    private string? CmdlineValue(string key)
    {
        string? value = null;
        foreach (var word in (ReadText("/proc/cmdline") ?? "").Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith(key, StringComparison.Ordinal)) value = word[key.Length..];
        }
        return value;
    }

    private void Log(string message) => _system.Log("kdump: " + message);

    private string? ReadText(string systemPath)
    {
        var host = _paths.Host(systemPath);
        try { return File.Exists(host) ? File.ReadAllText(host) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static string Squeeze(string path) => Config.IO.SystemPath.SqueezeSlashes(path);

    private static FileStream CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode0600;
        var f = new FileStream(path, options);
        SetMode(path, FileMode0600); // an existing file keeps its mode on O_CREAT
        return f;
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, DirMode0700);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    // ssh joins its words into one line for the server's shell: a kdump.conf `path` must never be
    // evaluated there. Upstream writes these paths in single quotes; a quote inside is escaped.
    private static string SingleQuoted(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
