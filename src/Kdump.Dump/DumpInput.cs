using Kdump.Formats;
using Kdump.Formats.Diskdump;
using Kdump.Formats.Elf;
using Kdump.Kernel;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Dump;

/// <summary>
/// What the engine needs from an input dump: its memory map (which pfns exist and which have data),
/// the notes to copy, the header facts, and page reads. ELF (/proc/vmcore, QEMU) and kdump-compressed
/// (re-filtering) inputs differ only here.
/// </summary>
public abstract class DumpInput : IDisposable
{
    protected DumpInput(IDump dump, int pageSize)
    {
        Dump = dump;
        PageSize = pageSize;
        PageShift = System.Numerics.BitOperations.Log2((uint)pageSize);
        Info = VmcoreInfo.Parse(dump.VmcoreInfo.Span, null, dump.Name);
    }

    public IDump Dump { get; }

    public VmcoreInfo Info { get; }

    public int PageSize { get; }

    protected int PageShift { get; }

    /// <summary>The memory map as makedumpfile counts it, shared by the report and the page filter.</summary>
    public DumpPfnMap PfnMap => _pfnMap ??= DumpPfnMap.FromDump(Dump, PageSize);

    private DumpPfnMap? _pfnMap;

    /// <summary>
    /// The dump's kernel seen through its page tables, opened once for every reader of kernel memory
    /// (the struct page filter, utsname, -e, --vtop). Throws as <see cref="KernelView.Open"/> does.
    /// </summary>
    public KernelView Kernel => _kernel ??= KernelView.Open(Dump, TranslationStrategy.PageTables);

    private KernelView? _kernel;

    /// <summary>Pfns the dumped machine had: end of the highest range, rounded up to a page.</summary>
    public abstract ulong MaxMapNr { get; }

    /// <summary>The ELF note segment, byte for byte (kdump v4 copies it after the sub header).</summary>
    public abstract ReadOnlyMemory<byte> NoteBytes { get; }

    /// <summary>Number of CPUs that saved registers (NT_PRSTATUS notes): header nr_cpus.</summary>
    public abstract int CpuCount { get; }

    /// <summary>The -d level the input was already filtered with (0 for ELF); makedumpfile ORs it in.</summary>
    public virtual int PreviousDumpLevel => 0;

    /// <summary>The eraseinfo of a kdump-compressed input: a re-filtered dump carries it over first (copy_eraseinfo).</summary>
    public virtual ReadOnlyMemory<byte> EraseInfo => default;

    /// <summary>
    /// Bits for pfns <c>[firstPfn, firstPfn + 8 × inMemory.Length)</c>: 1st bitmap (the pfn exists) and
    /// the pfns that have data to copy. <paramref name="firstPfn"/> is a multiple of 8.
    /// </summary>
    public abstract void FillBitmaps(ulong firstPfn, Span<byte> inMemory, Span<byte> withData);

    /// <summary>Reads <paramref name="count"/> consecutive pages; absent bytes read as zeros.</summary>
    public virtual void ReadPages(ulong firstPfn, int count, Span<byte> destination)
    {
        var bytes = destination[..checked(count * PageSize)];
        if (Dump.Physical.TryRead(new PhysAddr(firstPfn << PageShift), bytes) == PageReadStatus.Ok) return;
        // Some page of the run is missing or damaged: go page by page so the rest is still copied.
        for (var i = 0; i < count; i++)
        {
            var page = bytes.Slice(i * PageSize, PageSize);
            var pfn = firstPfn + (ulong)i;
            var status = Dump.Physical.TryRead(new PhysAddr(pfn << PageShift), page);
            if (status == PageReadStatus.Corrupt)
                throw new DumpCorruptException($"{Dump.Name}: the page of pfn 0x{pfn:x} is damaged and cannot be copied") { FilePath = Dump.Name };
            if (status != PageReadStatus.Ok) page.Clear();
        }
    }

    /// <summary>
    /// <paramref name="count"/> consecutive pages in place (an mmap of the input), or null when the
    /// input cannot lend them (then <see cref="ReadPages"/> copies the same bytes).
    /// </summary>
    public MappedView? TryMapPages(ulong firstPfn, int count) =>
        MapInput && Dump.Physical is IMappablePhysicalMemory m ? m.TryMap(new PhysAddr(firstPfn << PageShift), checked(count * PageSize)) : null;

    /// <summary>False for makedumpfile's <c>--non-mmap</c>: every page is copied with pread.</summary>
    public bool MapInput { get; set; } = true;

    /// <summary>phys_base for the sub header: NUMBER(phys_base) (x86_64), else 0.</summary>
    public ulong PhysBase => Info.TryGetNumber("phys_base", out var v) ? unchecked((ulong)v) : 0;

