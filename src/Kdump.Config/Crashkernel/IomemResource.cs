namespace Kdump.Config.Crashkernel;

/// <summary>One <c>/proc/iomem</c> line: <c>  start-end : name</c>; <see cref="Depth"/> = indentation / 2.</summary>
public sealed record IomemResource(ulong Start, ulong End, string Name, int Depth)
{
    /// <summary>Inclusive range length (<c>end - start + 1</c>).</summary>
    public ulong Length => End - Start + 1;
}
