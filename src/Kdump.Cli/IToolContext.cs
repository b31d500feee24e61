namespace Kdump.Cli;

/// <summary>
/// Everything a drop-in tool touches outside its arguments, injected so that a tool runs in-process
/// under test exactly as from a shell. Text writers wrap the byte streams (UTF-8, no BOM, "\n",
/// flushed on every write) so that text and raw bytes keep their order.
/// </summary>
public interface IToolContext
{
    /// <summary>argv[0] as upstream prints it in usage and getopt messages.</summary>
    string ProgramName { get; }

    Stream StandardInput { get; }

    Stream StandardOutput { get; }

    Stream StandardError { get; }

    TextWriter Out { get; }

    TextWriter Error { get; }

    /// <summary>Directory relative paths are resolved against.</summary>
    string WorkingDirectory { get; }

    string? GetEnvironmentVariable(string name);
}
