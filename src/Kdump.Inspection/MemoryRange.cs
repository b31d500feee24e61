using Kdump.Primitives.Units;

namespace Kdump.Inspection;

/// <summary>A physical range present in a dump, <c>[Start, Start + SizeBytes)</c>.</summary>
public readonly record struct MemoryRange(PhysAddr Start, ulong SizeBytes, string Note)
{
    public PhysAddr EndInclusive => new(Start.Value + SizeBytes - 1);
}
