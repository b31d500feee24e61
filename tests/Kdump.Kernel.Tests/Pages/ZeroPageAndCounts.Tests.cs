using Kdump.Kernel.Pages;

namespace Kdump.Kernel.Tests.Pages;

public sealed class ZeroPageAndCountsTests
{
    [Fact]
    public void Zero_page_is_all_zero_bytes()
    {
        var page = new byte[4096];
        Assert.True(ZeroPage.IsZeroPage(page));
        page[4095] = 1;
        Assert.False(ZeroPage.IsZeroPage(page));
        page[4095] = 0;
        page[0] = 0x80;
        Assert.False(ZeroPage.IsZeroPage(page));
    }

    /// <summary>One non-zero bit anywhere in the page, in every lane of the 128-byte blocks the test ORs together.</summary>
    [Theory]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(4000)] // not whole blocks: the library scan
    [InlineData(0)]
    public void Every_byte_position_counts(int size)
    {
        var page = new byte[size];
        Assert.True(ZeroPage.IsZeroPage(page));
        for (var i = 0; i < size; i++)
        {
            page[i] = (byte)(1 << (i % 8));
            Assert.False(ZeroPage.IsZeroPage(page), $"byte {i} of {size}");
            page[i] = 0;
        }
        Assert.True(ZeroPage.IsZeroPage(page));
    }

    [Fact]
    public void Memory_hole_counts_overlapping_loads_twice_like_upstream()
    {
        // /proc/vmcore of bookworm: kernel text inside the direct map, crashkernel carved out.
        var pfns = DumpPfnMap.FromLoads(
        [
            new PhysicalLoad(0x1000000, 0x3430000, 0x3430000),
            new PhysicalLoad(0x100000, 0x2ef00000, 0x2ef00000),
            new PhysicalLoad(0x3f000000, 0xfd9000, 0xfd9000),
        ], 4096);
        Assert.Equal(0x3ffd9UL, pfns.MaxMapNr);
        Assert.Equal(0xccd0UL, pfns.MemoryHolePages);
        Assert.Equal(0x33309UL, pfns.OriginalPages);
        Assert.True(pfns.IsInMemory(0x100));
        Assert.False(pfns.IsInMemory(0xff));
        Assert.False(pfns.IsInMemory(0x2f000));
    }

    [Fact]
    public void Report_has_makedumpfile_1_7_8_wording()
    {
        var pfns = DumpPfnMap.FromLoads([new PhysicalLoad(0, 1 << 20, 1 << 20)], 4096);
        var counts = new ExcludedPageCounts();
        counts.Add([PageCategory.Free, PageCategory.Free, PageCategory.Dumpable, PageCategory.User, PageCategory.NonPrivateCache]);
        counts.AddZero(3);
        Assert.Equal(
            "\nOriginal pages  : 0x0000000000000100\n"
            + "  Excluded pages   : 0x0000000000000007\n"
            + "    Pages filled with zero  : 0x0000000000000003\n"
            + "    Non-private cache pages : 0x0000000000000001\n"
            + "    Private cache pages     : 0x0000000000000000\n"
            + "    User process data pages : 0x0000000000000001\n"
            + "    Free pages              : 0x0000000000000002\n"
            + "    Hwpoison pages          : 0x0000000000000000\n"
            + "    Offline pages           : 0x0000000000000000\n"
            + "  Remaining pages  : 0x00000000000000f9\n"
            + "  (The number of pages is reduced to 97%.)\n"
            + "Memory Hole     : 0x0000000000000000\n"
            + "--------------------------------------------------\n"
            + "Total pages     : 0x0000000000000100\n"
            + "Write bytes     : 1234\n",
            counts.FormatReport(pfns, 1234));
    }
}
