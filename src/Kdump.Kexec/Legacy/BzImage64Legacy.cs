using System.Text;
using Kdump.Kexec.Images;
using Kdump.Linux;
using Kdump.Primitives;

namespace Kdump.Kexec.Legacy;

/// <summary>
/// Lays out a bzImage for kexec_load (kexec-tools: bzImage64_load and, for a crash kernel,
/// load_crashdump_segments): the kernel's protected-mode code, a zero page with the command line,
/// our purgatory, the initrd and, for a crash kernel, the ELF core headers the capture kernel
/// finds through <c>elfcorehdr=</c>. A pure function of the files and the machine's facts.
/// </summary>
public static class BzImage64Legacy
{
    private const ulong PageSize = 4096;
    private const ulong OneMiB = 1 << 20;
    private const ulong MinInitrdAddress = 16 << 20;

    /// <summary>The 64-bit entry point is 0x200 past the start of the protected-mode code (boot.rst).</summary>
    private const ulong Entry64Offset = 0x200;

    /// <summary>Header fields the layout depends on (boot.rst; each read only from the protocol that defines it).</summary>
    internal readonly record struct Header(int SetupBytes, ushort Protocol, ulong KernelAlignment, ulong InitSize,
        ulong PreferredAddress, int CommandLineMax, ushort XLoadFlags)
    {
        public static Header Read(ReadOnlySpan<byte> kernel, string file)
        {
            if (!BzImage64.TryReadSetupHeaderCore(kernel, out var core) || !core.IsRelocatable64)
                throw new LegacyLoadException($"{file}: not a relocatable 64-bit bzImage");
            var r = new EndianReader(kernel, DataLayout.LittleEndian64);
            var sects = core.SetupSects == 0 ? 4 : core.SetupSects; // boot.rst: 0 means 4
            var setup = (sects + 1) * 512;
            // Protocol 2.12 is the probe's minimum: kernel_alignment (2.05), cmdline_size (2.06),
            // pref_address and init_size (2.10) are all there.
            var align = (ulong)r.U32(BootParams.FieldLocations.KernelAlignment);
            if (align < PageSize || !ulong.IsPow2(align))
                throw new LegacyLoadException(DescribeField(file, "kernel_alignment", align, BootParams.FieldLocations.KernelAlignment, "is not a power of two of at least a page"));
            var initSize = (ulong)r.U32(BootParams.FieldLocations.InitSize);
            if (setup >= kernel.Length)
                throw new LegacyLoadException(DescribeField(file, "setup_sects", (ulong)sects, BootParams.FieldLocations.SetupHeader, $"the setup code would end at 0x{setup:x}, past the file's end"));
            return new Header(setup, core.ProtocolVersion, align, initSize, r.U64(BootParams.FieldLocations.PrefAddress),
                (int)Math.Min(r.U32(BootParams.FieldLocations.CmdlineSize), int.MaxValue), core.XLoadFlags);
        }
    }

    private static string DescribeField(string file, string field, ulong value, int offset, string reason) =>
        Kdump.Primitives.Errors.DumpErrors.Describe(file, field, $"0x{value:x}", offset, reason);

