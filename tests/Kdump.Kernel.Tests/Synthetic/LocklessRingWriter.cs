using System.Text;

namespace Kdump.Kernel.Tests.Synthetic;

/// <summary>
/// Lays out a 5.10+ <c>printk_ringbuffer</c> in a <see cref="SyntheticKernel"/> the way the kernel's
/// <c>prb_reserve</c>/<c>data_alloc</c> do: blocks <c>{u64 id; text}</c> aligned to 8, a block that does
/// not fit before the ring's end stored from offset 0 with its begin lpos left at the old position,
/// the oldest descriptors and data recycled as the rings fill. Struct offsets are x86_64's
/// (<c>printk_info</c> 88 bytes, <c>prb_desc</c> 24 bytes) and exported through VMCOREINFO.
/// </summary>
internal sealed class LocklessRingWriter
{
    public const int InfoSize = 88;
    public const int DescSize = 24;
    private const int RingStructSize = 88;   // printk_ringbuffer: desc_ring @0 (48 B), text_data_ring @48 (32 B), fail @80

    private readonly SyntheticKernel _k;
    private readonly ulong _rb;
    private readonly ulong _descs;
    private readonly ulong _infos;
    private readonly ulong _data;
    private readonly int _count;
    private readonly int _size;
    private readonly List<(ulong Id, ulong Begin, ulong Next)> _live = [];
    private ulong _nextId;
    private ulong _headLpos;

    public LocklessRingWriter(SyntheticKernel kernel, int countBits, int sizeBits, bool exportCallerId = true, ulong firstId = 0)
    {
        _k = kernel;
        _count = 1 << countBits;
        _size = 1 << sizeBits;
        _nextId = firstId;
        _rb = kernel.AllocKernelData(RingStructSize);
        var prbPointer = kernel.AllocKernelData(8);
        _descs = kernel.AllocDirect(_count * DescSize);
        _infos = kernel.AllocDirect(_count * InfoSize);
        _data = kernel.AllocDirect(_size);
        kernel.WriteVirtualU64(prbPointer, _rb);
        kernel.WriteVirtualU32(_rb + 0, (uint)countBits);
        kernel.WriteVirtualU64(_rb + 8, _descs);
        kernel.WriteVirtualU64(_rb + 16, _infos);
        kernel.WriteVirtualU32(_rb + 48, (uint)sizeBits);
        kernel.WriteVirtualU64(_rb + 56, _data);
        kernel.WriteVirtual(_descs, new byte[_count * DescSize]);
        kernel.WriteVirtual(_infos, new byte[_count * InfoSize]);
        kernel.WriteVirtual(_data, new byte[_size]);
        // Unused descriptors start reusable with an id one lap behind, as prb_init leaves them.
        for (var i = 0; i < _count; i++) SetState((ulong)i, unchecked((ulong)i - (ulong)_count) & IdMask, 3);
        WriteHeadTail();

        kernel.Line($"SYMBOL(prb)={prbPointer:x}");
        kernel.Line($"SYMBOL(printk_rb_static)={_rb:x}");
        kernel.Line($"SIZE(printk_ringbuffer)={RingStructSize}");
        kernel.Line("OFFSET(printk_ringbuffer.desc_ring)=0");
        kernel.Line("OFFSET(printk_ringbuffer.text_data_ring)=48");
        kernel.Line("OFFSET(printk_ringbuffer.fail)=80");
        kernel.Line("SIZE(prb_desc_ring)=48");
        kernel.Line("OFFSET(prb_desc_ring.count_bits)=0");
        kernel.Line("OFFSET(prb_desc_ring.descs)=8");
        kernel.Line("OFFSET(prb_desc_ring.infos)=16");
        kernel.Line("OFFSET(prb_desc_ring.head_id)=24");
        kernel.Line("OFFSET(prb_desc_ring.tail_id)=32");
        kernel.Line($"SIZE(prb_desc)={DescSize}");
        kernel.Line("OFFSET(prb_desc.state_var)=0");
        kernel.Line("OFFSET(prb_desc.text_blk_lpos)=8");
        kernel.Line("SIZE(prb_data_blk_lpos)=16");
        kernel.Line("OFFSET(prb_data_blk_lpos.begin)=0");
        kernel.Line("OFFSET(prb_data_blk_lpos.next)=8");
        kernel.Line($"SIZE(printk_info)={InfoSize}");
        kernel.Line("OFFSET(printk_info.seq)=0");
        kernel.Line("OFFSET(printk_info.ts_nsec)=8");
        kernel.Line("OFFSET(printk_info.text_len)=16");
        if (exportCallerId) kernel.Line("OFFSET(printk_info.caller_id)=20");
        kernel.Line("OFFSET(printk_info.dev_info)=24");
        kernel.Line("SIZE(prb_data_ring)=32");
        kernel.Line("OFFSET(prb_data_ring.size_bits)=0");
        kernel.Line("OFFSET(prb_data_ring.data)=8");
        kernel.Line("OFFSET(prb_data_ring.head_lpos)=16");
        kernel.Line("OFFSET(prb_data_ring.tail_lpos)=24");
        kernel.Line("SIZE(atomic_long_t)=8");
        kernel.Line("OFFSET(atomic_long_t.counter)=0");
    }

