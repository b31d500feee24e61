using Kdump.Kernel.Printk;
using Kdump.Kernel.Tests.Synthetic;
using static Kdump.Kernel.Tests.PrintkTestHelpers;

namespace Kdump.Kernel.Tests;

public class VariableLengthLogTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Reads_records_across_the_wrap(bool withCaller, bool oldStructName)
    {
        var k = new SyntheticKernel();
        var w = new PrintkLogWriter(k, 512, withCaller, oldStructName);
        for (var i = 0; i < 40; i++) w.Add($"message number {i}" + new string('.', i % 7), (ulong)i * 1_000_000);
        var log = Read(k);
        Assert.Equal(PrintkLayoutKind.VariableLength, log.Layout);
        Assert.Equal(withCaller, log.HasCallerIds);
        Assert.Equal(w.LiveTexts, Texts(log));
    }

    /// <summary>makedumpfile --partial-dmesg: from clear_idx (what `dmesg -c` left), across the wrap too; the plain read still starts at log_first_idx.</summary>
    [Fact]
    public void Since_clear_starts_at_clear_idx()
    {
        var k = new SyntheticKernel();
        var w = new PrintkLogWriter(k, 512, withCallerId: false);
        for (var i = 0; i < 40; i++) w.Add($"message number {i}", (ulong)i * 1_000_000);
        var live = w.LiveTexts;
        var cleared = live.Count - 3;
        w.SetClearIdx(w.LiveIndexes[cleared]);
        var view = KernelView.Open(k.ToDump(null), TranslationStrategy.PageTables);
        Assert.Equal(live.Skip(cleared), Texts(PrintkLayouts.ReadSinceClear(view.VmcoreInfo, view.Memory)));
        Assert.Equal(live, Texts(Read(k)));
    }

    [Fact]
    public void Wrap_markers_print_a_bare_timestamp_in_vmcore_dmesg_only()
    {
        var k = new SyntheticKernel();
        var w = new PrintkLogWriter(k, 160, withCallerId: true);
        w.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1000);   // 56 bytes at 0
        w.Add("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 2000);   // 56 bytes at 56, next 112
        w.Add("c\nd", 3000);                             // 112 + 32 + 24 > 160: marker at 112, record at 0; a is dropped
        var log = Read(k);
        Assert.Equal("[    0.000002] bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n[    0.000000] \n[    0.000003] c\nd\n", VmcoreDmesg(log));
        Assert.Equal("[    0.000002] [      T1] bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n[    0.000003] [      T1] c\n                          d\n", Makedumpfile(log));
    }

    [Fact]
    public void A_second_wrap_is_reported_as_a_cycle_after_the_good_records()
    {
        var k = new SyntheticKernel();
        var w = new PrintkLogWriter(k, 128, withCallerId: false);
        w.Add("first", 1);
        w.Add("second", 2);
        w.Poke(48, new byte[16]);                  // a zero header after the records: end marker
        w.SetIndexes(first: 0, next: 100);         // next never reached: 0 → 24 → 48 (marker) → 0 → …
        var log = Read(k);
        var seen = new List<string>();
        var ex = Assert.Throws<PrintkCorruptException>(() =>
        {
            foreach (var r in log.Records) seen.Add(r.Kind.ToString());
        });
        Assert.Equal(PrintkCorruptionKind.Cycle, ex.Kind);
        Assert.Equal("Cycle when parsing dmesg detected.", ex.Message);
        Assert.Equal(w.BufferVa, ex.LogBuf);
        Assert.Equal(["Message", "Message", "WrapMarker", "Message", "Message", "WrapMarker"], seen);
    }

    [Fact]
    public void An_index_beyond_the_buffer_is_reported()
    {
        var k = new SyntheticKernel();
        var w = new PrintkLogWriter(k, 128, withCallerId: false);
        w.Add("first", 1);
        w.Poke(8, BitConverter.GetBytes((ushort)120));   // len jumps past the last header slot
        var log = Read(k);
        var ex = Assert.Throws<PrintkCorruptException>(() => log.Records.ToList());
        Assert.Equal(PrintkCorruptionKind.IndexOutOfRange, ex.Kind);
        Assert.Equal(120UL, ex.Index);
        Assert.Equal("Index outside log_buf detected.", ex.Message);
    }
}
