using Kdump.Linux;

namespace Kdump.Kexec.Tests;

/// <summary>/proc/meminfo's available memory (MemInfo), on this machine's file and on hand-written lines.</summary>
public sealed class MemInfoTests
{
    [Fact]
    public void MemAvailable_wins_over_MemFree_in_kibibytes()
    {
        const string text = "MemTotal:       24684092 kB\nMemFree:          500000 kB\nMemAvailable:   20000000 kB\nBuffers:  1 kB\n";
        Assert.Equal(20000000L * 1024, MemInfo.ParseAvailable(text));
    }

    [Fact]
    public void Kernels_before_3_14_have_only_MemFree()
    {
        Assert.Equal(123L * 1024, MemInfo.ParseAvailable("MemTotal: 1000 kB\nMemFree: 123 kB\n"));
    }

    [Fact]
    public void MemFree_is_read_alone_for_makedumpfiles_cyclic_buffer()
    {
        const string text = "MemTotal:       24684092 kB\nMemFree:          500000 kB\nMemAvailable:   20000000 kB\n";
        Assert.Equal(500000L * 1024, MemInfo.ParseFree(text));
        Assert.Null(MemInfo.ParseFree("MemAvailable: 12 kB\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MemAvailable: lots kB\n")]
    [InlineData("MemAvailable: 12 MB\n")]
    [InlineData("MemAvailable: -5 kB\n")]
    [InlineData("MemAvailable: 99999999999999999999 kB\n")]
    [InlineData("MemAvailable: 9007199254740993 kB\n")]
    public void Lines_that_do_not_parse_give_nothing(string text) => Assert.Null(MemInfo.ParseAvailable(text));

    [Fact]
    public void This_machine_has_some()
    {
        var available = MemInfo.ReadAvailable();
        Assert.NotNull(available);
        Assert.InRange(available.Value, 1L << 20, 1L << 50);
    }
}
