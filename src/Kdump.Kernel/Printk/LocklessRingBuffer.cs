using Kdump.Kernel.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Printk;

/// <summary>
/// The lockless <c>printk_ringbuffer</c>: Linux commit 896fbe20b4e2 ("printk: use the lockless
/// ringbuffer") (v5.10). <c>SYMBOL(prb)</c> is the address of the <c>prb</c> pointer; a descriptor
/// ring (<c>prb_desc</c> state + text block positions, parallel <c>printk_info</c> array) indexes a
/// text data ring of <c>{unsigned long id; char text[]}</c> blocks. The walk goes from
/// <c>tail_id</c> to <c>head_id</c> inclusive and takes committed or finalized descriptors whose
/// id matches, as makedumpfile <c>printk.c</c>, kexec-tools and crash do.
/// </summary>
public sealed class LocklessRingBuffer : IPrintkLayout
{
    private const string Purpose = "the lockless printk ring";

    public PrintkLayoutKind Kind => PrintkLayoutKind.LocklessRing;

    public bool Probe(VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.TryGetSymbol("prb", out _);
    }

    public PrintkLog Read(VmcoreInfo info, KernelMemory memory, ParseLimits limits)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(limits);
        var dataLayout = memory.Layout;
        var word = dataLayout.WordBytes;
        var f = LocklessRingLayout.FromVmcoreInfo(info, word);

        var prb = new VirtAddr(memory.ReadWord(info.RequireSymbol("prb", Purpose)));
        var rb = memory.ReadBytes(prb, (ulong)f.RingBufferSize, limits.MaxLogBufferBytes, "printk_ringbuffer");
        var r = new EndianReader(rb, dataLayout);

        var countBits = r.U32(f.DescRing + f.DescRingCountBits);
        var sizeBits = r.U32(f.TextDataRing + f.DataRingSizeBits);
        if (countBits >= 31)
            throw DumpErrors.Corrupt(null, "prb_desc_ring.count_bits", countBits.ToString(System.Globalization.CultureInfo.InvariantCulture), null, "a descriptor ring cannot have 2^31 or more entries");
        if (sizeBits >= 31)
            throw DumpErrors.Corrupt(null, "prb_data_ring.size_bits", sizeBits.ToString(System.Globalization.CultureInfo.InvariantCulture), null, "a text ring cannot be 2 GiB or larger");
        var count = 1UL << (int)countBits;
        if (count > (ulong)limits.MaxPrintkRecords)
            throw DumpErrors.OverLimit(null, "printk descriptor count", count, (ulong)limits.MaxPrintkRecords, null);
        var textSize = 1UL << (int)sizeBits;

        var descsAddress = new VirtAddr(r.Word(f.DescRing + f.DescRingDescs));
        var infosAddress = new VirtAddr(r.Word(f.DescRing + f.DescRingInfos));
        var dataAddress = new VirtAddr(r.Word(f.TextDataRing + f.DataRingData));
        var descs = memory.ReadBytes(descsAddress, checked(count * (ulong)f.DescSize), limits.MaxLogBufferBytes, "printk descriptors");
        var infos = memory.ReadBytes(infosAddress, checked(count * (ulong)f.InfoSize), limits.MaxLogBufferBytes, "printk infos");
        var text = memory.ReadBytes(dataAddress, textSize, limits.MaxLogBufferBytes, "printk text ring");

        var tail = r.Word(f.DescRing + f.DescRingTailId + f.AtomicLongCounter);
        var head = r.Word(f.DescRing + f.DescRingHeadId + f.AtomicLongCounter);
        var ring = new Ring(f, dataLayout, count, descs, infos, text);
        return new PrintkLog(PrintkLayoutKind.LocklessRing, Walk(ring, tail, head), default, f.InfoCallerId is not null);
    }

    private sealed record Ring(LocklessRingLayout Fields, DataLayout Layout, ulong Count, byte[] Descs, byte[] Infos, byte[] Text);

    private static IEnumerable<PrintkRecord> Walk(Ring ring, ulong tail, ulong head)
    {
        // The state variable is an atomic_long_t: its top two bits are the state, the rest the id.
        var svBits = ring.Layout.Is64Bit ? 64 : 32;
        var idMask = svBits == 64 ? ~(3UL << 62) : ~(3UL << 30) & 0xffffffffUL;
        // A sane ring has tail..head within one lap; a damaged one is cut to the newest lap so the
        // loop stays bounded (upstream would spin through up to 2^62 ids).
        // Ids are modular counters: their arithmetic wraps on purpose.
        if ((unchecked(head - tail) & idMask) >= ring.Count)
            tail = unchecked(head - ring.Count + 1) & idMask;
        for (var id = tail & idMask; ; id = unchecked(id + 1) & idMask)
        {
            if (TryDecode(ring, id, idMask, svBits) is { } record) yield return record;
            if (id == (head & idMask)) yield break;
        }
    }

    private static PrintkRecord? TryDecode(Ring ring, ulong id, ulong idMask, int svBits)
    {
        var f = ring.Fields;
        var slot = (int)(id % ring.Count);
        var desc = new EndianReader(ring.Descs.AsSpan(slot * f.DescSize, f.DescSize), ring.Layout);
        var info = new EndianReader(ring.Infos.AsSpan(slot * f.InfoSize, f.InfoSize), ring.Layout);

        var stateVar = desc.Word(f.DescStateVar + f.AtomicLongCounter);
        var state = (stateVar >> (svBits - 2)) & 3;
        // desc_committed (1) or desc_finalized (2); reserved (0) and reusable (3) hold no record.
        if ((stateVar & idMask) != id || state is not (1 or 2)) return null;

        var size = (ulong)ring.Text.Length;
        var begin = desc.Word(f.DescTextBlkLpos + f.LposBegin) % size;
        var next = desc.Word(f.DescTextBlkLpos + f.LposNext) % size;
        ulong? seq = f.InfoSeq is { } at ? info.U64(at) : null;
        var ts = info.U64(f.InfoTsNsec);
        uint? caller = f.InfoCallerId is { } c ? info.U32(c) : null;
        if (begin == next)
            return new PrintkRecord(seq, ts, caller, ReadOnlyMemory<byte>.Empty, PrintkRecordKind.DataLess);

        // A block that does not fit before the end of the ring is stored from offset 0, after its id.
        if (begin > next) begin = 0;
        begin += (ulong)ring.Layout.WordBytes;
        var available = next >= begin ? next - begin : 0;
        var length = Math.Min(info.U16(f.InfoTextLen), available);
        var bytes = length == 0 ? ReadOnlyMemory<byte>.Empty : ring.Text.AsMemory((int)begin, (int)length);
        return new PrintkRecord(seq, ts, caller, bytes);
    }
}
