using Kdump.Cli;

namespace Kdump.Tools.Mkdumprd;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("mkdumprd"));
        return MkdumprdCommand.Run(context, args, MkdumprdCommand.HostEnvironment());
    }
}
