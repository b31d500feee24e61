using System.Globalization;
using Kdump.Formats.Elf;
using Kdump.Linux;
using Kdump.Primitives;

namespace Kdump.Kexec.Legacy;

/// <summary>A note the running kernel keeps for the capture kernel: its physical address and size.</summary>
public readonly record struct NoteArea(ulong Address, ulong Size);

/// <summary>Where the running kernel's image is: _text's virtual and physical address, its size, and the direct map's base.</summary>
public readonly record struct KernelMap(ulong TextVirtual, ulong TextPhysical, ulong TextSize, ulong PageOffset);

/// <summary>
/// What the kexec_load path needs to know about the running machine, read from the files
/// kexec-tools reads: /proc/iomem, /sys/firmware/memmap, /sys/kernel/boot_params/data, the EFI
/// system table, and for a crash kernel the per-CPU crash_notes, /sys/kernel/vmcoreinfo and
/// /proc/kcore's program headers.
/// </summary>
public sealed record LegacyMachine
{
    public const string IomemPath = "/proc/iomem";
    public const string FirmwareMemmapPath = "/sys/firmware/memmap";
    public const string BootParamsPath = "/sys/kernel/boot_params/data";
    public const string EfiSystabPath = "/sys/firmware/efi/systab";
    public const string CpuPath = "/sys/devices/system/cpu";
    public const string VmcoreinfoPath = "/sys/kernel/vmcoreinfo";
    public const string KcorePath = "/proc/kcore";
    public const string CpuinfoPath = "/proc/cpuinfo";

    public required IReadOnlyList<IomemResource> Iomem { get; init; }

    /// <summary>The firmware's memory map as booted (/sys/firmware/memmap), or null without CONFIG_FIRMWARE_MEMMAP.</summary>
    public IReadOnlyList<E820Entry>? FirmwareMemmap { get; init; }

    /// <summary>The zero page this kernel was booted with, or null when unreadable.</summary>
    public byte[]? CurrentBootParams { get; init; }

    /// <summary>ACPI20= (else ACPI=) of the EFI system table, or null on a BIOS machine.</summary>
    public ulong? EfiAcpiRsdp { get; init; }

    public IReadOnlyList<NoteArea> CpuCrashNotes { get; init; } = [];

    public NoteArea? Vmcoreinfo { get; init; }

    public KernelMap? Kernel { get; init; }

    /// <summary>
    /// The running kernel uses 5-level page tables: /proc/cpuinfo lists <c>la57</c> only then (the
    /// kernel clears the feature when it stays at four levels).
    /// </summary>
    public bool FiveLevelPaging { get; init; }

    /// <summary>The "Crash kernel" ranges of /proc/iomem, inclusive ends.</summary>
    public IReadOnlyList<IomemResource> CrashKernelRanges =>
        Iomem.Where(r => r.Name == IomemLines.CrashKernel).ToList();

    /// <summary>
    /// RAM as the kernel walks it (walk_system_ram_res): every resource whose name starts with
    /// "System RAM" (kexec-tools looks for the words anywhere), so the hot-plugged "System RAM
    /// (kmem)" / "(virtio_mem)" under their devices too, at any level; a range inside one already
    /// taken is not counted twice. Half-open.
    /// </summary>
    public IReadOnlyList<(ulong Start, ulong End)> SystemRam
    {
        get
        {
            var ram = new List<(ulong Start, ulong End)>();
            foreach (var r in Iomem)
            {
                if (!r.Name.StartsWith("System RAM", StringComparison.Ordinal)) continue;
                if (ram.Exists(t => r.Start >= t.Start && r.End < t.End)) continue;
                ram.Add((r.Start, r.End + 1));
            }
            ram.Sort((a, b) => a.Start.CompareTo(b.Start));
            return ram;
        }
    }

