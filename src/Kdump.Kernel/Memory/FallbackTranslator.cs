using Kdump.Primitives.Units;

namespace Kdump.Kernel.Memory;

/// <summary>Tries <paramref name="primary"/>, then <paramref name="secondary"/> for addresses the first cannot map.</summary>
public sealed class FallbackTranslator(IVirtualTranslator primary, IVirtualTranslator secondary) : IVirtualTranslator
{
    public string Name => $"{primary.Name}, then {secondary.Name}";

    public Translation Translate(VirtAddr address)
    {
        var first = primary.Translate(address);
        return first.IsOk ? first : secondary.Translate(address);
    }
}
