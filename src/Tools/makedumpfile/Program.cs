using Kdump.Cli;
using Kdump.Linux;
using Kdump.Makedumpfile;

namespace Kdump.Tools.Makedumpfile;

internal static class Program
{
    private static int Main(string[] args)
    {
        BrokenPipe.DieOnSigpipe();
        StandardDescriptors.HoldClosedOnes();
        // Messages as makedumpfile's printf: a closed or full stdout or stderr loses them, not the dump.
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("makedumpfile"), lossyMessages: true);
        return MakedumpfileCommand.Run(context, args);
    }
}
