using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kdump.Config.Mounts;
using Kdump.Linux;

namespace Kdump.Capture.Linux;

/// <summary>
/// The real effects of the capture flow in a capture kernel: processes without a shell, mount(2),
/// finit_module(2), and reboot(2) through <see cref="ISystemCalls"/>, whose guard refuses unless
/// this is a capture kernel (/proc/vmcore) or PID 1 of a virtual machine. Without
/// <paramref name="builtIn"/> the built-in collector runs as the image's makedumpfile process.
/// </summary>
public sealed class LinuxCaptureSystem(ISystemCalls calls, TextWriter console, BuiltInCollector? builtIn = null) : ICaptureSystem
{
    public DateTime Now => DateTime.Now;

    public Network.INetworkControl NetworkControl { get; } = new NetworkControl();

    public int Run(IReadOnlyList<string> argv, string? stdinPath = null, string? stdoutPath = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        try
        {
            using var p = Start(argv, stdinPath is not null, stdoutPath is not null);
            var feed = stdinPath is null ? Task.CompletedTask : Task.Run(() =>
            {
                using (var input = File.OpenRead(stdinPath)) input.CopyTo(p.StandardInput.BaseStream);
                p.StandardInput.Close();
            });
            if (stdoutPath is not null)
            {
                using var output = OpenOutput(stdoutPath);
                p.StandardOutput.BaseStream.CopyTo(output);
            }
            feed.Wait();
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or AggregateException)
        {
            console.WriteLine($"kdump: cannot run {argv[0]}: {e.Message}");
            return 127;
        }
    }

    public int RunPipeline(IReadOnlyList<string> producer, IReadOnlyList<string> consumer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(consumer);
        try
        {
            using var p1 = Start(producer, false, true);
            using var p2 = Start(consumer, true, false);
            p1.StandardOutput.BaseStream.CopyTo(p2.StandardInput.BaseStream);
            p2.StandardInput.Close();
            p1.WaitForExit();
            p2.WaitForExit();
            return p2.ExitCode != 0 ? p2.ExitCode : p1.ExitCode;
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            console.WriteLine($"kdump: cannot run {producer[0]} | {consumer[0]}: {e.Message}");
            return 127;
        }
    }

    public int RunBuiltIn(IReadOnlyList<string> args, string? stdoutPath = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (builtIn is null) return Run(["makedumpfile", .. args], stdoutPath: stdoutPath);
        try
        {
            if (stdoutPath is null)
            {
                using var stdout = Console.OpenStandardOutput();
                return RunEngine(args, stdout);
            }
            using var output = OpenOutput(stdoutPath);
            return RunEngine(args, output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.WriteLine($"kdump: cannot open {stdoutPath}: {e.Message}");
            return 1;
        }
    }

    public int RunBuiltInPipeline(IReadOnlyList<string> args, IReadOnlyList<string> consumer)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(consumer);
        if (builtIn is null) return RunPipeline(["makedumpfile", .. args], consumer);
        try
        {
            using var p = Start(consumer, true, false);
            int rc;
            try
            {
                rc = RunEngine(args, p.StandardInput.BaseStream);
            }
            finally
            {
                try { p.StandardInput.Close(); }
                catch (IOException) { } // the consumer is gone: its exit code says why
            }
            p.WaitForExit();
            return p.ExitCode != 0 ? p.ExitCode : rc;
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            console.WriteLine($"kdump: cannot run makedumpfile | {consumer[0]}: {e.Message}");
            return 127;
        }
    }

