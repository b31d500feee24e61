namespace Kdump.Kernel.Pages;

/// <summary>Page frames <c>[Start, End)</c>.</summary>
public readonly record struct PfnRange(ulong Start, ulong End)
{
    public ulong Count => End > Start ? End - Start : 0;

    public bool Contains(ulong pfn) => pfn >= Start && pfn < End;

    public override string ToString() => $"[0x{Start:x}, 0x{End:x})";
}
