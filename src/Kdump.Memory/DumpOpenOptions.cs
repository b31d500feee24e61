using Kdump.Primitives;

namespace Kdump.Memory;

/// <summary>How <see cref="DumpOpener"/> treats a file.</summary>
public sealed record DumpOpenOptions
{
    /// <summary>Read a flattened (makedumpfile -F) file in place instead of refusing it.</summary>
    public bool AcceptFlattened { get; init; }

    public ParseLimits Limits { get; init; } = ParseLimits.Default;
}
