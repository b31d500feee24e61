using Kdump.Cli;
using Kdump.Control;
using Kdump.Control.Host;
using Kdump.Linux;

namespace Kdump.Tools.Kdumpctl;

internal static class Program
{
    private static int Main(string[] args)
    {
        StandardDescriptors.HoldClosedOnes();
        // Messages as the upstream tool's printf (or the shell's echo): a closed or full stdout or
        // stderr loses them instead of ending the program with an unhandled exception.
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("kdumpctl"), lossyMessages: true);
        var guard = RebootGuard.ForProcess();
        var services = new KdumpctlServices(context, new LinuxSystemCalls(guard, context.Error), new SystemProcessRunner(),
            new FlockInstanceLock(), new SysrqCrashTrigger(guard));
        return Kdump.Control.Kdumpctl.Run(services, args);
    }
}
