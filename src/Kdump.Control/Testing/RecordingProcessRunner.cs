using Kdump.Control.Host;

namespace Kdump.Control.Testing;

/// <summary>
/// Records every argv (and its standard input) and answers from a script: the first rule whose
/// program and argument prefix match, else exit 0 with no output.
/// </summary>
public sealed class RecordingProcessRunner : IProcessRunner
{
    private readonly List<(string[] Prefix, Func<IReadOnlyList<string>, ProcessResult> Answer)> _rules = [];

    /// <summary>Each run as one line: arguments joined by spaces, quoted when they hold a space or are empty.</summary>
    public List<string> Runs { get; } = [];

    public List<string?> Inputs { get; } = [];

    /// <summary>Answers runs whose argv starts with <paramref name="prefix"/>.</summary>
    public RecordingProcessRunner On(string[] prefix, ProcessResult result) => On(prefix, _ => result);

    public RecordingProcessRunner On(string[] prefix, Func<IReadOnlyList<string>, ProcessResult> answer)
    {
        _rules.Add((prefix, answer));
        return this;
    }

    /// <summary>Recorded and answered like <see cref="Run"/>; the answer's output cut to <paramref name="maxOutputBytes"/> bytes.</summary>
    public ProcessResult RunBounded(IReadOnlyList<string> argv, int maxOutputBytes)
    {
        var r = Run(argv);
        return r with { Stdout = Cut(r.Stdout, maxOutputBytes), Stderr = Cut(r.Stderr, maxOutputBytes) };
    }

    private static string Cut(string text, int maxBytes)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return bytes.Length <= maxBytes ? text : System.Text.Encoding.UTF8.GetString(bytes, 0, maxBytes);
    }

    /// <summary>Recorded like <see cref="Run"/>, with the input file's path as "&lt; PATH".</summary>
    public ProcessResult RunWithInputFile(IReadOnlyList<string> argv, string inputPath) => Run(argv, "< " + inputPath);

    public ProcessResult Run(IReadOnlyList<string> argv, string? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        Runs.Add(string.Join(' ', argv.Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)));
        Inputs.Add(standardInput);
        foreach (var (prefix, answer) in _rules)
        {
            if (prefix.Length <= argv.Count && prefix.Select((p, i) => p == argv[i]).All(b => b)) return answer(argv);
        }
        return new ProcessResult(0);
    }
}
