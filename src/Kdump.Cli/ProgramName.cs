namespace Kdump.Cli;

/// <summary>argv[0] of the running process, as the shell passed it (upstream tools print it verbatim).</summary>
public static class ProgramName
{
    public static string FromProcess(string fallback)
    {
        // For a native (AOT) executable argv[0] is the invoked path; for the managed apphost it is
        // the .dll, which no user typed, so the apphost path is used instead.
        var argv0 = Environment.GetCommandLineArgs() is [var first, ..] ? first : null;
        if (argv0 is not null && !argv0.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return argv0;
        return Environment.ProcessPath ?? fallback;
    }
}
