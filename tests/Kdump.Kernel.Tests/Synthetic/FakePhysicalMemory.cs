using Kdump.Formats;
using Kdump.Memory;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Tests.Synthetic;

/// <summary>Sparse physical memory made by the tests: 4 KiB pages created on first write; unwritten pages are "not stored".</summary>
internal sealed class FakePhysicalMemory : IPhysicalMemory
{
    public const int Page = 4096;
    private readonly Dictionary<ulong, byte[]> _pages = [];

    public int PageSize => Page;

    public HashSet<ulong> CorruptPages { get; } = [];

    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var pfn = address / Page;
            var offset = (int)(address % Page);
            if (!_pages.TryGetValue(pfn, out var page)) _pages[pfn] = page = new byte[Page];
            var n = Math.Min(Page - offset, data.Length);
            data[..n].CopyTo(page.AsSpan(offset));
            data = data[n..];
            address += (ulong)n;
        }
    }

    public void WriteU64(ulong address, ulong value) => Write(address, BitConverter.GetBytes(value));

    public void Remove(ulong address) => _pages.Remove(address / Page);

    public PageReadStatus TryRead(PhysAddr address, Span<byte> destination)
    {
        var a = address.Value;
        while (!destination.IsEmpty)
        {
            var pfn = a / Page;
            if (CorruptPages.Contains(pfn)) return PageReadStatus.Corrupt;
            if (!_pages.TryGetValue(pfn, out var page)) return PageReadStatus.NotStored;
            var offset = (int)(a % Page);
            var n = Math.Min(Page - offset, destination.Length);
            page.AsSpan(offset, n).CopyTo(destination);
            destination = destination[n..];
            a += (ulong)n;
        }
        return PageReadStatus.Ok;
    }
}
