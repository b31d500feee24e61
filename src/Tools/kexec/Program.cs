using Kdump.Cli;
using Kdump.Kexec;
using Kdump.Linux;

namespace Kdump.Tools.Kexec;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("kexec"));
        return KexecCommand.Run(context, new LinuxSystemCalls(RebootGuard.ForProcess(), context.Error), args);
    }
}
