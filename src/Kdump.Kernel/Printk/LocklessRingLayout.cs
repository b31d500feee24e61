using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Printk;

/// <summary>
/// Sizes and field offsets of the lockless ring's structures, all taken from VMCOREINFO
/// (<c>kernel/printk/printk.c:log_buf_vmcoreinfo_setup</c>) and checked to lie inside their structs.
/// </summary>
internal sealed record LocklessRingLayout
{
    public required int RingBufferSize { get; init; }          // SIZE(printk_ringbuffer)
    public required int DescRing { get; init; }                // OFFSET(printk_ringbuffer.desc_ring)
    public required int TextDataRing { get; init; }            // OFFSET(printk_ringbuffer.text_data_ring)
    public required int DescRingCountBits { get; init; }       // OFFSET(prb_desc_ring.count_bits)
    public required int DescRingDescs { get; init; }           // OFFSET(prb_desc_ring.descs)
    public required int DescRingInfos { get; init; }           // OFFSET(prb_desc_ring.infos)
    public required int DescRingHeadId { get; init; }          // OFFSET(prb_desc_ring.head_id)
    public required int DescRingTailId { get; init; }          // OFFSET(prb_desc_ring.tail_id)
    public required int DataRingSizeBits { get; init; }        // OFFSET(prb_data_ring.size_bits)
    public required int DataRingData { get; init; }            // OFFSET(prb_data_ring.data)
    public required int AtomicLongCounter { get; init; }       // OFFSET(atomic_long_t.counter)
    public required int DescSize { get; init; }                // SIZE(prb_desc)
    public required int DescStateVar { get; init; }            // OFFSET(prb_desc.state_var)
    public required int DescTextBlkLpos { get; init; }         // OFFSET(prb_desc.text_blk_lpos)
    public required int LposBegin { get; init; }               // OFFSET(prb_data_blk_lpos.begin)
    public required int LposNext { get; init; }                // OFFSET(prb_data_blk_lpos.next)
    public required int InfoSize { get; init; }                // SIZE(printk_info)
    public required int? InfoSeq { get; init; }                // OFFSET(printk_info.seq): the kernel exports it, makedumpfile does not read it
    public required int InfoTsNsec { get; init; }              // OFFSET(printk_info.ts_nsec)
    public required int InfoTextLen { get; init; }             // OFFSET(printk_info.text_len)
    public required int? InfoCallerId { get; init; }           // OFFSET(printk_info.caller_id), CONFIG_PRINTK_CALLER era field, always exported since 5.10

    private const string Purpose = "the lockless printk ring";

    /// <summary>Structs larger than this are not a printk ring (the real ones are under 200 bytes).</summary>
    private const ulong MaxStructBytes = 1 << 16;

    public static LocklessRingLayout FromVmcoreInfo(VmcoreInfo info, int wordBytes)
    {
        int Size(string name) => Bounded($"SIZE({name})", info.RequireSize(name, Purpose), MaxStructBytes);
        int Offset(string field, int structSize, int width)
        {
            var v = info.RequireOffset(field, Purpose);
            // A damaged SIZE() smaller than the field would otherwise pass as offset 0 and read past the struct.
            if (structSize < width)
                throw DumpErrors.Corrupt(null, $"VMCOREINFO OFFSET({field})", v.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
                    $"leaves no room for its {width} bytes: only {structSize} remain in the structure");
            return Bounded($"OFFSET({field})", v, (ulong)(structSize - width));
        }

        var ringSize = Size("printk_ringbuffer");
        var descSize = Size("prb_desc");
        var infoSize = Size("printk_info");
        var descRing = Offset("printk_ringbuffer.desc_ring", ringSize, 0);
        var textRing = Offset("printk_ringbuffer.text_data_ring", ringSize, 0);
        var counter = (int)Math.Min(info.RequireOffset("atomic_long_t.counter", Purpose), MaxStructBytes);
        int InRing(string field, int baseOffset, int width) =>
            Offset(field, checked(ringSize - baseOffset), width);
        var textBlk = Offset("prb_desc.text_blk_lpos", descSize, 0);

        var layout = new LocklessRingLayout
        {
            RingBufferSize = ringSize,
            DescRing = descRing,
            TextDataRing = textRing,
            DescRingCountBits = InRing("prb_desc_ring.count_bits", descRing, 4),
            DescRingDescs = InRing("prb_desc_ring.descs", descRing, wordBytes),
            DescRingInfos = InRing("prb_desc_ring.infos", descRing, wordBytes),
            DescRingHeadId = InRing("prb_desc_ring.head_id", descRing, checked(wordBytes + counter)),
            DescRingTailId = InRing("prb_desc_ring.tail_id", descRing, checked(wordBytes + counter)),
            DataRingSizeBits = InRing("prb_data_ring.size_bits", textRing, 4),
            DataRingData = InRing("prb_data_ring.data", textRing, wordBytes),
            AtomicLongCounter = counter,
            DescSize = descSize,
            DescStateVar = Offset("prb_desc.state_var", checked(descSize - counter), wordBytes),
            DescTextBlkLpos = textBlk,
            LposBegin = Offset("prb_data_blk_lpos.begin", checked(descSize - textBlk), wordBytes),
            LposNext = Offset("prb_data_blk_lpos.next", checked(descSize - textBlk), wordBytes),
            InfoSize = infoSize,
            InfoSeq = info.TryGetOffset("printk_info.seq", out _) ? Offset("printk_info.seq", infoSize, 8) : null,
            InfoTsNsec = Offset("printk_info.ts_nsec", infoSize, 8),
            InfoTextLen = Offset("printk_info.text_len", infoSize, 2),
            InfoCallerId = info.TryGetOffset("printk_info.caller_id", out _) ? Offset("printk_info.caller_id", infoSize, 4) : null,
        };
        return layout;
    }

    private static int Bounded(string key, ulong value, ulong max) =>
        value <= max ? (int)value : throw DumpErrors.Corrupt(null, $"VMCOREINFO {key}", value.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
            $"does not fit its structure (maximum {max})");
}
