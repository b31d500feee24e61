namespace Kdump.Kernel.Pages;

/// <summary>One present SPARSEMEM section: pfns <c>[StartPfn, EndPfn)</c> whose struct pages start at <c>MemMap</c>.</summary>
public readonly record struct MemMapSection(ulong Number, ulong StartPfn, ulong EndPfn, ulong MemMap)
{
    public override string ToString() => $"section {Number}: pfn [0x{StartPfn:x}, 0x{EndPfn:x}) mem_map 0x{MemMap:x}";
}
