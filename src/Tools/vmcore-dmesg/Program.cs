using Kdump.Cli;
using Kdump.Linux;

namespace Kdump.Tools.VmcoreDmesg;

internal static class Program
{
    private static int Main(string[] args)
    {
        BrokenPipe.DieOnSigpipe();
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("vmcore-dmesg"));
        return VmcoreDmesgCommand.Run(context, args);
    }
}
