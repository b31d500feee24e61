using Kdump.Inspection;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Tools.KdumpLab;

/// <summary>kdump-lab: the newcomer's window into a dump (the README's main job).</summary>
internal static class Program
{
    private const string Usage = "usage: kdump-lab show DUMPFILE [TAIL_LINES]";

    private static int Main(string[] args)
    {
        if (args is ["-v" or "--version"])
        {
            Console.WriteLine("kdump-lab (kdump toolkit) 0.1");
            return 0;
        }
        if (args is not ["show", var path, ..] || args.Length > 3)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var tail = 12;
        if (args.Length == 3 && (!int.TryParse(args[2], out tail) || tail < 0))
        {
            Console.Error.WriteLine($"kdump-lab: TAIL_LINES must be a number, not '{args[2]}'");
            return 1;
        }
        try
        {
            using var dump = DumpOpener.Open(path, new DumpOpenOptions { AcceptFlattened = true });
            var summary = DumpInspector.Summarize(dump, new FileInfo(path).Length, tail);
            DumpSummaryText.Write(summary, Console.Out);
            return summary.Problems.Count == 0 ? 0 : 2;
        }
        catch (KdumpException e)
        {
            Console.Error.WriteLine($"kdump-lab: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"kdump-lab: cannot read '{path}': {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"kdump-lab: cannot read '{path}': {e.Message}");
            return 1;
        }
    }
}