    /// <summary>header timestamp: CRASHTIME from VMCOREINFO.</summary>
    public ulong CrashTime => Info.CrashTime is { } t ? unchecked((ulong)t) : 0;

    /// <summary>
    /// utsname for the output's header, as makedumpfile takes it: init_uts_ns in memory, else only
    /// VMCOREINFO's OSRELEASE (a kdump-compressed input: its own header's).
    /// </summary>
    public virtual DiskDumpHeader.UtsName ReadUtsName() =>
        ReadMemoryUtsName() ?? new DiskDumpHeader.UtsName("", "", Info.OsRelease ?? "", "", "", "");

    /// <summary>
    /// init_uts_ns read from the dump's memory whatever its format, as upstream's check_release
    /// does; null when it cannot be read. The name member is at OFFSET(uts_namespace.name), exported
    /// since Linux commit 9a56493f6942 ("uts: Use generic ns_common::count") (v5.11) moved it to
    /// the front; before, it followed a 4-byte kref. A damaged symbol or offset wraps to an unmapped address
    /// and reads as missing. Unlike upstream's check_release, which ends the run there, the dump
    /// is still made.
    /// </summary>
    public DiskDumpHeader.UtsName? ReadMemoryUtsName()
    {
        if (UtsNameAddress() is not { } address) return null;
        try
        {
            var bytes = new byte[DiskDumpHeader.UtsName.Size];
            Kernel.Memory.Read(address, bytes);
            return DiskDumpHeader.UtsName.ReadCore(bytes);
        }
        catch (Exception e) when (e is KdumpException or IOException or OverflowException or InvalidOperationException)
        {
            // Now read before the copy's own error handling: any failure here means "unreadable".
            return null;
        }
    }

    /// <summary>
    /// Where check_release reads the utsname: SYMBOL(system_utsname) (kernels before 2.6.19), else
    /// init_uts_ns's name member; null without either symbol.
    /// </summary>
    public VirtAddr? UtsNameAddress()
    {
        if (Info.TryGetSymbol("system_utsname", out var old)) return old;
        if (!Info.TryGetSymbol("init_uts_ns", out var uts)) return null;
        var offset = Info.TryGetOffset("uts_namespace.name", out var o) ? o : sizeof(int);
        return new VirtAddr(uts.Value).Add(offset);
    }

    /// <summary>
    /// /proc/kcore for <c>--mem-usage</c>: the segments with a physical address (System RAM and
    /// kernel text; Linux v4.11+ fills p_paddr), read with pread. The crash kernel's reservation
    /// stays in: makedumpfile 1.7.8's get_kcore_dump_loads compares it with direct-map addresses
    /// before it knows page_offset when /proc/kcore has VMCOREINFO (v4.19+), so it cuts nothing
    /// and counts the reserved pages (zero until a capture kernel is loaded). Seen in a 6.1 guest:
    /// 1.7.8's total includes the 256 MiB reservation.
    /// </summary>
    public static DumpInput OpenKcore(ElfDump kcore)
    {
        ArgumentNullException.ThrowIfNull(kcore);
        return new ElfDumpInput(kcore) { MapInput = false };
    }

    public static DumpInput Open(IDump dump)
    {
        ArgumentNullException.ThrowIfNull(dump);
        return dump switch
        {
            ElfDump elf => new ElfDumpInput(elf),
            KdumpCompressedDump kdump => new KdumpDumpInput(kdump),
            _ => throw new DumpFeatureNotSupportedException($"{dump.Name}: {dump.FormatName} input is not supported") { FilePath = dump.Name },
        };
    }

    public void Dispose()
    {
        Dump.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sets bits [from, to) of a window starting at <paramref name="firstPfn"/>.</summary>
    protected static void SetRange(Span<byte> bits, ulong firstPfn, ulong from, ulong to, bool value)
    {
        var end = firstPfn + (ulong)bits.Length * 8;
        from = Math.Max(from, firstPfn);
        to = Math.Min(to, end);
        for (var p = from; p < to; p++)
        {
            var i = p - firstPfn;
            if ((i & 7) == 0 && to - p >= 8)
            {
                bits[(int)(i >> 3)] = value ? (byte)0xff : (byte)0;
                p += 7;
                continue;
            }
            var mask = (byte)(1 << (int)(i & 7));
            if (value) bits[(int)(i >> 3)] |= mask;
            else bits[(int)(i >> 3)] &= unchecked((byte)~mask);
        }
    }
}

/// <summary>An ELF vmcore: PT_LOADs give the memory map (makedumpfile create_1st_bitmap, exclude_nodata_pages).</summary>
internal sealed class ElfDumpInput : DumpInput
{
    private readonly ElfDump _elf;
    private readonly List<ElfProgramHeader> _loads;

