namespace Kdump.Kexec.Legacy;

/// <summary>One kexec_load segment: <see cref="Data"/> copied to physical <see cref="Address"/>, <see cref="MemorySize"/> bytes reserved there (zero-filled past the data).</summary>
public sealed record LegacySegment(string Name, byte[] Data, ulong Address, ulong MemorySize);

/// <summary>Limits on the layout: --mem-min and --mem-max (inclusive), and --hotplug's room for the ELF core headers.</summary>
public sealed record LegacyBounds(ulong MemoryMin = 0, ulong MemoryMax = ulong.MaxValue, ulong ElfHeaderRoom = 0);

/// <summary>What kexec_load is given: the entry point (our purgatory) and the segments in address order.</summary>
public sealed record LegacyImage(ulong Entry, IReadOnlyList<LegacySegment> Segments, string CommandLine);

/// <summary>
/// Free physical memory as a sorted list of half-open ranges; allocations are taken bottom-up,
/// as kexec-tools' locate_hole does for the kernel.
/// </summary>
internal sealed class PhysicalHoles
{
    private readonly List<(ulong Start, ulong End)> _free;

    public PhysicalHoles(IEnumerable<(ulong Start, ulong End)> free)
    {
        _free = free.Where(r => r.End > r.Start).OrderBy(r => r.Start).ToList();
    }

    public IReadOnlyList<(ulong Start, ulong End)> Ranges => _free;

    /// <summary>Removes [start, end) from the free ranges.</summary>
    public void Exclude(ulong start, ulong end)
    {
        for (var i = _free.Count - 1; i >= 0; i--)
        {
            var (s, e) = _free[i];
            if (end <= s || start >= e) continue;
            _free.RemoveAt(i);
            if (end < e) _free.Insert(i, (end, e));
            if (start > s) _free.Insert(i, (s, start));
        }
    }

    /// <summary>The lowest <paramref name="align"/>-aligned address ≥ <paramref name="min"/> with <paramref name="size"/> free bytes, or null.</summary>
    public ulong? Allocate(ulong size, ulong align, ulong min = 0, ulong max = ulong.MaxValue)
    {
        foreach (var (s, e) in _free)
        {
            var start = Math.Max(s, min);
            if (start > ulong.MaxValue - (align - 1)) return null;
            start = (start + align - 1) & ~(align - 1);
            var limit = Math.Min(e, max);
            if (start >= limit || limit - start < size) continue;
            Exclude(start, start + size);
            return start;
        }
        return null;
    }
}
