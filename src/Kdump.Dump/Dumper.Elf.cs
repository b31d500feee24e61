using Kdump.Formats.Elf;
using Kdump.Kernel.Pages;
using Kdump.Memory;

namespace Kdump.Dump;

public sealed partial class KdumpCompressedDumper
{
    /// <summary>makedumpfile's PFN_EXCLUDED: a run of this many excluded pages ends an output PT_LOAD.</summary>
    private const int ElfSplitRun = 256;

    /// <summary>
    /// makedumpfile -E (write_elf_header, get_loads_dumpfile_cyclic, write_elf_pages_cyclic): each input
    /// PT_LOAD is re-emitted, split into a new PT_LOAD after every run of at least 256 excluded pages;
    /// shorter runs keep their real contents, and excluded pages at a segment's end become
    /// p_memsz &gt; p_filesz. Zero pages (-d 1) are excluded like filtered ones. The segments are
    /// planned in one rising pass over the filter's windows (<see cref="PlanLoads"/>), so memory stays
    /// that of a window whatever the dump's size; only -e, which needs the whole 2nd bitmap, holds it (max_mapnr / 8).
    /// </summary>
    public DumpReport WriteElf(CancellationToken cancellation = default)
    {
        if (_input is not ElfDumpInput { Dump: ElfDump elf } elfInput)
            throw new NotSupportedException("ELF output (-E) is implemented for ELF inputs only");
        // A PT_LOAD without a physical address (p_paddr -1) has no pfns to filter or copy: it is
        // left out (upstream counts it in e_phnum but writes no header for it; only kcore has one).
        var physicalLoads = elfInput.PhysicalLoads;
        // In one cycle makedumpfile counts while building its 2nd bitmap, each pfn once; the
        // cyclic ELF writer rebuilds it per PT_LOAD and counts shared pfns twice.
        var countOnce = _options.OneCycle;
        var loads = new List<StreamedElfCore.Load>();
        var sources = new List<ElfProgramHeader>();
        ulong elfExcluded = 0;
        if (_options.UnusedVmemmap is { } backing)
        {
            // -e finds unused struct pages over the whole 2nd bitmap (upstream needs --work-dir for it).
            var finder = new UnusedVmemmap(backing);
            var (map, zero) = BuildElfDumpableMap(countOnce, finder, cancellation);
            UnusedVmemmap.Clear(UseVmemmapCut(finder), 0, map);
            if (!countOnce) CountPerLoad(physicalLoads, zero, cancellation);
            foreach (var p in physicalLoads)
            {
                var (first, end) = ElfPfns(p);
                var splitter = new ElfLoadSplitter(p, (ulong)_pageSize, loads);
                for (var pfn = first; pfn < end; pfn++)
                    splitter.Take(pfn, pfn < _maxMapNr && (map[pfn >> 3] & (1 << (int)(pfn & 7))) != 0);
                elfExcluded += splitter.Finish();
                while (sources.Count < loads.Count) sources.Add(p);
            }
        }
        else
        {
            elfExcluded = PlanLoads(physicalLoads, countPerLoad: !countOnce, loads, sources, cancellation);
        }
        Report.ElfExcluded = elfExcluded;
        if (!countOnce)
        {
            // write_elf_pages_cyclic recounts pfn_memhole from max_mapnr over the pfns it walks:
            // a partial first page is not walked, a partial last page is.
            var hole = _maxMapNr;
            foreach (var p in physicalLoads)
            {
                var (first, end) = ElfPfns(p);
                hole = unchecked(hole - (end - Math.Min(first, end)));
            }
            Report.ElfMemoryHole = hole;
        }

        var ps = (ulong)_pageSize;
        var note = elf.Core.ProgramHeaders.FirstOrDefault(h => h.Type == ElfConstants.PtNote);
        var notes = _input.NoteBytes;
        var plannedEraseInfo = _options.Erase?.PlannedEraseInfoBytes() ?? 0;
        Report.EraseInfoSize = plannedEraseInfo;
        if (plannedEraseInfo > 0) notes = WithEraseInfoNote(notes.Span, plannedEraseInfo);
        // write_elf_header keeps the input's p_memsz and moves only p_offset and p_filesz.
        ulong? noteMemorySize = note.Type == ElfConstants.PtNote ? note.MemorySize : null;
        var plan = StreamedElfCore.Make(elf.Core.Header, elf.Layout, notes.Span, loads, note, noteMemorySize);
        var erase = _options.Erase?.Start();
        try
        {
            _output.WriteAt(0, plan.HeaderBytes);
            using var pipeline = new PagePipeline(1, 64, _pageSize, null, excludeZero: false);
            long copied = 0;
            var total = loads.Sum(l => (long)(l.FileSize / ps));
            var partial = new byte[_pageSize];
            for (var i = 0; i < loads.Count; i++)
            {
                var (l, source) = (loads[i], sources[i]);
                var at = plan.LoadDataOffsets[i];
                var pa = l.PhysicalAddress;
                var left = l.FileSize;
                // Bytes that are not whole pages of the segment are read by file offset from the
                // segment itself, as write_elf_load_segment reads everything: the partial first
                // page (frac_head) and whatever reaches past the segment's end (a last page that
                // counts whole after a split, a segment inside one page).
                void CopyFromSegment(ulong bytes)
                {
                    var n = (int)bytes;
                    elf.ReadLoadBytes(source, pa - source.PhysicalAddress, partial.AsSpan(0, n));
                    erase?.Apply(pa, partial.AsSpan(0, n));
                    _output.WriteAt(at, partial.AsSpan(0, n));
                    (at, pa, left) = (at + n, pa + bytes, left - bytes);
                }
                if (left > 0 && pa % ps != 0) CopyFromSegment(Math.Min(ps - (pa % ps), left));
                var segmentEnd = source.PhysicalAddress + source.MemorySize;
                var count = (long)Math.Min(left / ps, segmentEnd > pa ? (segmentEnd - pa) / ps : 0);
                var runs = new List<(ulong, int)>();
                for (long k = 0; k < count; k += int.MaxValue / 2) runs.Add((pa / ps + (ulong)k, (int)Math.Min(count - k, int.MaxValue / 2)));
                pipeline.Run(runs, _input, batch =>
                {
                    for (var j = 0; j < batch.Count; j++)
                    {
                        _output.WriteAt(at, batch.Page(j));
                        at += _pageSize;
                    }
                    copied += batch.Count;
                    _options.Progress?.Invoke(copied, total);
                }, cancellation, erase);
                (pa, left) = (pa + ((ulong)count * ps), left - ((ulong)count * ps));
                while (left > 0) CopyFromSegment(Math.Min(ps, left));
            }
            if (erase is not null && plannedEraseInfo > 0)
            {
                // write_elf_eraseinfo: the lines go into the room planned in the note; upstream writes
                // on past it, over the first PT_LOAD's data, when they come out longer (see EraseList).
                var text = erase.EraseInfo();
                var room = (int)Math.Min(text.Length, plannedEraseInfo);
                Report.EraseInfoOffset = plan.NotesOffset + _input.NoteBytes.Length;   // the eraseinfo note, after the input's
                _output.WriteAt(Report.EraseInfoOffset + ElfNote.DescriptorOffset(ElfConstants.EraseInfoNoteName), text.AsSpan(0, room));
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
                _output.WriteAt(0, StreamedElfCore.Make(elf.Core.Header with { Flags = elf.Core.Header.Flags | ElfCoreReader.IncompleteFlag }, elf.Layout, notes.Span, loads, note,
                    noteMemorySize).HeaderBytes);
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
    /// The notes with makedumpfile's eraseinfo note after them (write_elf_header's room,
    /// write_elf_eraseinfo's header): n_namesz 10, n_descsz the planned size, n_type 0, and the
    /// planned size rounded up to 4 of zeros for the lines written after the pages.
    /// </summary>
    private ReadOnlyMemory<byte> WithEraseInfoNote(ReadOnlySpan<byte> notes, long planned)
    {
        var note = new ElfNote(ElfConstants.EraseInfoNoteName, 0, new byte[checked((int)planned)], 0);
        var bytes = new byte[checked(notes.Length + note.EncodedSize)];
        notes.CopyTo(bytes);
        note.WriteCore(bytes.AsSpan(notes.Length), _input.Dump.Layout);
        return bytes;
    }

    /// <summary>
    /// One input PT_LOAD as write_elf_pages_cyclic re-emits it, into the loads list, from its pfns
    /// given in order (<see cref="Take"/>) with whether each is kept; <see cref="Finish"/> returns the
    /// pages left out by splits (the report's "in ELF format" count). A partial first page (p_paddr
    /// not page aligned: frac_head) is always kept, unfiltered; a partial last page (frac_tail) is
    /// filtered like any page and counts its own bytes only, except right after a split, where
    /// upstream counts it as a whole page. Pages past p_filesz count as excluded.
    /// </summary>
    private sealed class ElfLoadSplitter
    {
        private readonly ElfProgramHeader _p;
        private readonly ulong _pageSize, _end, _fileEnd, _tail;
        private readonly List<StreamedElfCore.Load> _loads;
        private ulong _memSize, _fileSize, _run, _excluded, _pa;

        public ElfLoadSplitter(ElfProgramHeader p, ulong pageSize, List<StreamedElfCore.Load> loads)
        {
            (_p, _pageSize, _loads) = (p, pageSize, loads);
            _end = PfnUp(checked(p.PhysicalAddress + p.MemorySize), pageSize);
            // The first pfn that starts at or past the end of the file data.
            _fileEnd = PfnUp(checked(p.PhysicalAddress + p.FileSize), pageSize);
            var head = p.PhysicalAddress % pageSize == 0 ? 0 : pageSize - (p.PhysicalAddress % pageSize);
            _tail = (p.PhysicalAddress + p.MemorySize) % pageSize;
            (_memSize, _fileSize, _pa) = (head, head, p.PhysicalAddress);
        }

        /// <summary>The next pfn of the segment (from its first whole page to the end of a partial last one).</summary>
        public void Take(ulong pfn, bool kept)
        {
            var size = pfn == _end - 1 && _tail != 0 ? _tail : _pageSize;
            if (pfn >= _fileEnd || !kept)
            {
                _run++;
                _memSize += size;
                return;
            }
            if (_run < ElfSplitRun)
            {
                // Fewer than 256 excluded pages keep their real contents.
                _memSize += size;
                _fileSize += (_run * _pageSize) + size;
                _run = 0;
                return;
            }
            _loads.Add(new StreamedElfCore.Load(_pa, _p.VirtualAddress + (_pa - _p.PhysicalAddress), _fileSize, _memSize, _p.Flags, _p.Align));
            _excluded += _run;
            _pa += _memSize;
            (_memSize, _fileSize, _run) = (_pageSize, _pageSize, 0);
        }

        public ulong Finish()
        {
            // write_elf_pages_cyclic gives the last PT_LOAD its running offset even without data.
            _loads.Add(new StreamedElfCore.Load(_pa, _p.VirtualAddress + (_pa - _p.PhysicalAddress), _fileSize, _memSize, _p.Flags, _p.Align, ZeroOffsetWhenEmpty: false));
            return _excluded + _run;
        }
    }

    /// <summary>
    /// Plans every input PT_LOAD in one rising pass over the filter's windows, without a whole-dump
    /// bitmap: each window is classified, and with -d 1 its kept pages zero-tested, once; it then
    /// feeds the splitter of each PT_LOAD it overlaps (the kernel text's PT_LOAD lies inside the
    /// direct map's: both take those pfns). The report counts each PT_LOAD's part of the window (from
    /// its first whole page rounded down to 8, as <see cref="CountPerLoad"/>) with
    /// <paramref name="countPerLoad"/>, else each pfn once. The segments go into
    /// <paramref name="loads"/> and their inputs into <paramref name="sources"/>, in input order;
    /// returns the pages left out by splits.
    /// </summary>
    private ulong PlanLoads(IReadOnlyList<ElfProgramHeader> inputs, bool countPerLoad, List<StreamedElfCore.Load> loads,
        List<ElfProgramHeader> sources, CancellationToken cancellation)
    {
        var planned = new List<StreamedElfCore.Load>[inputs.Count];
        var splitters = new ElfLoadSplitter[inputs.Count];
        var ranges = new (ulong First, ulong End)[inputs.Count];
        var next = new ulong[inputs.Count];   // the next pfn each splitter takes
        for (var i = 0; i < inputs.Count; i++)
        {
            planned[i] = [];
            splitters[i] = new ElfLoadSplitter(inputs[i], (ulong)_pageSize, planned[i]);
            ranges[i] = ElfPfns(inputs[i]);
            next[i] = ranges[i].First;
        }
        var excludeZero = (Level & DumpLevel.Zero) != 0;
        var zero = new byte[_dumpable.Length];
        var page = new byte[_pageSize];
        // Every window in turn, as the filter walks struct pages forward (a window that does not
        // continue the last one makes it start again from pfn 0).
        for (ulong w = 0; w < _maxMapNr; w += (ulong)_windowPfns)
        {
            cancellation.ThrowIfCancellationRequested();
            var n = (int)Math.Min((ulong)_windowPfns, _maxMapNr - w);
            FillWindow(w, count: !countPerLoad);
            if (excludeZero)
            {
                var zeros = ClearZeroPages(w, n, page, zero);
                if (!countPerLoad) Report.Counts.AddZero(zeros);
            }
            for (var i = 0; i < inputs.Count; i++)
            {
                var (first, end) = ranges[i];
                var stop = Math.Min(end, w + (ulong)n);
                var from = Math.Max(first & ~7UL, w);
                if (countPerLoad && from < stop)
                {
                    if (_categories is not null) Report.Counts.Add(_categories.AsSpan((int)(from - w), (int)(stop - from)));
                    if (excludeZero) Report.Counts.AddZero((ulong)PopCountBits(zero, from - w, stop - w));
                }
                for (; next[i] < stop; next[i]++)
                {
                    var b = next[i] - w;
                    splitters[i].Take(next[i], (_dumpable[(int)(b >> 3)] & (1 << (int)(b & 7))) != 0);
                }
            }
        }
        ulong excluded = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            // Pfns at or past max_mapnr are never kept.
            for (; next[i] < ranges[i].End; next[i]++) splitters[i].Take(next[i], false);
            excluded += splitters[i].Finish();
            loads.AddRange(planned[i]);
            while (sources.Count < loads.Count) sources.Add(inputs[i]);
        }
        return excluded;
    }

    /// <summary>
    /// Reads the window's first <paramref name="bits"/> kept pages, clears those that are zero and
    /// marks them in <paramref name="zero"/> (cleared first); returns how many.
    /// </summary>
    private ulong ClearZeroPages(ulong firstPfn, int bits, byte[] page, Span<byte> zero)
    {
        zero.Clear();
        ulong zeros = 0;
        foreach (var (first, count) in EnumerateRuns(firstPfn, bits))
        {
            for (var k = 0; k < count; k++)
            {
                var pfn = first + (ulong)k;
                _input.ReadPages(pfn, 1, page);
                if (!ZeroPage.IsZeroPage(page)) continue;
                var i = pfn - firstPfn;
                _dumpable[(int)(i >> 3)] &= unchecked((byte)~(1 << (int)(i & 7)));
                zero[(int)(i >> 3)] |= (byte)(1 << (int)(i & 7));
                zeros++;
            }
        }
        return zeros;
    }

    /// <summary>
    /// The pfns write_elf_pages_cyclic walks for a PT_LOAD: from its first whole page (a partial
    /// first page is written, never filtered) to the end of a partial last page.
    /// </summary>
    private (ulong First, ulong End) ElfPfns(ElfProgramHeader p)
    {
        var ps = (ulong)_pageSize;
        return (PfnUp(p.PhysicalAddress, ps), PfnUp(checked(p.PhysicalAddress + p.MemorySize), ps));
    }

    /// <summary>The first pfn whose page starts at or after <paramref name="address"/>.</summary>
    private static ulong PfnUp(ulong address, ulong pageSize) => (address / pageSize) + (address % pageSize != 0 ? 1UL : 0);

    /// <summary>
    /// The report's counts as write_elf_pages_cyclic makes them: the 2nd bitmap is rebuilt for each
    /// input PT_LOAD's pfns, so pages under two PT_LOADs (the kernel text inside the direct map's
    /// RAM) are counted twice, zero pages included. Windows of the filter again, and the zero map.
    /// Its range per PT_LOAD: from the first whole page, rounded down to 8 pfns (first_cycle: an
    /// ELF cycle starts on a bitmap byte), so a page split between two PT_LOADs counts in both, to
    /// the end of a partial last page.
    /// </summary>
    private void CountPerLoad(IReadOnlyList<ElfProgramHeader> loads, byte[]? zero, CancellationToken cancellation)
    {
        var ps = (ulong)_pageSize;
        foreach (var p in loads)
        {
            var (first, end) = ElfPfns(p);
            (first, end) = (first & ~7UL, Math.Min(end, _maxMapNr));
            for (var w = first; w < end; w += (ulong)_windowPfns)
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
        var zeroWindow = new byte[_dumpable.Length];
        var page = new byte[_pageSize];
        for (ulong w = 0; w < _maxMapNr; w += (ulong)_windowPfns)
        {
            cancellation.ThrowIfCancellationRequested();
            FillWindow(w, countOnce);
            var bytes = (int)Math.Min((ulong)_dumpable.Length, (ulong)map.Length - w / 8);
            if (excludeZero)
            {
                var zeros = ClearZeroPages(w, bytes * 8, page, zeroWindow);
                if (countOnce) Report.Counts.AddZero(zeros);
                zeroWindow.AsSpan(0, bytes).CopyTo(zero!.AsSpan((int)(w / 8)));
            }
            // Windows start on whole bytes of the map (window sizes are multiples of 8 pfns).
            _dumpable.AsSpan(0, bytes).CopyTo(map.AsSpan((int)(w / 8)));
            finder?.Scan(w, _inMemory, _dumpable);
        }
        return (map, zero);
    }
}
