using Kdump.Capture;
using Kdump.Capture.Fence;
using Kdump.Capture.Linux;
using Kdump.Capture.Network;
using Kdump.Cli;
using Kdump.Linux;
using Kdump.Makedumpfile;

namespace Kdump.Tools.KdumpCapture;

/// <summary>
/// <c>kdump-capture [--error-handler] [--root DIR] [--vmcore FILE]</c>. As PID 1 (the image's
/// /init) it first mounts /proc, /sys and /dev and loads /etc/kdump/modules.load in order; it
/// never returns as PID 1 (the kernel would panic): after the flow it powers off, then waits.
/// Multi-call: run as <c>makedumpfile</c> (the image's /usr/sbin/makedumpfile links here) it is our
/// makedumpfile — the same engine the built-in collector runs, without a second 4 MB binary in
/// the capture kernel's memory. Run as <c>fence_kdump_send</c> (the image's
/// /usr/libexec/fence_kdump_send, when kdump.conf names fence_kdump nodes) it is fence-agents'
/// sender, which kdump-capture also runs in the background for those nodes.
/// </summary>
internal static class Program
{
    public const string MakedumpfileName = "makedumpfile";

    private static int Main(string[] args)
    {
        var programName = ProgramName.FromProcess("kdump-capture");
        if (Path.GetFileName(programName) == MakedumpfileName)
        {
            BrokenPipe.DieOnSigpipe();
            StandardDescriptors.HoldClosedOnes();
            using var context = StreamToolContext.ForConsole(programName, lossyMessages: true);
            return MakedumpfileCommand.Run(context, args);
        }
        if (Path.GetFileName(programName) == FenceKdumpSend.UpstreamName)
        {
            // As the C program, a closed stdout ends it quietly.
            BrokenPipe.DieOnSigpipe();
            var network = new SocketFenceKdumpNetwork(HostsFile.Path);
            return FenceKdumpSend.Run(args, programName, Console.Out, Console.Error, network);
        }
        var console = Console.Out;
        string root = "/";
        string? vmcore = null;
        var errorHandler = false;
        var isInit = Environment.ProcessId == 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--error-handler": errorHandler = true; break;
                case "--root" when i + 1 < args.Length: root = args[++i]; break;
                case "--vmcore" when i + 1 < args.Length: vmcore = args[++i]; break;
                // As /init, argv holds the kernel command-line words the kernel did not take
                // (e.g. reset_devices); PID 1 must not exit over them.
                case var _ when isInit: break;
                default:
                    Console.Error.WriteLine("usage: kdump-capture [--error-handler] [--root DIR] [--vmcore FILE]");
                    return 1;
            }
        }
        var calls = new LinuxSystemCalls(RebootGuard.ForProcess(), Console.Error);
        var system = new LinuxCaptureSystem(calls, console, RunMakedumpfile);
        if (isInit)
        {
            // The kernel starts init with HOME and TERM only; collectors are found through PATH.
            Environment.SetEnvironmentVariable("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            EarlySetup(system);
        }

        var paths = new CapturePaths(root, vmcore);
        var rc = RunGuarded(system, paths, errorHandler);
        if (rc is null && !errorHandler)
        {
            // systemd's OnFailure=kdump-error-handler.service, in-process: a fresh flow in error-handler mode.
            rc = RunGuarded(system, paths, errorHandler: true);
        }
        if (!isInit) return rc ?? 1;

        // The actions returned: refused or failed. PID 1 must not exit.
        system.Sync();
        system.Poweroff();
        while (true) Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>
    /// The flow, with any exception it lets escape logged and turned into null: as PID 1 an escaping
    /// exception would kill init and panic the capture kernel, losing the dump and the failure action.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "PID 1 must survive any failure of the flow")]
    private static int? RunGuarded(LinuxCaptureSystem system, CapturePaths paths, bool errorHandler)
    {
        try
        {
            return new CaptureFlow(system, paths, Environment.ProcessorCount).Run(errorHandler);
        }
        catch (Exception e)
        {
            system.Log($"kdump: the capture failed: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    /// <summary>The built-in collector: our makedumpfile's command, its messages on the console's stderr.</summary>
    private static int RunMakedumpfile(IReadOnlyList<string> args, Stream stdout)
    {
        using var stderr = Console.OpenStandardError();
        // Messages as makedumpfile's printf: a console that cannot take them loses them, not the dump.
        using var context = new StreamToolContext("makedumpfile", Stream.Null, stdout, stderr, "/", lossyMessages: true);
        return MakedumpfileCommand.Run(context, args);
    }

    private static void EarlySetup(LinuxCaptureSystem system)
    {
        Mount("proc", "/proc", "proc");
        Mount("sysfs", "/sys", "sysfs");
        Mount("devtmpfs", "/dev", "devtmpfs");
        Mount("tmpfs", "/run", "tmpfs");
        Mount("tmpfs", "/tmp", "tmpfs");
        const string list = "/etc/kdump/modules.load";
        if (!File.Exists(list)) return;
        foreach (var module in File.ReadAllLines(list))
        {
            if (module.Length == 0) continue;
            if (system.LoadModule(module) is { } error) system.Log("kdump: " + error);
        }
    }

    private static void Mount(string source, string target, string fsType)
    {
        Directory.CreateDirectory(target);
        var r = CaptureCalls.Mount(source, target, fsType, 0, null);
        if (r.IsError && r.Errno != 16 /* EBUSY: already mounted */)
            Console.Error.WriteLine($"kdump: mount {target} failed: {Errno.Name(r.Errno)}");
    }
}
