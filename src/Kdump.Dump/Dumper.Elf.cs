using Kdump.Formats.Elf;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Dump;

public sealed partial class KdumpCompressedDumper
{
    /// <summary>makedumpfile's PFN_EXCLUDED: a run of this many excluded pages ends an output PT_LOAD.</summary>
    private const int ElfSplitRun = 256;

    /// <summary>
    /// makedumpfile -E (write_elf_header, get_loads_dumpfile_cyclic, write_elf_pages_cyclic): each input
    /// PT_LOAD is re-emitted, split into a new PT_LOAD after every run of at least 256 excluded pages;
    /// shorter runs keep their real contents, and excluded pages at a segment's end become
    /// p_memsz &gt; p_filesz. Zero pages (-d 1) are excluded like filtered ones. The dumpable map of the
    /// whole dump is held in memory (max_mapnr / 8 bytes: 128 KiB for 4 GiB).
    /// </summary>
    public DumpReport WriteElf(CancellationToken cancellation = default)
    {
        if (_input is not ElfDumpInput { Dump: ElfDump elf } elfInput)
            throw new NotSupportedException("ELF output (-E) is implemented for ELF inputs only");
        // A PT_LOAD without a physical address (p_paddr -1) has no pfns to filter or copy: it is
        // left out (upstream counts it in e_phnum but writes no header for it; only kcore has one).
        var physicalLoads = elfInput.PhysicalLoads;
        // Upstream carries a partial first and last page (frac_head/frac_tail); real vmcores are
        // page aligned, and this writer works in whole pages.
        foreach (var p in physicalLoads)
        {
            if (p.PhysicalAddress % (ulong)_pageSize != 0)
            {
                throw new DumpFeatureNotSupportedException(
                    $"'{_input.Dump.Name}': ELF output (-E) of a PT_LOAD whose p_paddr 0x{p.PhysicalAddress:x} is not page aligned is not implemented")
                { FilePath = _input.Dump.Name };
            }
        }
        // In one cycle makedumpfile counts while building its 2nd bitmap, each pfn once; the
        // cyclic ELF writer rebuilds it per PT_LOAD and counts shared pfns twice.
        var countOnce = _options.OneCycle;
        var finder = _options.UnusedVmemmap is { } backing ? new UnusedVmemmap(backing) : null;
        var (map, zero) = BuildElfDumpableMap(countOnce, finder, cancellation);
        bool Kept(ulong pfn) => pfn < _maxMapNr && (map[pfn >> 3] & (1 << (int)(pfn & 7))) != 0;
        if (finder is not null) UnusedVmemmap.Clear(UseVmemmapCut(finder), 0, map);
        if (!countOnce) CountPerLoad(physicalLoads, zero, cancellation);
        ulong elfExcluded = 0;

        var ps = (ulong)_pageSize;
        var loads = new List<StreamedElfCore.Load>();
        foreach (var p in physicalLoads)
        {
            var start = p.PhysicalAddress / ps;
            var end = (p.PhysicalAddress + p.MemorySize) / ps;
            var fileEnd = (p.PhysicalAddress + p.FileSize) / ps;
            var segStart = start;
            var keptEnd = start;
            ulong run = 0;
            void Close(ulong memEnd)
            {
                var pa = segStart * ps;
                loads.Add(new StreamedElfCore.Load(pa, p.VirtualAddress + (pa - p.PhysicalAddress),
                    (keptEnd - segStart) * ps, (memEnd - segStart) * ps, p.Flags, p.Align));
            }
            for (var pfn = start; pfn < end; pfn++)
            {
                if (pfn >= fileEnd || !Kept(pfn))
                {
                    run++;
                    continue;
                }
                if (run >= ElfSplitRun)
                {
                    Close(pfn);
                    segStart = pfn;
                    elfExcluded += run;
                }
                keptEnd = pfn + 1;
                run = 0;
            }
            Close(end);
            elfExcluded += run;
        }
        Report.ElfExcluded = elfExcluded;

        var note = elf.Core.ProgramHeaders.FirstOrDefault(h => h.Type == ElfConstants.PtNote);
        var plan = StreamedElfCore.Make(elf.Core.Header, elf.Layout, _input.NoteBytes.Span, loads, note);
        try
        {
            _output.WriteAt(0, plan.HeaderBytes);
            using var pipeline = new PagePipeline(1, 64, _pageSize, null, excludeZero: false);
            long copied = 0;
            var total = loads.Sum(l => (long)(l.FileSize / ps));
            for (var i = 0; i < loads.Count; i++)
            {
                var l = loads[i];
                if (l.FileSize == 0) continue;
                var at = plan.LoadDataOffsets[i];
                var first = l.PhysicalAddress / ps;
                var count = (long)(l.FileSize / ps);
                var runs = new List<(ulong, int)>();
                for (long k = 0; k < count; k += int.MaxValue / 2) runs.Add((first + (ulong)k, (int)Math.Min(count - k, int.MaxValue / 2)));
                pipeline.Run(runs, _input, batch =>
                {
                    for (var j = 0; j < batch.Count; j++)
                    {
                        _output.WriteAt(at, batch.Page(j));
                        at += _pageSize;
                    }
                    copied += batch.Count;
                    _options.Progress?.Invoke(copied, total);
                }, cancellation);
            }
            _output.Flush();
            Report.WriteBytes = plan.FileLength;
            return Report;
        }
        catch (Exception)
        {
            // Any failure after the headers (full disk, signal, damaged input page) leaves a partial file: say so.
            Report.Incomplete = true;
            try
            {
                _output.WriteAt(0, StreamedElfCore.Make(elf.Core.Header with { Flags = elf.Core.Header.Flags | ElfCoreReader.IncompleteFlag }, elf.Layout, _input.NoteBytes.Span, loads, note).HeaderBytes);
                _output.Flush();
            }
            catch (IOException)
            {
                // Nothing more can be done on a full disk.
            }
            throw;
        }
    }

