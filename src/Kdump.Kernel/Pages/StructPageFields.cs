namespace Kdump.Kernel.Pages;

/// <summary>The fields of one <c>struct page</c> the decision uses; absent fields read as 0 (upstream).</summary>
internal readonly record struct StructPageFields(ulong Flags, ulong Mapping, uint Mapcount, ulong Private, ulong CompoundHead)
{
    public int MapcountPattern => unchecked((int)Mapcount);
}
