using Kdump.Primitives;

namespace Kdump.Formats.Tests;

public class DataLayoutTests
{
    [Theory]
    [InlineData(false, new byte[] { 0x78, 0x56, 0x34, 0x12 })]
    [InlineData(true, new byte[] { 0x12, 0x34, 0x56, 0x78 })]
    public void U32_honours_byte_order(bool bigEndian, byte[] bytes)
    {
        var r = new EndianReader(bytes, new DataLayout(bigEndian, true));
        Assert.Equal(0x12345678u, r.U32(0));
    }
}
