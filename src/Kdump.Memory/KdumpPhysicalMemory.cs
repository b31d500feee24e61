using Kdump.Formats;
using Kdump.Formats.Diskdump;
using Kdump.Primitives.Units;

namespace Kdump.Memory;

/// <summary>
/// Physical memory of a kdump-compressed set: page by page through page_desc. Pages excluded by
/// filtering, holes, and pfns at or beyond max_mapnr are <see cref="PageReadStatus.NotStored"/>.
/// A damaged page is <see cref="PageReadStatus.Corrupt"/>; <see cref="DiskDumpFile.ReadPage"/> gives the details.
/// Keeps the last decoded page, because callers often read a page in small pieces.
/// </summary>
internal sealed class KdumpPhysicalMemory : IPhysicalMemory
{
    private readonly IReadOnlyList<DiskDumpFile> _files;
    private readonly int _pageShift;
    private readonly byte[] _page;
    private ulong _cachedPfn = ulong.MaxValue;

    public KdumpPhysicalMemory(IReadOnlyList<DiskDumpFile> files)
    {
        _files = files;
        PageSize = files[0].PageSize;
        _pageShift = System.Numerics.BitOperations.Log2((uint)PageSize);
        _page = new byte[PageSize];
    }

    public int PageSize { get; }

    public PageReadStatus TryRead(PhysAddr address, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            if (address.Value > ulong.MaxValue - (ulong)done) return PageReadStatus.NotStored;
            var at = address.Value + (ulong)done;
            var pfn = at >> _pageShift;
            var inPage = (int)(at & (ulong)(PageSize - 1));
            var n = Math.Min(destination.Length - done, PageSize - inPage);
            if (pfn != _cachedPfn)
            {
                var file = FileFor(pfn);
                if (file is null) return PageReadStatus.NotStored;
                _cachedPfn = ulong.MaxValue;
                var status = file.TryReadPage(pfn, _page);
                if (status != PageReadStatus.Ok) return status;
                _cachedPfn = pfn;
            }
            _page.AsSpan(inPage, n).CopyTo(destination[done..]);
            done += n;
        }
        return PageReadStatus.Ok;
    }

    private DiskDumpFile? FileFor(ulong pfn)
    {
        foreach (var f in _files)
        {
            if (f.IsStored(pfn)) return f;
        }
        return null;
    }
}