    /// <summary>
    /// The report's counts as write_elf_pages_cyclic makes them: the 2nd bitmap is rebuilt for each
    /// input PT_LOAD's pfns, so pages under two PT_LOADs (the kernel text inside the direct map's
    /// RAM) are counted twice, zero pages included. Windows of the filter again, and the zero map.
    /// </summary>
    private void CountPerLoad(IReadOnlyList<ElfProgramHeader> loads, byte[]? zero, CancellationToken cancellation)
    {
        var ps = (ulong)_pageSize;
        foreach (var p in loads)
        {
            var end = Math.Min((p.PhysicalAddress + p.MemorySize) / ps, _maxMapNr);
            for (var w = p.PhysicalAddress / ps; w < end; w += (ulong)_windowPfns)
            {
                cancellation.ThrowIfCancellationRequested();
                var n = (int)Math.Min((ulong)_windowPfns, end - w);
                if (_categories is not null)
                {
                    _options.Filter!.Classify(w, _categories.AsSpan(0, n));
                    Report.Counts.Add(_categories.AsSpan(0, n));
                }
                if (zero is not null) Report.Counts.AddZero((ulong)PopCountBits(zero, w, w + (ulong)n));
            }
        }
    }

    /// <summary>
    /// The 2nd bitmap for ELF output: filtered pages, and with -d 1 zero pages (read here) cleared
    /// and marked in a second map (null without -d 1) for the per-PT_LOAD counts. With -e each
    /// window, once its zero pages are out (upstream looks after that), goes to
    /// <paramref name="finder"/>; the cut is the caller's, once every window is seen.
    /// </summary>
    private (byte[] Map, byte[]? Zero) BuildElfDumpableMap(bool countOnce, UnusedVmemmap? finder, CancellationToken cancellation)
    {
        // max_mapnr comes from the input's PT_LOADs: bound the map before allocating it.
        var mapBytes = (_maxMapNr + 7) / 8;
        var limit = (ulong)Primitives.ParseLimits.Default.MaxInMemoryTableBytes;
        if (mapBytes > limit)
            throw Primitives.Errors.DumpErrors.OverLimit(_input.Dump.Name, "dumpable bitmap for -E (max_mapnr / 8)", mapBytes, limit, null);
        var map = new byte[(int)mapBytes];
        var excludeZero = (Level & DumpLevel.Zero) != 0;
        var zero = excludeZero ? new byte[(int)mapBytes] : null;
        var page = new byte[_pageSize];
        for (ulong w = 0; w < _maxMapNr; w += (ulong)_windowPfns)
        {
            cancellation.ThrowIfCancellationRequested();
            FillWindow(w, countOnce);
            var bytes = (int)Math.Min((ulong)_dumpable.Length, (ulong)map.Length - w / 8);
            _dumpable.AsSpan(0, bytes).CopyTo(map.AsSpan((int)(w / 8)));
            if (excludeZero)
            {
                foreach (var (first, count) in EnumerateRuns(w, bytes * 8))
                {
                    for (var k = 0; k < count; k++)
                    {
                        var pfn = first + (ulong)k;
                        _input.ReadPages(pfn, 1, page);
                        if (!ZeroPage.IsZeroPage(page)) continue;
                        map[pfn >> 3] &= unchecked((byte)~(1 << (int)(pfn & 7)));
                        zero![pfn >> 3] |= (byte)(1 << (int)(pfn & 7));
                        if (countOnce) Report.Counts.AddZero();
                    }
                }
                // The window's bits past max_mapnr are already clear in _dumpable (FillWindow).
                if (finder is not null) map.AsSpan((int)(w / 8), bytes).CopyTo(_dumpable);
            }
            finder?.Scan(w, _inMemory, _dumpable);
        }
        return (map, zero);
    }
}
