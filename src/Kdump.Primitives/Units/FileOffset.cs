namespace Kdump.Primitives.Units;

/// <summary>A byte offset in a dump file.</summary>
public readonly record struct FileOffset(long Value) : IComparable<FileOffset>
{
    public int CompareTo(FileOffset other) => Value.CompareTo(other.Value);

    public FileOffset Add(long bytes) => new(checked(Value + bytes));

    public override string ToString() => $"0x{Value:x}";

    public static bool operator <(FileOffset left, FileOffset right) => left.CompareTo(right) < 0;

    public static bool operator <=(FileOffset left, FileOffset right) => left.CompareTo(right) <= 0;

    public static bool operator >(FileOffset left, FileOffset right) => left.CompareTo(right) > 0;

    public static bool operator >=(FileOffset left, FileOffset right) => left.CompareTo(right) >= 0;
}