    public static ulong IdMask => ~(3UL << 62);

    public ulong DescriptorsVa => _descs;

    public ulong TextVa => _data;

    public ulong RingVa => _rb;

    public ulong Add(string text, ulong tsNsec, uint callerId = 1, int? claimedTextLen = null) =>
        Add(Encoding.UTF8.GetBytes(text), tsNsec, callerId, claimedTextLen);

    /// <summary>Appends a finalized record; returns its id. <paramref name="claimedTextLen"/> &gt; stored length makes a truncated record.</summary>
    public ulong Add(byte[] text, ulong tsNsec, uint callerId = 1, int? claimedTextLen = null)
    {
        var id = _nextId++ & IdMask;
        // The descriptor slot is recycled: its old record leaves the live set.
        _live.RemoveAll(r => r.Id % (ulong)_count == id % (ulong)_count);
        ulong begin, next;
        if (text.Length == 0)
        {
            begin = next = 1;   // FAILED_LPOS: a data-less record
        }
        else
        {
            var blk = (ulong)((8 + text.Length + 7) & ~7);
            if (blk > (ulong)_size / 2) throw new ArgumentException("record larger than the kernel allows", nameof(text));
            begin = _headLpos;
            var offset = begin % (ulong)_size;
            ulong storeAt;
            if (offset + blk > (ulong)_size)
            {
                next = begin - offset + (ulong)_size + blk;   // next wrap's start + block
                storeAt = 0;
            }
            else
            {
                next = begin + blk;
                storeAt = offset;
            }
            _headLpos = next;
            // Drop records whose data the new block overwrites.
            _live.RemoveAll(r => r.Next != r.Begin && r.Begin != 1 && next - r.Begin > (ulong)_size);
            var block = new byte[blk];
            BitConverter.GetBytes(id).CopyTo(block, 0);
            text.CopyTo(block, 8);
            _k.WriteVirtual(_data + storeAt, block);
        }
        var slot = id % (ulong)_count;
        var desc = _descs + slot * DescSize;
        SetState(slot, id, 2);
        _k.WriteVirtualU64(desc + 8, begin);
        _k.WriteVirtualU64(desc + 16, next);
        var info = _infos + slot * InfoSize;
        var infoBytes = new byte[InfoSize];
        BitConverter.GetBytes(id).CopyTo(infoBytes, 0);                 // seq == id here
        BitConverter.GetBytes(tsNsec).CopyTo(infoBytes, 8);
        BitConverter.GetBytes((ushort)(claimedTextLen ?? text.Length)).CopyTo(infoBytes, 16);
        BitConverter.GetBytes(callerId).CopyTo(infoBytes, 20);
        _k.WriteVirtual(info, infoBytes);
        _live.Add((id, begin, next));
        foreach (var dead in Enumerable.Range(0, _count).Select(i => (ulong)i))
        {
            // Slots whose record was dropped for lack of data space become reusable.
            if (!_live.Any(r => r.Id % (ulong)_count == dead)) MarkReusable(dead);
        }
        WriteHeadTail();
        return id;
    }

    /// <summary>Ids of the records a reader must return, oldest first.</summary>
    public IReadOnlyList<ulong> LiveIds => [.. _live.Select(r => r.Id).Order()];

    public void SetState(ulong slot, ulong id, ulong state) =>
        _k.WriteVirtualU64(_descs + slot * DescSize, (state << 62) | (id & IdMask));

    public void SetHeadTail(ulong head, ulong tail)
    {
        _k.WriteVirtualU64(_rb + 24, head);
        _k.WriteVirtualU64(_rb + 32, tail);
    }

    private void MarkReusable(ulong slot)
    {
        var bytes = new byte[8];
        _ = _k.Physical.TryRead(new Primitives.Units.PhysAddr(_k.KernelVaToPa(_descs + slot * DescSize)), bytes);
        var sv = BitConverter.ToUInt64(bytes);
        if (sv >> 62 != 3) SetState(slot, sv & IdMask, 3);
    }

    private void WriteHeadTail()
    {
        if (_live.Count == 0)
        {
            SetHeadTail(unchecked(_nextId - 1) & IdMask, _nextId & IdMask);
            return;
        }
        SetHeadTail(_live.Max(r => r.Id), _live.Min(r => r.Id));
    }
}
