using Kdump.Cli;
using Kdump.Kexec;
using Kdump.Linux;

namespace Kdump.Tools.Kexec;

internal static class Program
{
    private static int Main(string[] args)
    {
        StandardDescriptors.HoldClosedOnes();
        // Messages as the upstream tool's printf (or the shell's echo): a closed or full stdout or
        // stderr loses them instead of ending the program with an unhandled exception.
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("kexec"), lossyMessages: true);
        return KexecCommand.Run(context, new LinuxSystemCalls(RebootGuard.ForProcess(), context.Error), args);
    }
}