    /// <summary>
    /// Lays out the image; <paramref name="crash"/> places everything in the reserved crash kernel
    /// memory, within <paramref name="bounds"/> (--mem-min, --mem-max, --hotplug's room).
    /// </summary>
    public static LegacyImage Plan(byte[] kernel, string kernelFile, byte[]? initrd, string commandLine, bool crash, LegacyMachine machine,
        LegacyBounds? bounds = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(machine);
        bounds ??= new LegacyBounds();
        var header = Header.Read(kernel, kernelFile);
        // The kernel's own probe refuses a kernel that cannot start under 5-level paging when
        // this one runs with it (our purgatory leaves CR4.LA57 as it finds it).
        if (machine.FiveLevelPaging && (header.XLoadFlags & BootParams.Xlf5Level) == 0)
            throw new LegacyLoadException("bzImage cannot handle 5-level paging mode.");
        var payload = kernel.AsMemory(header.SetupBytes).ToArray();
        var kernelMem = AlignUp(Math.Max(header.InitSize, (ulong)payload.Length), PageSize);

        IomemResource? crashRegion = null;
        IReadOnlyList<E820Entry>? normalMap = null;
        PhysicalHoles holes;
        if (crash)
        {
            // The kernel requires every segment and the entry inside crashk_res
            // (sanity_check_segment_list); with crashkernel=X,high that is the high range, the
            // last in /proc/iomem (kexec-tools: get_crash_kernel_load_range).
            var ranges = machine.CrashKernelRanges;
            crashRegion = (ranges.Count > 0 ? ranges[^1] : null)
                ?? throw new LegacyLoadException("no \"Crash kernel\" range in /proc/iomem");
            holes = new PhysicalHoles([(crashRegion.Start, crashRegion.End + 1)]);
        }
        else
        {
            normalMap = NormalMemoryMap(machine);
            holes = new PhysicalHoles(normalMap.Where(e => e.Type == E820Type.Ram).Select(e => (Math.Max(e.Address, OneMiB), e.End)));
            foreach (var c in machine.CrashKernelRanges) holes.Exclude(c.Start, c.End + 1);
        }
        if (bounds.MemoryMin > 0) holes.Exclude(0, bounds.MemoryMin);
        if (bounds.MemoryMax < ulong.MaxValue) holes.Exclude(bounds.MemoryMax + 1, ulong.MaxValue);
        string Where() => crash ? $"the crash kernel memory (0x{crashRegion!.Start:x}-0x{crashRegion.End:x})" : "RAM";

        // The decompressor runs at the load address only at or above pref_address (LOAD_PHYSICAL_ADDR:
        // below it, head_64.S moves itself there), and needs init_size bytes from there.
        var kernelAt = holes.Allocate(kernelMem, header.KernelAlignment, Math.Max(header.PreferredAddress, OneMiB))
            ?? throw new LegacyLoadException($"no room for the kernel ({kernelMem} bytes aligned to 0x{header.KernelAlignment:x}, from 0x{header.PreferredAddress:x}) in {Where()}");

        // Command line: crash kernels are told where their ELF core headers are, as kexec-tools'
        // cmdline_add_elfcorehdr does (in KiB, at the end).
        // With --hotplug the kernel rewrites the headers in place as CPUs and memory come and go:
        // their segment gets the room it asks for (kexec-tools: crash_elfcorehdr_size).
        if (crash && bounds.ElfHeaderRoom > crashRegion!.Length)
            throw new LegacyLoadException($"/sys/kernel/crash_elfcorehdr_size {bounds.ElfHeaderRoom} is more than the crash kernel memory ({crashRegion.Length} bytes)");
        // The headers do not depend on where they go: built once, here, for their size.
        var elfHeader = crash ? CrashElfHeader.Build(machine) : null;
        var elfHeaderMem = elfHeader is null ? 0 : AlignUp(Math.Max((ulong)elfHeader.Length, bounds.ElfHeaderRoom), PageSize);
        ulong elfAt = 0;
        if (crash)
        {
            elfAt = holes.Allocate(elfHeaderMem, PageSize)
                ?? throw new LegacyLoadException($"no room for the ELF core headers in {Where()}");
            // Not told about EFI, the capture kernel finds ACPI through acpi_rsdp= (as kexec-tools
            // adds it when it passes no EFI runtime map), then elfcorehdr= in KiB.
            if (AcpiRsdp(machine) is { } rsdp and not 0) commandLine = $"{commandLine} acpi_rsdp=0x{rsdp:x}";
            commandLine = $"{commandLine} elfcorehdr={elfAt >> 10}K";
        }
        var cmdline = Encoding.UTF8.GetBytes(commandLine + "\0");
        if (header.CommandLineMax > 0 && cmdline.Length > header.CommandLineMax)
            throw new LegacyLoadException($"Kernel command line too long for kernel! ({cmdline.Length - 1} bytes; {kernelFile} takes {header.CommandLineMax - 1})");

        var map = normalMap ?? CrashMemoryMap(machine, crashRegion!, elfAt, elfHeaderMem);
        // The zero page holds 128 e820 entries; the rest follow the command line as SETUP_E820_EXT
        // setup data, as both upstream loaders pass them.
        var extended = map.Count > BootParams.FieldLocations.E820MaxEntries ? map.Count - BootParams.FieldLocations.E820MaxEntries : 0;
        var setupDataAt = AlignUp((ulong)(BootParams.Size + cmdline.Length), 8);
        var paramsBytes = extended == 0 ? (ulong)(BootParams.Size + cmdline.Length) : setupDataAt + BootParams.SetupDataHeaderSize + (ulong)extended * BootParams.FieldLocations.E820EntrySize;
        var paramsSize = AlignUp(paramsBytes, PageSize);
        // The probe took only kernels with XLF_CAN_BE_LOADED_ABOVE_4G: the zero page, command
        // line and initrd may go anywhere (their high halves in ext_*).
        var paramsAt = holes.Allocate(paramsSize, PageSize)
            ?? throw new LegacyLoadException($"no room for the zero page in {Where()}");
        var purgatoryAt = holes.Allocate(Purgatory.Size, PageSize)
            ?? throw new LegacyLoadException($"no room for the purgatory in {Where()}");
        ulong initrdAt = 0;
        if (initrd is { Length: > 0 })
        {
            // From 16 MiB up, as both upstream loaders (MIN_INITRD_LOAD_ADDR), clear of low memory.
            initrdAt = holes.Allocate(AlignUp((ulong)initrd.Length, PageSize), PageSize, MinInitrdAddress)
                ?? throw new LegacyLoadException($"no room for the initrd ({initrd.Length} bytes, from 0x{MinInitrdAddress:x}) in {Where()}");
        }
        else
        {
            initrd = null; // an empty file: no ramdisk, as no --initrd
        }

        var zero = new byte[paramsBytes];
        BuildZeroPage(zero, kernel, header, machine, paramsAt, cmdline,
            initrd is null ? default : (initrdAt, (ulong)initrd.Length), map, extended == 0 ? 0 : (int)setupDataAt);

        var segments = new List<LegacySegment>
        {
            new("kernel", payload, kernelAt, kernelMem),
            new("zero page and command line", zero, paramsAt, paramsSize),
            new("purgatory", Purgatory.Build(purgatoryAt, paramsAt, kernelAt + Entry64Offset), purgatoryAt, Purgatory.Size),
        };
        if (elfHeader is not null) segments.Add(new("ELF core headers", elfHeader, elfAt, elfHeaderMem));
        if (initrd is not null) segments.Add(new("initrd", initrd, initrdAt, AlignUp((ulong)initrd.Length, PageSize)));
        segments.Sort((a, b) => a.Address.CompareTo(b.Address));
        return new LegacyImage(purgatoryAt + Purgatory.FieldLocations.Entry, segments, commandLine);
    }

