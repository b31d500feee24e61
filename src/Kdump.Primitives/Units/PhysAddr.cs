namespace Kdump.Primitives.Units;

/// <summary>A physical address of the dumped machine (not a file offset, not a virtual address).</summary>
public readonly record struct PhysAddr(ulong Value) : IComparable<PhysAddr>
{
    public int CompareTo(PhysAddr other) => Value.CompareTo(other.Value);

    public Pfn ToPfn(int pageShift) => new(Value >> pageShift);

    public PhysAddr Add(ulong bytes) => new(checked(Value + bytes));

    public override string ToString() => $"0x{Value:x}";

    public static bool operator <(PhysAddr left, PhysAddr right) => left.CompareTo(right) < 0;

    public static bool operator <=(PhysAddr left, PhysAddr right) => left.CompareTo(right) <= 0;

    public static bool operator >(PhysAddr left, PhysAddr right) => left.CompareTo(right) > 0;

    public static bool operator >=(PhysAddr left, PhysAddr right) => left.CompareTo(right) >= 0;
}
