namespace Kdump.Control.Host;

/// <summary>
/// Runs an external program from an argv (never through a shell): mkdumprd, ssh-keygen, ssh, grubby.
/// </summary>
public interface IProcessRunner
{
    /// <summary>Runs <paramref name="argv"/> (argv[0] is the program), feeding <paramref name="standardInput"/> when given.</summary>
    ProcessResult Run(IReadOnlyList<string> argv, string? standardInput = null);

    /// <summary>
    /// Runs <paramref name="argv"/> with an empty standard input, keeping at most
    /// <paramref name="maxOutputBytes"/> bytes of its standard output and of its standard error (the
    /// rest is read and dropped): for programs whose output is not trusted to be small.
    /// </summary>
    ProcessResult RunBounded(IReadOnlyList<string> argv, int maxOutputBytes);

    /// <summary>Runs <paramref name="argv"/> with its standard input read from the file or device <paramref name="inputPath"/> (<c>&lt; file</c>).</summary>
    ProcessResult RunWithInputFile(IReadOnlyList<string> argv, string inputPath);
}

/// <summary>Exit status and captured output; exit 127 when the program could not be started.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout = "", string Stderr = "")
{
    public const int NotFound = 127;
}
