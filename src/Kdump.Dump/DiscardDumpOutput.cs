using Kdump.Formats.Diskdump;

namespace Kdump.Dump;

/// <summary>
/// makedumpfile --dry-run: the whole dump is made (filtered, compressed, counted) and every write
/// is dropped, so no file is created; the report's numbers are those of a real run.
/// </summary>
public sealed class DiscardDumpOutput(string name) : IDumpOutput
{
    public string Name { get; } = name;

    // Upstream's dry run keeps its own write position, as for a file.
    public bool IsSeekable => true;

    public void WriteAt(long offset, ReadOnlySpan<byte> data)
    {
    }

    public void EnsureLength(long length)
    {
    }

    public void Flush()
    {
    }
}
