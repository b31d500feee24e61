using Kdump.Cli;

namespace Kdump.Tools.VmcoreDmesg;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("vmcore-dmesg"));
        return VmcoreDmesgCommand.Run(context, args);
    }
}