    /// <summary>Reads the machine under <paramref name="root"/>; the crash-only files only when <paramref name="crash"/>.</summary>
    public static LegacyMachine Read(SystemRoot root, bool crash)
    {
        ArgumentNullException.ThrowIfNull(root);
        var iomem = root.TryReadText(IomemPath) ?? throw new LegacyLoadException($"cannot read {IomemPath}");
        var resources = IomemLines.ReadLenient(iomem).ToList();
        // Every range used is taken as [start, end + 1): an end at the top of the address space
        // is not memory that can be described (and would wrap). Ranges not used do not matter.
        if (resources.Find(r => r.End == ulong.MaxValue && (r.Name.StartsWith("System RAM", StringComparison.Ordinal)
            || r.Name == IomemLines.CrashKernel || E820Names.TryParse(r.Name, out _))) is { } top)
            throw new LegacyLoadException($"{IomemPath}: '{top.Name}' 0x{top.Start:x}-0x{top.End:x} ends at the top of the address space");
        var machine = new LegacyMachine
        {
            Iomem = resources,
            FirmwareMemmap = ReadFirmwareMemmap(root),
            CurrentBootParams = TryReadBytes(root.Resolve(BootParamsPath), BootParams.Size),
            EfiAcpiRsdp = ParseEfiAcpiRsdp(root.TryReadText(EfiSystabPath)),
            FiveLevelPaging = HasCpuFlag(root.TryReadText(CpuinfoPath), "la57"),
        };
        if (!crash) return machine;
        return machine with
        {
            CpuCrashNotes = ReadCrashNotes(root),
            Vmcoreinfo = ParseVmcoreinfo(root.TryReadText(VmcoreinfoPath)),
            Kernel = ReadKernelMap(root.Resolve(KcorePath)),
        };
    }

    /// <summary>/sys/firmware/memmap/N/{start,end,type}, sorted by start; unknown types are reserved.</summary>
    private static List<E820Entry>? ReadFirmwareMemmap(SystemRoot root)
    {
        var dir = root.Resolve(FirmwareMemmapPath);
        if (!Directory.Exists(dir)) return null;
        var entries = new List<E820Entry>();
        foreach (var entry in Enumerate(dir, "*"))
        {
            var start = ParseHex(TryRead(Path.Join(entry, "start")), entry + "/start");
            var end = ParseHex(TryRead(Path.Join(entry, "end")), entry + "/end");
            var name = TryRead(Path.Join(entry, "type"))?.Trim() ?? throw new LegacyLoadException($"cannot read {entry}/type");
            if (end < start) throw new LegacyLoadException($"{entry}: end 0x{end:x} is below start 0x{start:x}");
            if (end == ulong.MaxValue) throw new LegacyLoadException($"{entry}: end 0x{end:x} leaves no room for its size");
            entries.Add(new E820Entry(start, end - start + 1, E820Names.TryParse(name, out var t) ? t : E820Type.Reserved));
        }
        entries.Sort((a, b) => a.Address.CompareTo(b.Address));
        return entries;
    }

