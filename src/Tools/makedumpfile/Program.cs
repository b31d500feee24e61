using Kdump.Cli;
using Kdump.Linux;
using Kdump.Makedumpfile;

namespace Kdump.Tools.Makedumpfile;

internal static class Program
{
    private static int Main(string[] args)
    {
        BrokenPipe.DieOnSigpipe();
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("makedumpfile"));
        return MakedumpfileCommand.Run(context, args);
    }
}
