using Kdump.Config.IO;
using Kdump.Config.Messages;
using Kdump.Control.Commands;

namespace Kdump.Control;

/// <summary>
/// kdumpctl (kdump-utils 1.0.61) main: <c>[--root DIR] &lt;command&gt; [args]</c>. kdump.conf must
/// exist, then the single-instance lock is taken and the command runs.
/// </summary>
public static class Kdumpctl
{
    public static readonly IReadOnlyList<IKdumpctlCommand> Commands =
    [
        new StartCommand(), new StopCommand(), new StatusCommand(), new RestartCommand(), new ReloadCommand(),
        new RebuildCommand(), new PropagateCommand(), new ShowMemCommand(), new EstimateCommand(),
        new GetDefaultCrashkernelCommand(), new ResetCrashkernelCommand(), new TestCommand(),
    ];

    public const string UsageCommands =
        "{estimate|start|stop|status|restart|reload|rebuild|reset-crashkernel|propagate|showmem|test|setup-crypttab|get-default-crashkernel}";

    public static int Run(KdumpctlServices services, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(argv);
        var rootDir = "/";
        var i = 0;
        if (argv.Count > 0 && argv[0].StartsWith("--root=", StringComparison.Ordinal))
        {
            rootDir = argv[0]["--root=".Length..];
            i = 1;
        }
        else if (argv.Count > 1 && argv[0] == "--root")
        {
            rootDir = argv[1];
            i = 2;
        }
        var root = new DirectoryRootFileSystem(rootDir.Length == 0 ? "/" : rootDir);
        var stderr = services.Console.Error;

        if (!root.FileExists(KdumpctlText.ConfigFile))
        {
            stderr.Write(KdumpLog.Format("Error: No kdump config file found!") + "\n");
            return 1;
        }

        var name = i < argv.Count ? argv[i] : "";
        var command = Commands.FirstOrDefault(c => c.Name == name);
        if (command is null)
        {
            services.Console.Out.Write($"Usage: {services.Console.ProgramName} {UsageCommands}\n");
            return 1;
        }

        // /run/lock/kdump, or /tmp/kdump.lock where /run/lock does not exist.
        var lockPath = root.DirectoryExists("/run/lock") ? "/run/lock/kdump" : "/tmp/kdump.lock";
        Directory.CreateDirectory(root.HostPath(SystemPath.Directory(lockPath)));
        using var held = services.Lock.Acquire(root.HostPath(lockPath),
            () => stderr.Write(KdumpLog.Format("Another app is currently holding the kdump lock; waiting for it to exit...") + "\n"));

        try
        {
            var session = new KdumpctlSession(root, services);
            if (session.IsFadump && command is not (ShowMemCommand or GetDefaultCrashkernelCommand))
            {
                session.Info("Dump mode is fadump");
                session.Error("fadump is not supported by this kdumpctl");
                return 1;
            }
            return command.Run(session, [.. argv.Skip(i + 1)]);
        }
        catch (Kdump.Config.KdumpConfigException e)
        {
            // Unreadable system files (a malformed /etc/sysconfig/kdump, an oversized /proc file):
            // the message names file and line; never a stack trace.
            stderr.Write(KdumpLog.Format(e.Message) + "\n");
            return 1;
        }
    }
}
