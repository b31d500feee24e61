using System.Text;

namespace Kdump.Cli;

/// <summary>
/// A context over explicit streams: the process's own (<see cref="ForConsole"/>) or memory streams in
/// tests. Environment lookups go to <paramref name="environment"/> when given, else to the process.
/// </summary>
public sealed class StreamToolContext : IToolContext, IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly IReadOnlyDictionary<string, string>? _environment;

    public StreamToolContext(
        string programName,
        Stream standardInput,
        Stream standardOutput,
        Stream standardError,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        bool lossyMessages = false)
    {
        ProgramName = programName;
        StandardInput = standardInput;
        StandardOutput = standardOutput;
        StandardError = standardError;
        WorkingDirectory = workingDirectory;
        _environment = environment;
        TextWriter output = new StreamWriter(standardOutput, s_utf8, bufferSize: 4096, leaveOpen: true) { AutoFlush = true, NewLine = "\n" };
        TextWriter error = new StreamWriter(standardError, s_utf8, bufferSize: 1024, leaveOpen: true) { AutoFlush = true, NewLine = "\n" };
        Out = lossyMessages ? new LossyTextWriter(output) : output;
        Error = lossyMessages ? new LossyTextWriter(error) : error;
    }

    public string ProgramName { get; }

    public Stream StandardInput { get; }

    public Stream StandardOutput { get; }

    public Stream StandardError { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public string WorkingDirectory { get; }

    /// <summary>
    /// The process's standard streams; <paramref name="programName"/> is what the shell passed as
    /// argv[0]. <paramref name="lossyMessages"/>: <see cref="Out"/> and <see cref="Error"/> lose
    /// text they cannot write instead of throwing (<see cref="LossyTextWriter"/>), for a tool whose
    /// text output is messages only.
    /// </summary>
    public static StreamToolContext ForConsole(string programName, bool lossyMessages = false) => new(
        programName,
        Console.OpenStandardInput(),
        Console.OpenStandardOutput(),
        Console.OpenStandardError(),
        Environment.CurrentDirectory,
        lossyMessages: lossyMessages);

    public string? GetEnvironmentVariable(string name) =>
        _environment is null ? Environment.GetEnvironmentVariable(name) : _environment.GetValueOrDefault(name);

    public void Dispose()
    {
        Out.Dispose();
        Error.Dispose();
    }
}
