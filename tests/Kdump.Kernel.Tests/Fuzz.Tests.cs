using System.Diagnostics;
using System.Text;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Kernel.Tests.Synthetic;
using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Tests;

/// <summary>
/// Time-boxed mutation fuzzing seeded from generated kernels: whatever the damage, reading and
/// formatting either succeed or fail with a KdumpException, quickly and without huge allocations.
/// </summary>
public class FuzzTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(3);

    [Fact]
    public void VmcoreInfo_parser_survives_random_bytes()
    {
        var rng = new Random(1);
        var seed = Encoding.ASCII.GetBytes(new SyntheticKernel().VmcoreInfo);
        var sw = Stopwatch.StartNew();
        var runs = 0;
        while (sw.Elapsed < s_budget)
        {
            var bytes = Mutate(seed, rng);
            var info = VmcoreInfo.Parse(bytes);
            _ = info.TryGetSymbol("init_top_pgt", out _);
            _ = info.TryGetNumber("phys_base", out _);
            runs++;
        }
        Assert.True(runs > 100);
    }

    [Theory]
    [InlineData("lockless")]
    [InlineData("printk_log")]
    [InlineData("legacy")]
    public void Printk_walkers_survive_damaged_memory_and_vmcoreinfo(string layout)
    {
        var rng = new Random(layout.Length);
        var sw = Stopwatch.StartNew();
        var runs = 0;
        while (sw.Elapsed < s_budget)
        {
            var k = new SyntheticKernel();
            ulong hot;
            switch (layout)
            {
                case "lockless":
                    var ring = new LocklessRingWriter(k, 3, 9);
                    for (var i = 0; i < 20; i++) ring.Add($"msg {i}", (ulong)i);
                    hot = rng.Next(2) == 0 ? ring.DescriptorsVa : ring.RingVa;
                    break;
                case "printk_log":
                    var w = new PrintkLogWriter(k, 256, rng.Next(2) == 0);
                    for (var i = 0; i < 20; i++) w.Add($"msg {i}", (ulong)i);
                    hot = w.BufferVa;
                    break;
                default:
                    var l = new LegacyLogWriter(k, 64);
                    l.Write("<6>legacy text\n");
                    hot = SyntheticKernel.StartKernelMap + 0x2400000;
                    break;
            }
            for (var i = rng.Next(1, 6); i > 0; i--)
                k.WriteVirtual(hot + (ulong)rng.Next(0, 192), [(byte)rng.Next(256)]);
            var info = rng.Next(3) == 0 ? Encoding.ASCII.GetString(Mutate(Encoding.ASCII.GetBytes(k.VmcoreInfo), rng)) : k.VmcoreInfo;
            try
            {
                var view = KernelView.Open(k.ToDump(vmcoreInfo: info), TranslationStrategy.PageTables);
                var log = PrintkLayouts.Read(view.VmcoreInfo, view.Memory, new Primitives.ParseLimits { MaxLogBufferBytes = 1 << 22 });
                VmcoreDmesgFormat.Write(log, Stream.Null);
                MakedumpfileDmesgFormat.Write(log, Stream.Null);
            }
            catch (KdumpException)
            {
            }
            runs++;
        }
        Assert.True(runs > 10);
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var bytes = (byte[])seed.Clone();
        var n = rng.Next(1, 8);
        for (var i = 0; i < n; i++)
        {
            var at = rng.Next(bytes.Length);
            bytes[at] = rng.Next(4) switch
            {
                0 => (byte)rng.Next(256),
                1 => (byte)'\n',
                2 => (byte)('0' + rng.Next(10)),
                _ => (byte)'f',
            };
        }
        return rng.Next(5) == 0 ? bytes[..rng.Next(bytes.Length)] : bytes;
    }
}
