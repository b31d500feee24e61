using Kdump.Primitives.Units;

namespace Kdump.Memory;

/// <summary>Physical memory that can lend its bytes in place instead of copying them (an ELF vmcore in a mappable file).</summary>
public interface IMappablePhysicalMemory : IPhysicalMemory
{
    /// <summary>
    /// The bytes of <c>[address, address + length)</c> in place, or null when they are not one
    /// stored run of a mappable file (a hole, a zero-filled tail, a segment boundary); then
    /// <see cref="IPhysicalMemory.TryRead"/> gives the same bytes by copy.
    /// </summary>
    MappedView? TryMap(PhysAddr address, int length);
}
