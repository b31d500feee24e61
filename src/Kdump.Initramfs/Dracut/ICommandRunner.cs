namespace Kdump.Initramfs.Dracut;

/// <summary>
/// Runs an external program from an argv, never through a shell (mkdumprd runs dracut so: no
/// kdump.conf value is ever evaluated by a shell on the way).
/// </summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="argv"/> (argv[0] is the program) with <paramref name="environment"/>
    /// added to this process's environment, copying its standard output and error, line by line,
    /// to <paramref name="output"/>. Returns the exit status; <see cref="NotStarted"/> when the
    /// program could not be started.
    /// </summary>
    int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output);

    /// <summary>
    /// Runs <paramref name="argv"/> with an empty standard input and returns its exit status and
    /// the first <paramref name="maxStdoutBytes"/> bytes of its standard output (the rest is read and
    /// dropped); standard error is dropped. <see cref="NotStarted"/> when it could not be started.
    /// </summary>
    (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10);

    /// <summary>The shell's status for a command that cannot be run.</summary>
    public const int NotStarted = 127;
}