    /// <summary>cpuN/crash_notes ("0x…" or hex digits) and crash_notes_size (decimal), in CPU order.</summary>
    private static List<NoteArea> ReadCrashNotes(SystemRoot root)
    {
        var dir = root.Resolve(CpuPath);
        var notes = new List<(int Cpu, NoteArea Note)>();
        if (!Directory.Exists(dir)) return [];
        foreach (var cpu in Enumerate(dir, "cpu*"))
        {
            var name = Path.GetFileName(cpu);
            if (!int.TryParse(name.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) continue;
            var address = TryRead(Path.Join(cpu, "crash_notes"));
            if (address is null) continue;
            var size = TryRead(Path.Join(cpu, "crash_notes_size"));
            var bytes = size is null ? 0UL
                : ulong.TryParse(size.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
                : throw new LegacyLoadException($"{cpu}/crash_notes_size: '{size.Trim()}' is not a size");
            notes.Add((n, new NoteArea(ParseHex(address, cpu + "/crash_notes"), bytes == 0 ? DefaultCrashNotesSize : bytes)));
        }
        return notes.OrderBy(n => n.Cpu).Select(n => n.Note).ToList();
    }

    /// <summary>Without crash_notes_size (before 4.10), kexec-tools' MAX_NOTE_BYTES.</summary>
    private const ulong DefaultCrashNotesSize = 1024;

    /// <summary>Whether the first "flags" line of /proc/cpuinfo names <paramref name="flag"/>.</summary>
    public static bool HasCpuFlag(string? cpuinfo, string flag)
    {
        if (cpuinfo is null) return false;
        foreach (var line in cpuinfo.Split('\n'))
        {
            if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(flag, StringComparer.Ordinal);
        }
        return false;
    }

    /// <summary>/sys/kernel/vmcoreinfo: "%pa %x" — the note's address and size, both hexadecimal.</summary>
    public static NoteArea? ParseVmcoreinfo(string? text)
    {
        if (text is null) return null;
        var parts = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2) throw new LegacyLoadException($"{VmcoreinfoPath}: '{text.Trim()}' is not \"ADDRESS SIZE\"");
        return new NoteArea(ParseHex(parts[0], VmcoreinfoPath), ParseHex(parts[1], VmcoreinfoPath));
    }

    /// <summary>efi/systab lines "ACPI20=0x…" and "ACPI=0x…"; ACPI 2.0's table wins.</summary>
    public static ulong? ParseEfiAcpiRsdp(string? text)
    {
        if (text is null) return null;
        ulong? acpi = null, acpi20 = null;
        foreach (var line in text.Split('\n'))
        {
            var eq = line.IndexOf('=');
            if (eq < 0) continue;
            var key = line[..eq];
            if (key is not ("ACPI20" or "ACPI")) continue;
            var value = ParseHex(line[(eq + 1)..], EfiSystabPath);
            if (key == "ACPI20") acpi20 = value;
            else acpi = value;
        }
        return acpi20 ?? acpi;
    }

    // x86_64 virtual address layout (Documentation/arch/x86/x86_64/mm.rst): the kernel image is
    // mapped from __START_KERNEL_map; every other /proc/kcore segment with a physical address is
    // the direct map (KCORE_RAM).
    private const ulong StartKernelMap = 0xffff_ffff_8000_0000;

    /// <summary>
    /// /proc/kcore's program headers: the KCORE_TEXT segment (vaddr at or above __START_KERNEL_map,
    /// a physical address) gives _text; any KCORE_RAM segment gives PAGE_OFFSET (vaddr − paddr).
    /// Kernels since 4.? set p_paddr on both (fs/proc/kcore.c); without it the map cannot be known.
    /// </summary>
    public static KernelMap ReadKernelMap(string kcorePath)
    {
        byte[] head;
        try
        {
            using var f = new FileStream(kcorePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            head = new byte[64];
            f.ReadExactly(head);
            if (!ElfIdent.TryReadCore(head, out var ident) || !ident.Is64Bit || !ElfHeader.TryReadCore(head, ident, out var eh))
                throw new LegacyLoadException($"{kcorePath}: not a 64-bit ELF file");
            var count = eh.ProgramHeaderCount;
            if (eh.ProgramHeaderEntrySize != ElfProgramHeader.SizeOf(ident.Layout) || count == 0 || count == ElfConstants.PnXnum)
                throw new LegacyLoadException($"{kcorePath}: {count} program headers of {eh.ProgramHeaderEntrySize} bytes");
            var table = new byte[count * eh.ProgramHeaderEntrySize];
            f.Position = checked((long)eh.ProgramHeaderOffset);
            f.ReadExactly(table);
            ulong? text = null, textPhys = null, textSize = null, pageOffset = null;
            for (var i = 0; i < count; i++)
            {
                ElfProgramHeader.TryReadCore(table.AsSpan(i * eh.ProgramHeaderEntrySize), ident.Layout, out var ph);
                if (ph.Type != ElfConstants.PtLoad || ph.PhysicalAddress == ElfConstants.NoPhysicalAddress) continue;
                if (ph.VirtualAddress >= StartKernelMap)
                {
                    text ??= ph.VirtualAddress;
                    textPhys ??= ph.PhysicalAddress;
                    textSize ??= ph.MemorySize;
                }
                else
                {
                    pageOffset ??= ph.VirtualAddress - ph.PhysicalAddress;
                }
            }
            if (text is null || pageOffset is null)
                throw new LegacyLoadException($"{kcorePath}: no segment maps the kernel text and the direct map with physical addresses");
            return new KernelMap(text.Value, textPhys!.Value, textSize!.Value, pageOffset.Value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OverflowException)
        {
            throw new LegacyLoadException($"cannot read the kernel's layout from {kcorePath}: {Kdump.Cli.IoErrorText.StrError(e)}");
        }
    }

    private static List<string> Enumerate(string dir, string pattern)
    {
        try
        {
            return Directory.EnumerateDirectories(dir, pattern).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LegacyLoadException($"cannot list {dir}: {Kdump.Cli.IoErrorText.StrError(e)}");
        }
    }

    private static ulong ParseHex(string? text, string file)
    {
        var t = text?.Trim() ?? throw new LegacyLoadException($"cannot read {file}");
        var digits = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? t[2..] : t;
        return ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new LegacyLoadException($"{file}: '{t}' is not a hexadecimal address");
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[]? TryReadBytes(string path, int length)
    {
        try
        {
            var data = File.ReadAllBytes(path);
            return data.Length >= length ? data[..length] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>A kexec_load image that cannot be built: the message says what and where.</summary>
public sealed class LegacyLoadException(string message) : Exception(message);
