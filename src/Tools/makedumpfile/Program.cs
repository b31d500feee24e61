using Kdump.Cli;
using Kdump.Makedumpfile;

namespace Kdump.Tools.Makedumpfile;

internal static class Program
{
    private static int Main(string[] args)
    {
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("makedumpfile"));
        return MakedumpfileCommand.Run(context, args);
    }
}
