using System.Text;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Tests;

public class VmcoreInfoParseTests
{
    private static VmcoreInfo Parse(string text) => VmcoreInfo.Parse(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Reads_each_key_family_in_its_base()
    {
        var info = Parse("OSRELEASE=6.1.0-28-amd64\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82a12340\n"
            + "SIZE(printk_info)=88\nOFFSET(printk_info.caller_id)=20\nLENGTH(mem_section)=2048\n"
            + "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\nNUMBER(VMALLOC_START)=0xffffc90000000000\n"
            + "KERNELOFFSET=1a000000\nCRASHTIME=1732612345\nCONFIG_SOMETHING=y\n");
        Assert.Equal("6.1.0-28-amd64", info.OsRelease);
        Assert.Equal(4096, info.PageSize);
        Assert.True(info.TryGetSymbol("init_uts_ns", out var uts));
        Assert.Equal(0xffffffff82a12340, uts.Value);
        Assert.True(info.TryGetSize("printk_info", out var size) && size == 88);
        Assert.True(info.TryGetOffset("printk_info.caller_id", out var off) && off == 20);
        Assert.True(info.TryGetLength("mem_section", out var len) && len == 2048);
        Assert.True(info.TryGetNumber("PAGE_BUDDY_MAPCOUNT_VALUE", out var n) && n == -129);
        Assert.True(info.TryGetNumber("VMALLOC_START", out var vs) && unchecked((ulong)vs) == 0xffffc90000000000);
        Assert.Equal(0x1a000000UL, info.KernelOffset);
        Assert.Equal(1732612345, info.CrashTime);
        Assert.Equal("y", info.GetRaw("CONFIG_SOMETHING"));
        Assert.Empty(info.Diagnostics);
    }

    [Fact]
    public void First_occurrence_wins_and_duplicates_are_reported()
    {
        var info = Parse("SYMBOL(prb)=1000\nSYMBOL(prb)=2000\n");
        Assert.True(info.TryGetSymbol("prb", out var prb) && prb.Value == 0x1000);
        var d = Assert.Single(info.Diagnostics);
        Assert.Equal(2, d.Line);
    }

    [Fact]
    public void Last_line_without_newline_and_nul_padding_are_accepted()
    {
        var bytes = Encoding.ASCII.GetBytes("PAGESIZE=4096\nCRASHTIME=42\0\0\0GARBAGE");
        var info = VmcoreInfo.Parse(bytes);
        Assert.Equal(42, info.CrashTime);
        Assert.False(info.ContainsKey("GARBAGE"));
    }

    /// <summary>
    /// A damaged byte that reads NUL inside a line ends that line only, as makedumpfile's fgets
    /// and strlen read it; it used to end the text, losing every key after it (found by flipping
    /// note bytes of the bookworm vmcore: 1.7.8 dumped, we failed for want of the page-table
    /// root). A line that starts with NUL ends the text, as upstream's `if (!i) break`.
    /// </summary>
    [Fact]
    public void A_nul_inside_the_text_loses_its_own_line_only()
    {
        var bytes = Encoding.ASCII.GetBytes("PAGESIZE=4096\nSYMBOL(a)=ff\0ff\nSYMBOL(init_top_pgt)=ffffffff82a10000\nCRASHTIME=42\n\0\0\0");
        var info = VmcoreInfo.Parse(bytes);
        Assert.True(info.TryGetSymbol("a", out var a));
        Assert.Equal(0xffUL, a.Value);
        Assert.True(info.TryGetSymbol("init_top_pgt", out var root));
        Assert.Equal(0xffffffff82a10000UL, root.Value);
        Assert.Equal(42, info.CrashTime);
        Assert.Empty(info.Diagnostics);

        var cut = VmcoreInfo.Parse(Encoding.ASCII.GetBytes("PAGESIZE=4096\n\0SYMBOL(a)=ff\nCRASHTIME=42\n"));
        Assert.Equal(4096, cut.PageSize);
        Assert.False(cut.TryGetSymbol("a", out _));
        Assert.Null(cut.CrashTime);
    }

    [Fact]
    public void Malformed_lines_are_reported_with_their_line_numbers()
    {
        var info = Parse("PAGESIZE=4096\nno equals sign\n=value\nSYMBOL(x)=zz\nSIZE(y)=-1\n");
        Assert.Equal([2, 3, 4, 5], info.Diagnostics.Select(d => d.Line));
        Assert.False(info.TryGetSymbol("x", out _));
        Assert.False(info.TryGetSize("y", out _));
        Assert.Contains("line 2", info.Diagnostics[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_text_is_rejected_before_parsing()
    {
        var limits = new ParseLimits { MaxVmcoreInfoBytes = 16 };
        var ex = Assert.Throws<DumpCorruptException>(() => VmcoreInfo.Parse(new byte[17], limits, "vmcore"));
        Assert.Contains("exceeds the maximum of 16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_bytes_never_throw()
    {
        var info = VmcoreInfo.Parse([0xff, 0xfe, (byte)'=', 0x80, (byte)'\n', (byte)'A', (byte)'=', (byte)'1']);
        Assert.Equal("1", info.GetRaw("A"));
    }
}
