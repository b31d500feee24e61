using Kdump.Primitives;

namespace Kdump.Kexec.Images;

/// <summary>
/// A relocatable 64-bit x86 bzImage (Documentation/arch/x86/boot.rst, "The real-mode kernel
/// header"): boot protocol 2.12 or later with XLF_KERNEL_64 and XLF_CAN_BE_LOADED_ABOVE_4G, the
/// only format the x86_64 kernel's kexec_file_load accepts (kexec-tools: bzImage64_probe).
/// </summary>
public sealed class BzImage64 : IKernelImageType
{
    public static BzImage64 Instance { get; } = new();

    /// <summary>Offsets in the setup header, which always starts in the first 1 KiB and is little-endian.</summary>
    internal static class FieldLocations
    {
        public const int SetupSects = 0x1f1;       // setup_sects
        public const int BootFlag = 0x1fe;         // boot_flag (0xAA55)
        public const int Header = 0x202;           // header ("HdrS")
        public const int Version = 0x206;          // version (protocol, e.g. 0x020f)
        public const int LoadFlags = 0x211;        // loadflags
        public const int XLoadFlags = 0x236;       // xloadflags (protocol 2.12 and later)
    }

    private const ushort BootFlagMagic = 0xAA55;
    private const uint HeaderMagic = 0x53726448;   // "HdrS" read little-endian
    private const ushort MinimumProtocol = 0x020c;
    private const byte LOADED_HIGH = 0x01;         // loadflags: protected-mode code at 0x100000 (a bzImage)
    private const ushort XLF_KERNEL_64 = 0x01;
    private const ushort XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;

    /// <summary>kexec-tools insists on two 512-byte sectors before reading the header.</summary>
    private const int MinimumLength = 2 * 512;

    public string Name => "bzImage64";

    public int ProbeLength => MinimumLength;

    public string Usage =>
        "    --entry-32bit         Use the kernels 32bit entry point.\n" +
        "    --real-mode           Use the kernels real mode entry point.\n" +
        "    --command-line=STRING Set the kernel command line to STRING.\n" +
        "    --append=STRING       Set the kernel command line to STRING.\n" +
        "    --reuse-cmdline       Use kernel command line from running system.\n" +
        "    --initrd=FILE         Use FILE as the kernel's initial ramdisk.\n" +
        "    --ramdisk=FILE        Use FILE as the kernel's initial ramdisk.\n";

    public bool Probe(ReadOnlySpan<byte> head, long fileLength) =>
        fileLength >= MinimumLength && head.Length >= MinimumLength && TryReadSetupHeaderCore(head, out var h) && h.IsRelocatable64;

    /// <summary>The fields the probe decides on, from the first 1 KiB of the file.</summary>
    public static bool TryReadSetupHeaderCore(ReadOnlySpan<byte> head, out BzImageSetupHeader header)
    {
        header = default;
        if (head.Length < FieldLocations.XLoadFlags + 2) return false;
        var r = new EndianReader(head, DataLayout.LittleEndian64);
        if (r.U16(FieldLocations.BootFlag) != BootFlagMagic || r.U32(FieldLocations.Header) != HeaderMagic) return false;
        var version = r.U16(FieldLocations.Version);
        header = new BzImageSetupHeader(
            SetupSects: r.U8(FieldLocations.SetupSects),
            ProtocolVersion: version,
            LoadFlags: r.U8(FieldLocations.LoadFlags),
            // xloadflags exists from protocol 2.12; older headers have other data there.
            XLoadFlags: version >= MinimumProtocol ? r.U16(FieldLocations.XLoadFlags) : (ushort)0);
        return true;
    }

    /// <summary>The x86 setup header fields used to recognise a bzImage64.</summary>
    public readonly record struct BzImageSetupHeader(byte SetupSects, ushort ProtocolVersion, byte LoadFlags, ushort XLoadFlags)
    {
        public bool IsRelocatable64 =>
            ProtocolVersion >= MinimumProtocol
            && (LoadFlags & LOADED_HIGH) != 0
            && (XLoadFlags & (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G)) == (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
    }
}
