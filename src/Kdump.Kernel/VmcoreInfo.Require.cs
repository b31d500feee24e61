using Kdump.Primitives.Units;

namespace Kdump.Kernel;

public sealed partial class VmcoreInfo
{
    /// <exception cref="VmcoreInfoMissingException">The symbol is not exported.</exception>
    public VirtAddr RequireSymbol(string name, string purpose) =>
        TryGetSymbol(name, out var v) ? v : throw new VmcoreInfoMissingException($"SYMBOL({name})", purpose);

    /// <exception cref="VmcoreInfoMissingException">The size is not exported.</exception>
    public ulong RequireSize(string name, string purpose) =>
        TryGetSize(name, out var v) ? v : throw new VmcoreInfoMissingException($"SIZE({name})", purpose);

    /// <exception cref="VmcoreInfoMissingException">The offset is not exported.</exception>
    public ulong RequireOffset(string structField, string purpose) =>
        TryGetOffset(structField, out var v) ? v : throw new VmcoreInfoMissingException($"OFFSET({structField})", purpose);
}
