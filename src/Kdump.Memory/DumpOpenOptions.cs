using Kdump.Primitives;

namespace Kdump.Memory;

/// <summary>How <see cref="DumpOpener"/> treats a file.</summary>
public sealed record DumpOpenOptions
{
    /// <summary>Read a flattened (makedumpfile -F) file in place instead of refusing it.</summary>
    public bool AcceptFlattened { get; init; }

    public ParseLimits Limits { get; init; } = ParseLimits.Default;

    /// <summary>
    /// VMCOREINFO text to use instead of the dump's note (makedumpfile -i): what <see cref="IDump.VmcoreInfo"/>
    /// returns. The dump's notes themselves are not changed.
    /// </summary>
    public ReadOnlyMemory<byte>? VmcoreInfo { get; init; }
}
