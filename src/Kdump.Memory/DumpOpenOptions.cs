using Kdump.Primitives;

namespace Kdump.Memory;

/// <summary>How <see cref="DumpOpener"/> treats a file.</summary>
public sealed record DumpOpenOptions
{
    /// <summary>Read a flattened (makedumpfile -F) file in place instead of refusing it.</summary>
    public bool AcceptFlattened { get; init; }

    public ParseLimits Limits { get; init; } = ParseLimits.Default;

    /// <summary>
    /// makedumpfile -i: given the dump's VMCOREINFO note (empty when it has none), the text
    /// <see cref="IDump.VmcoreInfo"/> returns instead. The dump's notes themselves are not changed.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? ReplaceVmcoreInfo { get; init; }
}
