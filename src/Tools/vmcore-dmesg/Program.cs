using Kdump.Cli;
using Kdump.Linux;

namespace Kdump.Tools.VmcoreDmesg;

internal static class Program
{
    private static int Main(string[] args)
    {
        BrokenPipe.DieOnSigpipe();
        StandardDescriptors.HoldClosedOnes();
        // Its messages as fprintf's (lost on a closed stderr); the log itself goes to the stdout
        // stream, whose write errors end it with 54 as kexec-tools' write_to_stdout.
        using var context = StreamToolContext.ForConsole(ProgramName.FromProcess("vmcore-dmesg"), lossyMessages: true);
        return VmcoreDmesgCommand.Run(context, args);
    }
}