    private static void BuildZeroPage(byte[] zero, byte[] kernel, Header header, LegacyMachine machine,
        ulong paramsAt, byte[] cmdline, (ulong At, ulong Size) initrd, IReadOnlyList<E820Entry> map, int setupDataOffset)
    {
        var page = zero.AsSpan(0, BootParams.Size);
        // What the running kernel was booted with that the next one needs too (the kernel's own
        // loader copies the same from its boot_params): the console's screen_info and the subarch.
        if (machine.CurrentBootParams is { } current)
        {
            current.AsSpan(BootParams.FieldLocations.ScreenInfo, BootParams.FieldLocations.ScreenInfoSize).CopyTo(page);
        }
        BootParams.CopySetupHeader(kernel, page);
        var w = new EndianWriter(page, DataLayout.LittleEndian64);
        if (machine.CurrentBootParams is { } booted)
        {
            var r = new EndianReader(booted, DataLayout.LittleEndian64);
            w.U32(BootParams.FieldLocations.HardwareSubarch, r.U32(BootParams.FieldLocations.HardwareSubarch));
            w.U64(BootParams.FieldLocations.HardwareSubarchData, r.U64(BootParams.FieldLocations.HardwareSubarchData));
        }
        w.U8(BootParams.FieldLocations.TypeOfLoader, BootParams.LoaderTypeKexec);
        w.U8(BootParams.FieldLocations.LoadFlags, 0); // as both upstream loaders: no 16-bit heap, no quiet
        var cmdlineAt = paramsAt + BootParams.Size;
        w.U32(BootParams.FieldLocations.CmdLinePtr, (uint)cmdlineAt);
        w.U32(BootParams.FieldLocations.ExtCmdLinePtr, (uint)(cmdlineAt >> 32));
        w.U32(BootParams.FieldLocations.RamdiskImage, (uint)initrd.At);
        w.U32(BootParams.FieldLocations.ExtRamdiskImage, (uint)(initrd.At >> 32));
        w.U32(BootParams.FieldLocations.RamdiskSize, (uint)initrd.Size);
        w.U32(BootParams.FieldLocations.ExtRamdiskSize, (uint)(initrd.Size >> 32));
        // The ACPI root: on an EFI machine the next kernel is not told about EFI, so give it the
        // table's address; a BIOS machine's is found by scanning low memory.
        if (header.Protocol >= BootParams.ProtocolAcpiRsdp) w.U64(BootParams.FieldLocations.AcpiRsdpAddr, AcpiRsdp(machine) ?? 0);
        var rest = BootParams.WriteE820(page, map);
        cmdline.CopyTo(zero.AsSpan(BootParams.Size));
        // setup_data: ours or none (a value the file carried would send the kernel down a junk list).
        w.U64(BootParams.FieldLocations.SetupData, rest.Count > 0 ? paramsAt + (ulong)setupDataOffset : 0);
        if (rest.Count > 0) BootParams.WriteE820Extension(zero.AsSpan(setupDataOffset), rest);
    }

