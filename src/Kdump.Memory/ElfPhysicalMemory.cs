using Kdump.Formats;
using Kdump.Formats.Elf;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Memory;

/// <summary>
/// Physical memory of an ELF vmcore: PT_LOAD segments by p_paddr. Bytes in [p_filesz, p_memsz)
/// read as zeros (makedumpfile -E output has such segments). Where PT_LOADs overlap (the
/// kernel-text segment of /proc/vmcore repeats part of a RAM segment), the first segment in
/// program-header order that covers an address wins, as in makedumpfile's paddr_to_offset(),
/// which walks the PT_LOAD table in order; the two copies hold the same bytes in a real vmcore.
/// </summary>
internal sealed class ElfPhysicalMemory : IMappablePhysicalMemory
{
    private readonly IByteSource _source;
    private readonly RangeMap<ElfProgramHeader> _map;

    public ElfPhysicalMemory(IByteSource source, IEnumerable<ElfProgramHeader> loads, int pageSize)
    {
        _source = source;
        PageSize = pageSize;
        var ranges = new List<(ulong, ulong, long, ElfProgramHeader)>();
        var index = 0L;
        foreach (var p in loads)
        {
            index++;
            if (p.PhysicalAddress == ElfConstants.NoPhysicalAddress) continue;
            // Lower index = higher priority: the first covering segment wins.
            ranges.Add((p.PhysicalAddress, p.MemorySize, -index, p));
        }
        _map = new RangeMap<ElfProgramHeader>(ranges);
    }

    public int PageSize { get; }

    public PageReadStatus TryRead(PhysAddr address, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            if (address.Value > ulong.MaxValue - (ulong)done) return PageReadStatus.NotStored;
            var at = address.Value + (ulong)done;
            if (!_map.TryFind(at, out var seg, out _, out var pieceEnd)) return PageReadStatus.NotStored;
            var n = (int)Math.Min((ulong)(destination.Length - done), pieceEnd - at);
            var inSegment = at - seg.PhysicalAddress;
            var chunk = destination.Slice(done, n);
            if (inSegment >= seg.FileSize)
            {
                chunk.Clear();
            }
            else
            {
                var fromFile = (int)Math.Min((ulong)n, seg.FileSize - inSegment);
                // p_offset + p_filesz was checked against the file length when the headers were read,
                // except in a dump flagged incomplete, whose data may stop short: those bytes are lost.
                if (!_source.Contains((long)(seg.Offset + inSegment), fromFile)) return PageReadStatus.NotStored;
                _source.ReadExactlyAt((long)(seg.Offset + inSegment), chunk[..fromFile], "PT_LOAD data");
                chunk[fromFile..].Clear();
            }
            done += n;
        }
        return PageReadStatus.Ok;
    }

    public MappedView? TryMap(PhysAddr address, int length)
    {
        if (_source is not MappedFileSource file || length <= 0 || address.Value > ulong.MaxValue - (ulong)length) return null;
        // One piece of one segment, all of it in the file: then the bytes are those TryRead copies.
        if (!_map.TryFind(address.Value, out var seg, out _, out var pieceEnd) || address.Value + (ulong)length > pieceEnd) return null;
        var inSegment = address.Value - seg.PhysicalAddress;
        if (inSegment + (ulong)length > seg.FileSize) return null;
        // Never map past the end of a file cut short (an incomplete dump): touching it would fault.
        var offset = checked((long)(seg.Offset + inSegment));
        if (!_source.Contains(offset, length)) return null;
        return file.TryMap(offset, length);
    }
}
