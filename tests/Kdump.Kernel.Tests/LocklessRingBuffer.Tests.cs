using Kdump.Kernel.Printk;
using Kdump.Kernel.Tests.Synthetic;
using static Kdump.Kernel.Tests.PrintkTestHelpers;

namespace Kdump.Kernel.Tests;

public class LocklessRingBufferTests
{
    [Theory]
    [InlineData(TranslationStrategy.PageTables)]
    [InlineData(TranslationStrategy.Segments)]
    public void Formats_records_like_both_upstream_tools(TranslationStrategy strategy)
    {
        var k = new SyntheticKernel();
        var ring = new LocklessRingWriter(k, countBits: 4, sizeBits: 12);
        ring.Add("Linux version 6.1.0", 0, callerId: 0);
        ring.Add("two\nlines", 1_234_567_891, callerId: 0x80000001);
        ring.Add([], 2_000_000_000, callerId: 7);                          // data-less
        ring.Add([(byte)'c', (byte)'a', (byte)'f', 0xc3, 0xa9, 0x01, (byte)'\t', (byte)'!'], 12_345_678_901_234, callerId: 4242);

        var log = Read(k, strategy);
        Assert.Equal(PrintkLayoutKind.LocklessRing, log.Layout);
        Assert.True(log.HasCallerIds);
        Assert.Equal(
            "[    0.000000] Linux version 6.1.0\n" +
            "[    1.234567] two\nlines\n" +
            "[    2.000000] \n" +
            "[12345.678901] caf\\xc3\\xa9\\x01\t!\n",
            VmcoreDmesg(log));
        Assert.Equal(
            "[    0.000000] [      T0] Linux version 6.1.0\n" +
            "[    1.234567] [      C1] two\n" +
            "                          lines\n" +
            "[12345.678901] [   T4242] caf\\xc3\\xa9\\x01\t!\n",
            Makedumpfile(log));
    }

    [Fact]
    public void Without_a_caller_id_export_makedumpfile_prints_no_caller_column()
    {
        var k = new SyntheticKernel();
        var ring = new LocklessRingWriter(k, 4, 12, exportCallerId: false);
        ring.Add("a\nb", 5_000);
        var log = Read(k);
        Assert.False(log.HasCallerIds);
        Assert.Equal("[    0.000005] a\n               b\n", Makedumpfile(log));
    }

    [Theory]
    [InlineData(4, 10, 200)]    // the text ring wraps many times
    [InlineData(3, 16, 50)]     // the descriptor ring wraps, the text ring does not
    public void Walks_tail_to_head_after_both_rings_wrap(int countBits, int sizeBits, int records)
    {
        var k = new SyntheticKernel();
        var ring = new LocklessRingWriter(k, countBits, sizeBits, firstId: 0x3fffffffffffffc0);
        var expected = new Dictionary<ulong, string>();
        var rng = new Random(7);
        for (var i = 0; i < records; i++)
        {
            var text = $"record {i} " + new string('x', rng.Next(0, 40));
            expected[ring.Add(text, (ulong)i * 1000)] = text;
        }
        var live = ring.LiveIds;
        Assert.NotEmpty(live);
        Assert.Equal(live.Select(id => expected[id]), Texts(Read(k)));
    }

    [Fact]
    public void Truncated_and_uncommitted_records()
    {
        var k = new SyntheticKernel();
        var ring = new LocklessRingWriter(k, 4, 12);
        ring.Add("short", 0, claimedTextLen: 200);      // text_len larger than the block: cut to the block
        var reserved = ring.Add("being written", 1);
        ring.Add("after", 2);
        ring.SetState(reserved % 16, reserved, 0);        // desc_reserved: skipped by every tool
        var log = Read(k);
        var texts = Texts(log);
        Assert.Equal("short", texts[0][..5]);
        Assert.True(texts[0].Length <= 8 - 5 + 5 + 3, "cut at the block end (padding only)");
        Assert.Equal("after", texts[1]);
        Assert.Equal(2, texts.Count);
    }

    /// <summary>
    /// A struct size smaller than the field read from it is a clear error naming the field, not a read
    /// past the struct (every other offset is moved to 0 so only the width check can catch it).
    /// </summary>
    [Theory]
    [InlineData("SIZE(prb_desc)=24>SIZE(prb_desc)=4|OFFSET(prb_desc.text_blk_lpos)=8>OFFSET(prb_desc.text_blk_lpos)=0|OFFSET(prb_data_blk_lpos.next)=8>OFFSET(prb_data_blk_lpos.next)=0", "OFFSET(prb_desc.state_var)")]
    [InlineData("SIZE(printk_info)=88>SIZE(printk_info)=4|OFFSET(printk_info.ts_nsec)=8>OFFSET(printk_info.ts_nsec)=0|OFFSET(printk_info.text_len)=16>OFFSET(printk_info.text_len)=0|OFFSET(printk_info.caller_id)=20>OFFSET(printk_info.caller_id)=0", "OFFSET(printk_info.seq)")]
    public void Structs_too_small_for_their_fields_are_refused(string edits, string field)
    {
        var k = new SyntheticKernel();
        new LocklessRingWriter(k, 4, 12).Add("one", 0);
        var text = k.VmcoreInfo;
        foreach (var edit in edits.Split('|'))
        {
            var (from, to) = (edit.Split('>')[0], edit.Split('>')[1]);
            Assert.Contains(from, text, StringComparison.Ordinal);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        var view = KernelView.Open(k.ToDump(vmcoreInfo: text), TranslationStrategy.PageTables);
        var e = Assert.Throws<Kdump.Primitives.Errors.DumpCorruptException>(() => Texts(PrintkLayouts.Read(view.VmcoreInfo, view.Memory)));
        Assert.Contains("VMCOREINFO " + field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_head_and_tail_ids_stay_bounded()
    {
        var k = new SyntheticKernel();
        var ring = new LocklessRingWriter(k, 4, 12);
        ring.Add("one", 0);
        ring.SetHeadTail(head: 0x3fffffffffffff00, tail: 5);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        _ = Texts(Read(k));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }
}
