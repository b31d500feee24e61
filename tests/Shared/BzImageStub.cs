using System.Buffers.Binary;

namespace Kdump.Tests.Shared;

/// <summary>
/// The smallest file kexec's bzImage64 probe accepts: a boot sector and setup header (boot protocol
/// <c>protocol</c>, loadflags LOADED_HIGH, xloadflags as given), shared by the kexec and kdumpctl tests.
/// </summary>
internal static class BzImageStub
{
    public static byte[] Bytes(ushort protocol = 0x020f, byte loadFlags = 0x01, ushort xloadFlags = 0x0003, int length = 2048)
    {
        var b = new byte[length];
        if (length < 0x240) return b;
        b[0x1f1] = 3;                                                          // setup_sects
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x1fe), 0xAA55);      // boot_flag
        "HdrS"u8.CopyTo(b.AsSpan(0x202));                                       // header
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x206), protocol);    // version
        b[0x211] = loadFlags;                                                   // loadflags
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x236), xloadFlags);  // xloadflags
        return b;
    }
}
