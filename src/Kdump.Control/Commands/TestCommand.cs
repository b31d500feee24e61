namespace Kdump.Control.Commands;

/// <summary>
/// test [--force] (§3.7): marks a pending test, reloads with <c>kdump_test_id=</c>, then crashes
/// through <see cref="Host.ICrashTrigger"/> — which refuses outside a VM-test guest.
/// </summary>
public sealed class TestCommand : IKdumpctlCommand
{
    public string Name => "test";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(args);
        if (!session.IsKdumpLoaded)
        {
            session.Error("Kdump needs be operational before test.");
            return 1;
        }
        if (session.IsFadump)
        {
            session.Error("Only kdump is supported for test.");
            return 1;
        }
        if (!args.Contains("--force"))
        {
            session.Services.Console.Error.Write("DANGER!!! Will perform a kdump test by crashing the system, proceed? (y/N): ");
            using var reader = new StreamReader(session.Services.Console.StandardInput, leaveOpen: true);
            var answer = reader.ReadLine()?.Trim();
            if (answer is not ("y" or "Y"))
            {
                session.Info("Operation cancelled.");
                return 0;
            }
        }
        session.Info("Start kdump test...");
        var id = VmcoreCreationStatus.TestId(session.Services.Clock());
        session.WriteFile(VmcoreCreationStatus.FileName, $"pending kdump_test_id={id}\n");
        session.Sysconfig = session.Sysconfig.WithTestId(id);
        if (ReloadCommand.Reload(session) != 0)
        {
            session.Error("Set kdump test id fail.");
            return 1;
        }
        session.Error(session.Services.Crash.Trigger());
        return 1;
    }
}
