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

    /// <summary>
    /// A stub with the fields a kexec_load loader lays the kernel out by (boot.rst): the header
    /// running to 0x26c (protocol 2.15's end), kernel_alignment 2 MiB, pref_address 16 MiB,
    /// init_size 8 MiB, cmdline_size 2048, initrd_addr_max 0x7fffffff; the body after 4 setup sectors.
    /// </summary>
    public static byte[] Loadable(int length = 16384, uint initSize = 0x800000, int cmdlineSize = 2048)
    {
        var b = Bytes(length: length);
        b[0x201] = 0x6a;                                                         // jump: header ends at 0x202 + 0x6a
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x22c), 0x7fffffff);   // initrd_addr_max
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x230), 0x200000);     // kernel_alignment
        b[0x234] = 1;                                                            // relocatable_kernel
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x238), (uint)cmdlineSize); // cmdline_size
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0x258), 0x1000000);    // pref_address
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x260), initSize);     // init_size
        for (var i = 4 * 512; i < length; i++) b[i] = unchecked((byte)i);                  // the "protected-mode code"
        return b;
    }
}
