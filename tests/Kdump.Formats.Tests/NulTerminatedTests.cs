using Kdump.Primitives;

namespace Kdump.Formats.Tests;

public class NulTerminatedTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0, (byte)'c' }, "ab")]
    [InlineData(new byte[] { 0, (byte)'a' }, "")]
    [InlineData(new byte[] { (byte)'a', (byte)'b', (byte)'c' }, "abc")] // a full char[3]: no NUL
    [InlineData(new byte[0], "")]
    public void Stops_at_the_first_nul_or_takes_the_whole_field(byte[] field, string expected)
    {
        Assert.Equal(expected, NulTerminated.Latin1(field));
        Assert.Equal(expected.Length, NulTerminated.Bytes(field).Length);
    }

    [Fact]
    public void The_encoding_is_the_callers()
    {
        byte[] field = [0x63, 0x61, 0x66, 0xC3, 0xA9, 0];
        Assert.Equal("caf\u00C3\u00A9", NulTerminated.Latin1(field)); // byte for byte
        Assert.Equal("caf\u00E9", NulTerminated.Utf8(field));
        Assert.Equal("caf??", NulTerminated.Ascii(field));
    }
}
