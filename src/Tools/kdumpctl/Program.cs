using Kdump.Cli;
using Kdump.Control;
using Kdump.Control.Host;
using Kdump.Linux;

namespace Kdump.Tools.Kdumpctl;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("kdumpctl"));
        var guard = RebootGuard.ForProcess();
        var services = new KdumpctlServices(context, new LinuxSystemCalls(guard, context.Error), new SystemProcessRunner(),
            new FlockInstanceLock(), new SysrqCrashTrigger(guard));
        return Kdump.Control.Kdumpctl.Run(services, args);
    }
}
