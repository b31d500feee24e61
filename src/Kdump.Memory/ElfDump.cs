using Kdump.Formats;
using Kdump.Formats.Elf;
using Kdump.Primitives;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Memory;

/// <summary>An ELF vmcore (/proc/vmcore, QEMU dump-guest-memory, makedumpfile -E) as an <see cref="IDump"/>.</summary>
public sealed class ElfDump : IDump
{
    private readonly IByteSource _source;

    private ElfDump(IByteSource source, ElfCore core, string formatName)
    {
        _source = source;
        Core = core;
        FormatName = formatName;
        Physical = new ElfPhysicalMemory(source, core.Loads, PageSizeFor(core.Header.Machine));
        KernelSegments = [.. core.Loads
            .Where(p => p.VirtualAddress != 0)
            .Select(p => new KernelSegment(new VirtAddr(p.VirtualAddress), new PhysAddr(p.PhysicalAddress), p.MemorySize))];
    }

    /// <summary>Reads the headers of <paramref name="source"/>; takes ownership of it.</summary>
    public static ElfDump Open(IByteSource source, ParseLimits? limits = null, string? formatName = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            var core = ElfCoreReader.Read(source, limits);
            return new ElfDump(source, core, formatName ?? (core.Layout.Is64Bit ? "elf64" : "elf32"));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public ElfCore Core { get; }

    public string Name => _source.Name;

    public string FormatName { get; }

    public DataLayout Layout => Core.Layout;

    public ReadOnlyMemory<byte> VmcoreInfo => VmcoreInfoOverride ?? Core.VmcoreInfo;

    /// <summary><see cref="DumpOpenOptions.ReplaceVmcoreInfo"/>'s text; <see cref="ElfCore.VmcoreInfo"/> keeps the note.</summary>
    internal ReadOnlyMemory<byte>? VmcoreInfoOverride { get; set; }

    public IPhysicalMemory Physical { get; }

    public IReadOnlyList<KernelSegment> KernelSegments { get; }

    // ELF cores do not record the page size; VMCOREINFO's PAGESIZE is the kernel layer's business.
    private static int PageSizeFor(ushort machine) => machine switch
    {
        ElfConstants.EmPpc64 => 65536,
        _ => 4096,
    };

    /// <summary>
    /// The file's bytes from <paramref name="load"/>'s p_offset + <paramref name="offsetInLoad"/> on,
    /// as makedumpfile's write_elf_load_segment reads them: by file offset, on past p_filesz (where
    /// /proc/vmcore keeps the rest of a partial last page); bytes past the end of the file read as zeros.
    /// </summary>
    public void ReadLoadBytes(ElfProgramHeader load, ulong offsetInLoad, Span<byte> destination)
    {
        destination.Clear();
        if (load.Offset > long.MaxValue || offsetInLoad > (ulong)(long.MaxValue - (long)load.Offset)) return;
        var at = (long)(load.Offset + offsetInLoad);
        if (_source.Length > at) _source.ReadExactlyAt(at, destination[..(int)Math.Min(destination.Length, _source.Length - at)], "PT_LOAD data");
    }

    public void Dispose() => _source.Dispose();
}
