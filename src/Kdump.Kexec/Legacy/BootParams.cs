using Kdump.Primitives;

namespace Kdump.Kexec.Legacy;

/// <summary>
/// The x86 zero page, <c>struct boot_params</c> (arch/x86/include/uapi/asm/bootparam.h,
/// Documentation/arch/x86/zero-page.rst and boot.rst): the fields a kexec_load loader fills in
/// for a kernel entered at its 64-bit entry point.
/// </summary>
public static class BootParams
{
    public const int Size = 4096;

    /// <summary>Byte offsets in struct boot_params (the setup header's at their boot.rst addresses).</summary>
    public static class FieldLocations
    {
        public const int ScreenInfo = 0x000;        // struct screen_info
        public const int ScreenInfoSize = 0x040;
        public const int AcpiRsdpAddr = 0x070;      // acpi_rsdp_addr (protocol 2.14)
        public const int ExtRamdiskImage = 0x0c0;   // ext_ramdisk_image: bits 32..63 of ramdisk_image
        public const int ExtRamdiskSize = 0x0c4;    // ext_ramdisk_size
        public const int ExtCmdLinePtr = 0x0c8;     // ext_cmd_line_ptr
        public const int E820Entries = 0x1e8;       // e820_entries
        public const int SetupHeader = 0x1f1;       // struct setup_header starts at setup_sects
        public const int Jump = 0x200;              // jump: its second byte ends the header (0x202 + it)
        public const int TypeOfLoader = 0x210;      // type_of_loader
        public const int LoadFlags = 0x211;         // loadflags
        public const int RamdiskImage = 0x218;      // ramdisk_image
        public const int RamdiskSize = 0x21c;       // ramdisk_size
        public const int CmdLinePtr = 0x228;        // cmd_line_ptr
        public const int SetupData = 0x250;         // setup_data (protocol 2.09): the first struct setup_data
        public const int InitrdAddrMax = 0x22c;     // initrd_addr_max
        public const int KernelAlignment = 0x230;   // kernel_alignment
        public const int RelocatableKernel = 0x234; // relocatable_kernel
        public const int XLoadFlags = 0x236;        // xloadflags
        public const int CmdlineSize = 0x238;       // cmdline_size (protocol 2.06)
        public const int HardwareSubarch = 0x23c;   // hardware_subarch
        public const int HardwareSubarchData = 0x240; // hardware_subarch_data (u64)
        public const int PrefAddress = 0x258;       // pref_address (protocol 2.10): LOAD_PHYSICAL_ADDR
        public const int InitSize = 0x260;          // init_size (protocol 2.10)
        public const int E820Table = 0x2d0;         // struct boot_e820_entry e820_table[128]
        public const int E820EntrySize = 20;        // u64 addr, u64 size, u32 type (packed)
        public const int E820MaxEntries = 128;      // E820_MAX_ENTRIES_ZEROPAGE
    }

    /// <summary>type_of_loader: boot.rst's loader ID 0xD ("kexec-tools") in the high nibble.</summary>
    public const byte LoaderTypeKexec = 0xD << 4;

    /// <summary>xloadflags XLF_5LEVEL: the kernel can be entered with 5-level paging on.</summary>
    public const ushort Xlf5Level = 0x20;

    /// <summary>Boot protocol 2.14 added acpi_rsdp_addr.</summary>
    public const ushort ProtocolAcpiRsdp = 0x020e;

    /// <summary>
    /// Copies the setup header of <paramref name="kernel"/> (from setup_sects to 0x202 + the jump's
    /// second byte, as the kernel's own bzImage64 loader does) into a zero page.
    /// </summary>
    public static void CopySetupHeader(ReadOnlySpan<byte> kernel, Span<byte> page)
    {
        var end = FieldLocations.Jump + 2 + kernel[FieldLocations.Jump + 1];
        if (end > kernel.Length || end > page.Length)
            throw new LegacyLoadException($"the setup header ends at 0x{end:x}, past the kernel's first sectors");
        kernel[FieldLocations.SetupHeader..end].CopyTo(page[FieldLocations.SetupHeader..]);
    }

    /// <summary>Writes the first 128 entries of the e820 table; returns those that did not fit.</summary>
    public static IReadOnlyList<E820Entry> WriteE820(Span<byte> page, IReadOnlyList<E820Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var count = Math.Min(entries.Count, FieldLocations.E820MaxEntries);
        var w = new EndianWriter(page, DataLayout.LittleEndian64);
        w.U8(FieldLocations.E820Entries, (byte)count);
        for (var i = 0; i < count; i++) WriteEntry(w, FieldLocations.E820Table + i * FieldLocations.E820EntrySize, entries[i]);
        return entries.Skip(count).ToList();
    }

    /// <summary>
    /// A <c>struct setup_data</c> of type SETUP_E820_EXT holding <paramref name="entries"/>: the
    /// kernel appends them to the zero page's table (parse_setup_data → e820__memory_setup_extended).
    /// </summary>
    public static void WriteE820Extension(Span<byte> node, IReadOnlyList<E820Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var w = new EndianWriter(node, DataLayout.LittleEndian64);
        w.U64(SetupDataNext, 0);
        w.U32(SetupDataType, SetupE820Ext);
        w.U32(SetupDataLength, checked((uint)(entries.Count * FieldLocations.E820EntrySize)));
        for (var i = 0; i < entries.Count; i++) WriteEntry(w, SetupDataHeaderSize + i * FieldLocations.E820EntrySize, entries[i]);
    }

    private static void WriteEntry(EndianWriter w, int at, E820Entry entry)
    {
        w.U64(at, entry.Address);
        w.U64(at + 8, entry.Size);
        w.U32(at + 16, (uint)entry.Type);
    }

    // struct setup_data: u64 next, u32 type, u32 len, u8 data[].
    private const int SetupDataNext = 0;
    private const int SetupDataType = 8;
    private const int SetupDataLength = 12;
    public const int SetupDataHeaderSize = 16;
    private const uint SetupE820Ext = 1;    // SETUP_E820_EXT
}