    /// <summary>kexec-tools get_acpi_rsdp: the running kernel's boot_params, else the EFI system table's.</summary>
    private static ulong? AcpiRsdp(LegacyMachine machine)
    {
        var booted = machine.CurrentBootParams is { } b ? new EndianReader(b, DataLayout.LittleEndian64).U64(BootParams.FieldLocations.AcpiRsdpAddr) : 0;
        return booted != 0 ? booted : machine.EfiAcpiRsdp;
    }

    /// <summary>
    /// A normal kernel gets the firmware's memory map as it was at boot (kexec-tools:
    /// /sys/firmware/memmap), else /proc/iomem's top level; its RAM is where the kernel may go.
    /// </summary>
    internal static IReadOnlyList<E820Entry> NormalMemoryMap(LegacyMachine machine)
    {
        if (machine.FirmwareMemmap is { Count: > 0 } firmware) return firmware;
        var map = new List<E820Entry>();
        foreach (var r in machine.Iomem)
        {
            if (r.Depth == 0 && E820Names.TryParse(r.Name, out var type)) map.Add(new E820Entry(r.Start, r.Length, type));
        }
        return map;
    }

    /// <summary>
    /// The capture kernel's memory map, as the kernel's own crash loader builds it
    /// (arch/x86/kernel/crash.c, crash_setup_memmap_entries): RAM below 1 MiB, the ACPI tables,
    /// ACPI NVS, reserved and persistent-memory ranges, and the crash kernel memory as RAM except
    /// the ELF core headers (the capture kernel must not put itself there).
    /// </summary>
    internal static IReadOnlyList<E820Entry> CrashMemoryMap(LegacyMachine machine, IomemResource region, ulong elfAt, ulong elfSize)
    {
        var map = new List<E820Entry>();
        foreach (var (start, end) in machine.SystemRam)
        {
            if (start < OneMiB) map.Add(new E820Entry(start, Math.Min(end, OneMiB) - start, E820Type.Ram));
        }
        // The others are found at every level, as the kernel's walk_iomem_res_desc does (a
        // Reserved range under "PCI MMCONFIG", for one).
        foreach (var r in machine.Iomem)
        {
            if (!E820Names.TryParse(r.Name, out var type)) continue;
            switch (type)
            {
                // Persistent memory too, as kexec-tools passes it (the kernel's own loader does
                // not): the capture kernel then sees the pmem device, never as RAM.
                case E820Type.Acpi or E820Type.Nvs or E820Type.Reserved or E820Type.Pmem or E820Type.Pram:
                    map.Add(new E820Entry(r.Start, r.Length, type));
                    break;
            }
        }
        foreach (var c in machine.CrashKernelRanges)
        {
            var start = c.Start;
            var end = c.End + 1;
            if (c == region && elfSize > 0)
            {
                if (elfAt > start) map.Add(new E820Entry(start, elfAt - start, E820Type.Ram));
                start = elfAt + elfSize;
            }
            if (end > start) map.Add(new E820Entry(start, end - start, E820Type.Ram));
        }
        map.Sort((a, b) => a.Address.CompareTo(b.Address));
        return map;
    }

    internal static ulong AlignUp(ulong value, ulong align) => checked(value + align - 1) & ~(align - 1);
}
