namespace Kdump.Kernel.Pages;

/// <summary>
/// Where the fields makedumpfile reads live in the dumped kernel's <c>struct page</c>
/// (<c>SIZE(page)</c>, <c>OFFSET(page.*)</c> in VMCOREINFO). Optional fields are null when the
/// kernel does not export them; makedumpfile then reads them as 0.
/// </summary>
public sealed record StructPageLayout
{
    /// <summary>SIZE(page).</summary>
    public required int Size { get; init; }

    /// <summary>OFFSET(page.flags).</summary>
    public required int Flags { get; init; }

    /// <summary>OFFSET(page.mapping).</summary>
    public required int Mapping { get; init; }

    /// <summary>OFFSET(page._mapcount): the <c>page_type</c> union since 4.18.</summary>
    public int? Mapcount { get; init; }

    /// <summary>OFFSET(page.private): a free block's buddy order.</summary>
    public int? Private { get; init; }

    /// <summary>OFFSET(page.compound_head) (<c>page.compound_info</c> from 7.1): bit 0 marks a tail page.</summary>
    public int? CompoundHead { get; init; }

    /// <exception cref="VmcoreInfoMissingException">SIZE(page), OFFSET(page.flags) or OFFSET(page.mapping) is missing.</exception>
    /// <exception cref="Primitives.Errors.DumpCorruptException">An offset does not fit in SIZE(page).</exception>
    public static StructPageLayout FromVmcoreInfo(VmcoreInfo info, string? dumpName = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        const string Purpose = "classifying pages by struct page";
        var size = info.RequireSize("page", Purpose);
        if (size is 0 or > 4096)
            throw Primitives.Errors.DumpErrors.Corrupt(dumpName, "VMCOREINFO SIZE(page)", size.ToString(System.Globalization.CultureInfo.InvariantCulture), null, "not between 1 and 4096 bytes");
        var s = (int)size;
        return new StructPageLayout
        {
            Size = s,
            Flags = Field(info.RequireOffset("page.flags", Purpose), s, 8, "page.flags", dumpName),
            Mapping = Field(info.RequireOffset("page.mapping", Purpose), s, 8, "page.mapping", dumpName),
            Mapcount = Optional(info, "page._mapcount", s, 4, dumpName),
            Private = Optional(info, "page.private", s, 8, dumpName),
            // Linux commit d50569612c29 ("mm: rename the 'compound_head' field in the 'struct page'
            // to 'compound_info'") (v7.1) renamed the exported offset too.
            CompoundHead = Optional(info, "page.compound_head", s, 8, dumpName) ?? Optional(info, "page.compound_info", s, 8, dumpName),
        };
    }

    private static int? Optional(VmcoreInfo info, string name, int size, int width, string? dumpName) =>
        info.TryGetOffset(name, out var v) ? Field(v, size, width, name, dumpName) : null;

    private static int Field(ulong offset, int size, int width, string name, string? dumpName)
    {
        if (size < width || offset > (ulong)(size - width))
            throw Primitives.Errors.DumpErrors.Corrupt(dumpName, $"VMCOREINFO OFFSET({name})", offset.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
                $"a {width}-byte field there does not fit in SIZE(page)={size}");
        return (int)offset;
    }
}
