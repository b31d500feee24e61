namespace Kdump.Dump;

/// <summary>
/// --split files that could not be written (each is flagged incomplete; the others were written).
/// An <see cref="IOException"/> so callers that report one write error still catch it.
/// </summary>
public sealed class SplitWriteException : IOException
{
    public SplitWriteException(IReadOnlyList<(string Output, IOException Error)> failures)
        : base(failures is [var (output, error), ..] ? $"{output}: {error.Message}" : "no failure")
    {
        Failures = failures;
    }

    public IReadOnlyList<(string Output, IOException Error)> Failures { get; }
}
