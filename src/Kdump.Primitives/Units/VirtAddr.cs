namespace Kdump.Primitives.Units;

/// <summary>A kernel virtual address of the dumped machine.</summary>
public readonly record struct VirtAddr(ulong Value) : IComparable<VirtAddr>
{
    public int CompareTo(VirtAddr other) => Value.CompareTo(other.Value);

    /// <summary>Address arithmetic wraps like the kernel's unsigned long.</summary>
    public VirtAddr Add(ulong bytes) => new(unchecked(Value + bytes));

    public override string ToString() => $"0x{Value:x}";

    public static bool operator <(VirtAddr left, VirtAddr right) => left.CompareTo(right) < 0;

    public static bool operator <=(VirtAddr left, VirtAddr right) => left.CompareTo(right) <= 0;

    public static bool operator >(VirtAddr left, VirtAddr right) => left.CompareTo(right) > 0;

    public static bool operator >=(VirtAddr left, VirtAddr right) => left.CompareTo(right) >= 0;
}
