namespace Kdump.Primitives.Units;

/// <summary>A page frame number: physical address divided by the page size.</summary>
public readonly record struct Pfn(ulong Value) : IComparable<Pfn>
{
    public int CompareTo(Pfn other) => Value.CompareTo(other.Value);

    public PhysAddr ToPhysAddr(int pageShift) => new(checked(Value << pageShift));

    public override string ToString() => $"0x{Value:x}";

    public static bool operator <(Pfn left, Pfn right) => left.CompareTo(right) < 0;

    public static bool operator <=(Pfn left, Pfn right) => left.CompareTo(right) <= 0;

    public static bool operator >(Pfn left, Pfn right) => left.CompareTo(right) > 0;

    public static bool operator >=(Pfn left, Pfn right) => left.CompareTo(right) >= 0;
}