    public ElfDumpInput(ElfDump elf) : base(elf, 4096)
    {
        _elf = elf;
        _loads = [.. elf.Core.Loads.Where(p => p.PhysicalAddress != ElfConstants.NoPhysicalAddress)];
        var end = _loads.Count == 0 ? 0 : _loads.Max(p => checked(p.PhysicalAddress + p.MemorySize));
        MaxMapNr = checked(end + (ulong)PageSize - 1) >> PageShift;
        var notes = new byte[elf.Core.Notes.Sum(n => n.EncodedSize)];
        var at = 0;
        foreach (var n in elf.Core.Notes) at += n.WriteCore(notes.AsSpan(at), elf.Layout);
        NoteBytes = notes;
    }

    public override ulong MaxMapNr { get; }

    /// <summary>The PT_LOADs with a physical address (kcore's p_paddr -1 holds no pfns), in file order.</summary>
    public IReadOnlyList<ElfProgramHeader> PhysicalLoads => _loads;

    public override ReadOnlyMemory<byte> NoteBytes { get; }

    public override int CpuCount => _elf.Core.PrStatusCount;

    /// <summary>
    /// The ERASEINFO note of an ELF dump made with --config: its whole descriptor, padding included;
    /// of n_type 0 and, if there are several (re-filtered with --config again), the last (get_pt_note_info).
    /// </summary>
    public override ReadOnlyMemory<byte> EraseInfo =>
        _elf.Core.Notes.LastOrDefault(n => n.Name == ElfConstants.EraseInfoNoteName && n.Type == 0)?.Descriptor ?? default;

    public override void FillBitmaps(ulong firstPfn, Span<byte> inMemory, Span<byte> withData)
    {
        inMemory.Clear();
        foreach (var p in _loads)
            SetRange(inMemory, firstPfn, p.PhysicalAddress >> PageShift, (p.PhysicalAddress + p.MemorySize) >> PageShift, true);
        inMemory.CopyTo(withData);
        // Pages past p_filesz have no bytes in the file.
        foreach (var p in _loads)
        {
            if (p.FileSize >= p.MemorySize) continue;
            var from = (p.PhysicalAddress + p.FileSize + (ulong)PageSize - 1) >> PageShift;
            var to = (p.PhysicalAddress + p.MemorySize + (ulong)PageSize - 1) >> PageShift;
            SetRange(withData, firstPfn, from, to, false);
        }
    }
}

/// <summary>A kdump-compressed input (re-filtering): its own bitmaps give the memory map.</summary>
internal sealed class KdumpDumpInput : DumpInput
{
    private readonly KdumpCompressedDump _kdump;

    public KdumpDumpInput(KdumpCompressedDump kdump) : base(kdump, kdump.Primary.PageSize)
    {
        _kdump = kdump;
        var notes = new byte[kdump.Primary.Notes.Sum(n => n.EncodedSize)];
        var at = 0;
        foreach (var n in kdump.Primary.Notes) at += n.WriteCore(notes.AsSpan(at), kdump.Layout);
        NoteBytes = notes;
    }

    public override ulong MaxMapNr => _kdump.Primary.MaxMapNr;

    public override ReadOnlyMemory<byte> NoteBytes { get; }

    public override int CpuCount => _kdump.Primary.Header.CpuCount;

    public override int PreviousDumpLevel => _kdump.Primary.SubHeader.DumpLevel;

    /// <summary>
    /// A re-filtered file's eraseinfo when both offset_eraseinfo and size_eraseinfo are set
    /// (has_eraseinfo); for a --split set (--reassemble), every part's in turn, as reassemble_dumpfile.
    /// </summary>
    public override ReadOnlyMemory<byte> EraseInfo
    {
        get
        {
            var files = _kdump.Files;
            if (files.Count == 1) return files[0].SubHeader.OffsetEraseInfo != 0 ? files[0].EraseInfo : default;
            return files.SelectMany(f => f.EraseInfo.ToArray()).ToArray();
        }
    }

    public override DiskDumpHeader.UtsName ReadUtsName() => _kdump.Primary.Header.Uts;

    public override void FillBitmaps(ulong firstPfn, Span<byte> inMemory, Span<byte> withData)
    {
        inMemory.Clear();
        withData.Clear();
        var file = _kdump.Primary;
        for (var i = 0; i < inMemory.Length * 8; i++)
        {
            var pfn = firstPfn + (ulong)i;
            if (pfn >= file.MaxMapNr) break;
            var mask = (byte)(1 << (i & 7));
            if (file.InMemoryBitmap.IsSet(pfn)) inMemory[i >> 3] |= mask;
            if (_kdump.Files.Any(f => f.IsStored(pfn))) withData[i >> 3] |= mask;
        }
    }
}