    // The engine runs in PID 1: whatever it throws must end as a failed collector (vmcore-incomplete
    // stays, failure_action runs), never as a dead init and a second panic.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "PID 1 must survive an engine failure")]
    private int RunEngine(IReadOnlyList<string> args, Stream stdout)
    {
        try
        {
            return builtIn!(args, stdout);
        }
        catch (Exception e)
        {
            console.WriteLine($"kdump: makedumpfile (built in) failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>A collector's redirected stdout, as <c>dd of=DEV</c>: from offset 0, not truncated (a block device cannot be).</summary>
    private static FileStream OpenOutput(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, 1 << 20);

    private static Process Start(IReadOnlyList<string> argv, bool stdin, bool stdout)
    {
        return Process.Start(ArgvProcess.StartInfo(argv, stdin, stdout, stderr: false)) ?? throw new IOException($"cannot start {argv[0]}");
    }

    public bool IsMountPoint(string path) => FindMount(path) is not null;

    public string? GetMountOptions(string path) => FindMount(path)?.Options;

    private static MountEntry? FindMount(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0) full = "/";
        var table = MountTable.ParseMountInfo(File.ReadAllText("/proc/self/mountinfo"));
        return table.Entries.LastOrDefault(e => e.Target == full);
    }

    public string? Mount(string source, string target, string fsType, string options)
    {
        var (flags, data) = MountOptions.Split(options);
        if (NfsMount.IsNfs(fsType)) return MountNfs(source, target, fsType, flags, data);
        var device = BlockDeviceProbe.Resolve(source) ?? source;
        var r = CaptureCalls.Mount(device, target, fsType, flags, data);
        return r.IsError ? $"mount {device} on {target} ({fsType}) failed: {Errno.Name(r.Errno)}" : null;
    }

    /// <summary>
    /// The tries of <see cref="NfsMount.Plan"/> in order. Like mount.nfs, the next version is tried
    /// only when the server or kernel refuses this one (EPROTONOSUPPORT, EINVAL) or the path is not in
    /// its NFSv4 namespace (ENOENT); a timeout or refusal ends the negotiation.
    /// </summary>
    private static string? MountNfs(string source, string target, string fsType, ulong flags, string? data)
    {
        var attempts = NfsMount.Plan(source, fsType, data, Network.HostsFile.Read(), GetSourceAddressToward, out var error);
        if (error is not null) return $"mount {source} on {target} ({fsType}) failed: {error}";
        var failures = new List<string>();
        foreach (var a in attempts)
        {
            var r = CaptureCalls.Mount(source, target, a.FsType, flags, a.Data);
            if (!r.IsError) return null;
            failures.Add($"{a.Data}: {Errno.Name(r.Errno)}");
            if (r.Errno is not (Errno.EPROTONOSUPPORT or Errno.EINVAL or Errno.ENOENT)) break;
        }
        return $"mount {source} on {target} ({fsType}) failed: {string.Join("; ", failures)}";
    }

    public string? RemountReadWrite(string target)
    {
        var r = CaptureCalls.Mount(null, target, null, CaptureCalls.MS_REMOUNT, null);
        return r.IsError ? $"remount {target} rw failed: {Errno.Name(r.Errno)}" : null;
    }

    public string? LoadModule(string path)
    {
        var fd = calls.open(path);
        if (fd.IsError) return $"cannot open {path}: {Errno.Name(fd.Errno)}";
        try
        {
            var r = CaptureCalls.FinitModule((int)fd.Value);
            if (!r.IsError || r.Errno == Errno.EEXIST) return null;
            // ENODEV: the module found nothing to drive (crc32c-intel on a CPU without SSE4.2, as under TCG).
            return $"finit_module {path}: {Errno.Name(r.Errno)}" + (r.Errno == Errno.ENODEV ? " (no device or CPU feature for it here; harmless)" : "");
        }
        finally
        {
            calls.close((int)fd.Value);
        }
    }

    public void Sync() => calls.sync();

    /// <summary>The source address the kernel picks for a UDP "connection" to the server (ip route get).</summary>
    public string? GetHostIpToward(string remoteIp) => GetSourceAddressToward(remoteIp);

    private static string? GetSourceAddressToward(string remoteIp)
    {
        if (!IPAddress.TryParse(remoteIp.Trim('[', ']'), out var remote)) return null;
        try
        {
            using var s = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(new IPEndPoint(remote, 9));
            return (s.LocalEndPoint as IPEndPoint)?.Address.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public string ReadKernelLog()
    {
        foreach (var dmesg in new[] { "/usr/bin/dmesg", "/bin/dmesg" })
        {
            if (!File.Exists(dmesg)) continue;
            var psi = new ProcessStartInfo(dmesg) { UseShellExecute = false, RedirectStandardOutput = true };
            using var p = Process.Start(psi);
            if (p is null) break;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return text;
        }
        // No dmesg in a minimal image: syslog(2) READ_ALL, level prefixes removed as dmesg prints it.
        var raw = CaptureCalls.ReadKernelLogBuffer() ?? "";
        var sb = new System.Text.StringBuilder(raw.Length);
        foreach (var line in raw.Split('\n'))
        {
            if (line.Length == 0) continue;
            var close = line.StartsWith('<') ? line.IndexOf('>', StringComparison.Ordinal) : -1;
            sb.Append(close > 0 ? line[(close + 1)..] : line).Append('\n');
        }
        return sb.ToString();
    }

    public void Log(string message) => console.WriteLine(message);

    /// <summary>
    /// The sender on a background thread, its output on the console. Nothing it does may end this
    /// process, which is PID 1: a thread that cannot be made (a small crashkernel) is logged and
    /// the dump goes on; whatever the sender throws is logged and ends the thread only. (Its stack
    /// keeps the default size: pages are only used as touched, and an overflow would end PID 1.)
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "PID 1 must survive any failure of the notification")]
    public void StartFenceKdumpSend(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var argv = args.ToArray();
        try
        {
            new Thread(() => RunFenceKdumpSend(argv)) { IsBackground = true, Name = Fence.FenceKdumpSend.UpstreamName }.Start();
        }
        catch (Exception e)
        {
            TryLog($"kdump: cannot start fence_kdump_send: {e.GetType().Name}: {e.Message}");
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "an exception escaping a thread would end PID 1")]
    private void RunFenceKdumpSend(string[] argv)
    {
        try
        {
            var network = new Fence.SocketFenceKdumpNetwork(Network.HostsFile.Path);
            var rc = Fence.FenceKdumpSend.Run(argv, Fence.FenceKdumpSend.UpstreamName, console, console, network);
            if (rc != 0) TryLog($"kdump: fence_kdump_send exited with {rc}");
        }
        catch (Exception e)
        {
            TryLog($"kdump: fence_kdump_send failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A console line that cannot throw (the console itself may be what failed).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "logging must not end PID 1")]
    private void TryLog(string message)
    {
        try
        {
            console.WriteLine(message);
        }
        catch (Exception)
        {
            // Nowhere left to say it.
        }
    }

    public void Reboot() => calls.reboot(Kdump.Linux.Reboot.LINUX_REBOOT_CMD_RESTART);

    public void Halt() => calls.reboot(Kdump.Linux.Reboot.LINUX_REBOOT_CMD_HALT);

    public void Poweroff() => calls.reboot(Kdump.Linux.Reboot.LINUX_REBOOT_CMD_POWER_OFF);

    public void Shell()
    {
        if (!File.Exists("/bin/sh")) { console.WriteLine("kdump: no shell in this initramfs"); return; }
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-i");
        psi.ArgumentList.Add("-l");
        psi.Environment["PS1"] = "kdump:${PWD}# ";
        using var p = Process.Start(psi);
        p?.WaitForExit();
    }
}
