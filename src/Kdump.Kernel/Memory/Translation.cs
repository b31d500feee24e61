using Kdump.Primitives.Units;

namespace Kdump.Kernel.Memory;

/// <summary>
/// Result of translating one kernel virtual address: the physical address and how many bytes from
/// it stay physically contiguous under the same mapping (to the end of the page or segment).
/// On failure <see cref="Reason"/> says why, in words fit for an error message.
/// </summary>
public readonly record struct Translation(TranslationStatus Status, PhysAddr Physical, ulong ContiguousBytes, string? Reason)
{
    public bool IsOk => Status == TranslationStatus.Ok;

    public static Translation Mapped(PhysAddr physical, ulong contiguousBytes) => new(TranslationStatus.Ok, physical, contiguousBytes, null);

    public static Translation Fail(TranslationStatus status, string reason) => new(status, default, 0, reason);
}
