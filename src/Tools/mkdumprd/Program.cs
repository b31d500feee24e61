using Kdump.Cli;
using Kdump.Linux;

namespace Kdump.Tools.Mkdumprd;

internal static class Program
{
    private static int Main(string[] args)
    {
        StandardDescriptors.HoldClosedOnes();
        // Messages as the upstream tool's printf (or the shell's echo): a closed or full stdout or
        // stderr loses them instead of ending the program with an unhandled exception.
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("mkdumprd"), lossyMessages: true);
        return MkdumprdCommand.Run(context, args, MkdumprdCommand.HostEnvironment());
    }
}
