using Kdump.Kernel.Printk;
using Kdump.Kernel.Tests.Synthetic;
using static Kdump.Kernel.Tests.PrintkTestHelpers;

namespace Kdump.Kernel.Tests;

public class LegacyLogBufferTests
{
    [Fact]
    public void Before_the_buffer_fills_the_log_is_its_prefix()
    {
        var k = new SyntheticKernel();
        var w = new LegacyLogWriter(k, 64);
        w.Write("<6>hello\n<4>world\n");
        var log = Read(k);
        Assert.Equal(PrintkLayoutKind.Legacy, log.Layout);
        Assert.Equal("<6>hello\n<4>world\n", VmcoreDmesg(log));
        Assert.Equal(VmcoreDmesg(log), Makedumpfile(log));
    }

    [Fact]
    public void After_wrapping_the_log_is_the_last_buffer_length_bytes_oldest_first()
    {
        var k = new SyntheticKernel();
        var w = new LegacyLogWriter(k, 32);
        for (var i = 0; i < 10; i++) w.Write($"<6>line {i}\n");
        var all = w.All.ToString();
        Assert.Equal(all[^32..], VmcoreDmesg(Read(k)));
    }
}
