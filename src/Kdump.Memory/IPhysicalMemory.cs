using Kdump.Formats;
using Kdump.Primitives.Units;

namespace Kdump.Memory;

/// <summary>Physical memory of the dumped machine, whatever the dump format.</summary>
public interface IPhysicalMemory
{
    /// <summary>Page size of the dumped machine in bytes.</summary>
    int PageSize { get; }

    /// <summary>
    /// Reads <c>destination.Length</c> bytes at <paramref name="address"/>, crossing pages as needed.
    /// Returns <see cref="PageReadStatus.NotStored"/> if any byte is absent.
    /// </summary>
    PageReadStatus TryRead(PhysAddr address, Span<byte> destination);
}
