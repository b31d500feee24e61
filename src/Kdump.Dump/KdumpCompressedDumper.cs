using System.Numerics;
using Kdump.Formats.Diskdump;
using Kdump.Kernel.Pages;

namespace Kdump.Dump;

/// <summary>
/// Writes a kdump-compressed dump from a <see cref="DumpInput"/> (makedumpfile's create_dumpfile for
/// kdump output). Two passes over windows of pfns, as makedumpfile's cyclic mode: the first counts the
/// dumpable pages (the descriptor table's size fixes where data starts), the second writes each
/// window's bitmaps and pages. Memory is a window's bitmaps plus a few page batches, whatever the dump
/// size. With <see cref="DumpOptions.Threads"/> &gt; 1, workers compress batches while this thread
/// reads and writes them in pfn order, so the file is the same bytes for any thread count.
/// </summary>
public sealed partial class KdumpCompressedDumper
{
    private const int BatchPages = 256;

    /// <summary>Write caches are at least this big: fewer, larger writes; the bytes written are the same for any size.</summary>
    private const int MinCacheBytes = 1 << 20;

    /// <summary>
    /// What one compression worker adds at most: the two page batches it may have in flight (data,
    /// output and a read copy when the input is not mapped). The CLI bounds --num-threads with it.
    /// </summary>
    public static long BytesPerThread(int pageSize) => 2 * PageBatch.Bytes(BatchPages, pageSize);

    private readonly DumpInput _input;
    private readonly IDumpOutput _output;
    private readonly DumpOptions _options;
    private readonly int _pageSize;
    private readonly ulong _maxMapNr;
    private readonly int _windowPfns;
    private readonly byte[] _inMemory;
    private readonly byte[] _dumpable;
    private readonly PageCategory[]? _categories;

    /// <summary>-e: backing pages of unused struct pages, cleared from every window's 2nd bitmap once found.</summary>
    private PfnRange[]? _vmemmapCut;

    public KdumpCompressedDumper(DumpInput input, IDumpOutput output, DumpOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        _input = input;
        _output = output;
        _options = options;
        _pageSize = input.PageSize;
        _maxMapNr = input.MaxMapNr;
        // Windows cover whole bitmap blocks so every bitmap byte is written exactly once.
        var blockPfns = _pageSize * 8;
        _windowPfns = Math.Max(blockPfns, options.WindowPfns / blockPfns * blockPfns);
        _inMemory = new byte[_windowPfns / 8];
        _dumpable = new byte[_windowPfns / 8];
        if (UsesFilter) _categories = new PageCategory[_windowPfns];
        Level = (DumpLevel)((int)options.Level | input.PreviousDumpLevel);
        Report = new DumpReport(input.PfnMap);
    }

    /// <summary>The level written: the requested one ORed with the input's (re-filtering keeps what was dropped).</summary>
    public DumpLevel Level { get; }

    private bool UsesFilter => _options.Filter is not null && ((int)_options.Level & ~(int)DumpLevel.Zero) != 0;

    public DumpReport Report { get; }

    /// <summary>The whole dump into one output.</summary>
    public DumpReport Write(CancellationToken cancellation = default)
    {
        FindUnusedVmemmap(cancellation);
        var layout = new KdumpCompressedLayout
        {
            BlockSize = _pageSize,
            MaxMapNr = _maxMapNr,
            NoteBytes = _input.NoteBytes.Length,
            DescriptorCount = CountDumpable(),
        };
        Report.DescriptorPages = layout.DescriptorCount;
        return WriteRange(_output, layout, 0, _maxMapNr, split: false, cancellation);
    }

    /// <summary>Most splitblocks --split counts (4 bytes each, 16 MiB): a hostile max_mapnr or a tiny --splitblock-size is refused, not allocated.</summary>
    public const long MaxSplitblocks = 1L << 22;

    /// <summary>
    /// makedumpfile --split: one file per output, split where makedumpfile splits (setup_splitting):
    /// dumpable pages are counted per splitblock (only whole blocks below max_mapnr count, as
    /// upstream's table records them), and each file but the last takes whole blocks until it holds
    /// its share, total / files, or more. Every file has the full bitmaps and a descriptor table sized
    /// for the whole dump, filled from its start.
    /// </summary>
    public DumpReport WriteSplit(IReadOnlyList<IDumpOutput> outputs, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < 2) throw new ArgumentException("--split needs two or more outputs", nameof(outputs));
        if (_options.SplitblockBytes <= 0 || _options.SplitblockBytes % _pageSize != 0)
            throw new ArgumentException($"splitblock size {_options.SplitblockBytes} is not a positive multiple of the page size {_pageSize}", nameof(outputs));
        var blockPfns = (ulong)(_options.SplitblockBytes / _pageSize);
        var blocks = (_maxMapNr + blockPfns - 1) / blockPfns;
        if (blocks > MaxSplitblocks)
            throw new Primitives.Errors.DumpFeatureNotSupportedException($"--split of {_maxMapNr} pfns in blocks of {blockPfns} pages needs {blocks} splitblocks (at most {MaxSplitblocks})");
        var perBlock = new int[blocks];
        FindUnusedVmemmap(cancellation);
        var layout = new KdumpCompressedLayout
        {
            BlockSize = _pageSize,
            MaxMapNr = _maxMapNr,
            NoteBytes = _input.NoteBytes.Length,
            DescriptorCount = CountDumpable(perBlock, blockPfns),
        };
        Report.DescriptorPages = layout.DescriptorCount;
        var ranges = SplitRanges(perBlock, blockPfns, _maxMapNr, layout.DescriptorCount, outputs.Count);
        // Upstream writes each file in its own process, so one full disk does not stop the others:
        // a failed file is flagged incomplete (WriteRange) and the rest are still written; every
        // failed file is reported at the end. A signal stops them all.
        var failed = new List<(string, IOException)>();
        for (var k = 0; k < outputs.Count; k++)
        {
            try
            {
                WriteRange(outputs[k], layout, ranges[k].Start, ranges[k].End, split: true, cancellation);
            }
            catch (IOException e)
            {
                failed.Add((outputs[k].Name, e));
            }
        }
        if (failed.Count > 0) throw new SplitWriteException(failed);
        return Report;
    }

    /// <summary>
    /// makedumpfile's setup_splitting and calculate_end_pfn_by_splitblock: file k &lt; n-1 starts where
    /// file k-1 ended and takes splitblocks until it has at least <paramref name="dumpable"/> / n
    /// dumpable pages (each file counts its own share); the last file takes the rest up to max_mapnr.
    /// </summary>
    public static (ulong Start, ulong End)[] SplitRanges(ReadOnlySpan<int> perBlock, ulong blockPfns, ulong maxMapNr, long dumpable, int files)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(files, 2);
        var ranges = new (ulong Start, ulong End)[files];
        var share = dumpable / files;
        var block = 0;
        ulong end = 0;
        for (var k = 0; k < files - 1; k++)
        {
            var start = end;
            if (start < maxMapNr)
            {
                var needed = share;
                while (block < perBlock.Length && needed > 0) needed -= perBlock[block++];
                end = Math.Min((ulong)block * blockPfns, maxMapNr);
            }
            ranges[k] = (start, end);
        }
        ranges[^1] = (end, maxMapNr);
        return ranges;
    }

    private DumpReport WriteRange(IDumpOutput output, KdumpCompressedLayout layout, ulong startPfn, ulong endPfn, bool split, CancellationToken cancellation)
    {

        var header = MakeHeader(layout);
        var writer = new KdumpCompressedWriter(output, layout, _input.Dump.Layout, Math.Max(_pageSize << _options.CacheOrder, MinCacheBytes), wholeBitmapBlocks: _options.OneCycle);
        var sub = MakeSubHeader(layout);
        if (split)
        {
            sub = sub with
            {
                Split = 1,
                StartPfn32 = Math.Min(startPfn, uint.MaxValue),
                EndPfn32 = Math.Min(endPfn, uint.MaxValue),
                StartPfn64 = startPfn,
                EndPfn64 = endPfn,
            };
        }
        long expected = 0;
        try
        {
            writer.WriteHeaders(header, sub, _input.NoteBytes.Span);
            if ((Level & DumpLevel.Zero) != 0) writer.WriteSharedZeroPage();
            using var pipeline = new PagePipeline(_options.Threads, BatchPages, _pageSize, _options.Codec, (Level & DumpLevel.Zero) != 0);
            var erase = _options.Erase?.Start();
            long copied = 0;
            for (ulong w = 0; w < (ulong)layout.BitmapBytes * 8; w += (ulong)_windowPfns)
            {
                FillWindow(w, count: false);
                var bytes = (int)Math.Min(_inMemory.Length, layout.BitmapBytes - (long)(w / 8));
                writer.WriteBitmaps(w, _inMemory.AsSpan(0, bytes), _dumpable.AsSpan(0, bytes));
                var runs = EnumerateRuns(w, bytes * 8)
                    .Select(r => (First: Math.Max(r.First, startPfn), End: Math.Min(r.First + (ulong)r.Count, endPfn)))
                    .Where(r => r.First < r.End)
                    .Select(r => (r.First, Count: (int)(r.End - r.First)))
                    .ToList();
                expected += runs.Sum(r => (long)r.Count);
                pipeline.Run(
                    runs,
                    _input,
                    batch =>
                    {
                        for (var i = 0; i < batch.Count; i++)
                        {
                            if (batch.Sizes[i] == PageBatch.ZeroPage)
                            {
                                writer.AddZeroPage();
                                Report.Counts.AddZero();
                            }
                            else
                            {
                                writer.AddPage(batch.Stored(i), batch.Flags[i]);
                            }
                        }
                        copied += batch.Count;
                        _options.Progress?.Invoke(copied, layout.DescriptorCount);
                    },
                    cancellation,
                    erase);
            }
            var eraseInfo = Concat(_input.EraseInfo.Span, erase?.EraseInfo());
            Report.EraseInfoOffset = writer.DataEnd;
            Report.EraseInfoSize = eraseInfo.Length;
            writer.WriteEraseInfo(eraseInfo, sub);
            writer.Finish(split ? expected : null);
            Report.WriteBytes = writer.DataEnd;
            return Report;
        }
        catch (Exception)
        {
            // Whatever stopped the copy (a full disk, a signal, a damaged input page, a failed worker),
            // the file on disk is partial and must say so.
            Report.Incomplete = true;
            Report.WriteBytes = writer.DataEnd;
            try
            {
                writer.FlushCaches();
            }
            catch (IOException)
            {
                // The disk is full: what reached it stays, the rest reads as lost.
            }
            try
            {
                writer.MarkIncomplete(header);
            }
            catch (IOException)
            {
                // Block 0 already exists, so this rarely fails; nothing more can be done.
            }
            throw;
        }
    }

    private static byte[] Concat(ReadOnlySpan<byte> first, byte[]? second) => [.. first, .. second ?? []];

    private DiskDumpHeader MakeHeader(KdumpCompressedLayout layout) => new()
    {
        Signature = DiskDumpHeader.KdumpSignature,
        HeaderVersion = DiskDumpHeader.MaxKnownVersion,
        Uts = _input.ReadUtsName(),
        TimestampSeconds = _input.CrashTime,
        Status = (DiskDumpStatus)(uint)(_options.Codec?.Flag ?? 0) | (_options.UnusedVmemmap is null ? 0 : DiskDumpStatus.ExcludedVmemmap),
        BlockSize = _pageSize,
        SubHeaderBlocks = layout.SubHeaderBlocks,
        BitmapBlocks = layout.BitmapBlocks,
        MaxMapNr = (uint)Math.Min(_maxMapNr, uint.MaxValue),
        CpuCount = _input.CpuCount,
    };

    private KdumpSubHeader MakeSubHeader(KdumpCompressedLayout layout)
    {
        var notes = _input.NoteBytes.Span;
        var (vmcoreInfoOffset, vmcoreInfoSize) = FindVmcoreInfo(notes);
        return new KdumpSubHeader
        {
            PhysBase = _input.PhysBase,
            DumpLevel = (int)Level,
            OffsetVmcoreInfo = vmcoreInfoSize == 0 ? 0 : (ulong)(layout.NoteOffset + vmcoreInfoOffset),
            SizeVmcoreInfo = (ulong)vmcoreInfoSize,
            OffsetNote = notes.IsEmpty ? 0 : (ulong)layout.NoteOffset,
            SizeNote = (ulong)notes.Length,
            MaxMapNr64 = _maxMapNr,
        };
    }

    /// <summary>Offset of the VMCOREINFO note's descriptor inside the note bytes, and its n_descsz.</summary>
    private (int Offset, int Size) FindVmcoreInfo(ReadOnlySpan<byte> notes)
    {
        var at = 0;
        foreach (var n in _input.Dump is Memory.ElfDump elf ? elf.Core.Notes : ((Memory.KdumpCompressedDump)_input.Dump).Primary.Notes)
        {
            if (n.Name == Formats.Elf.ElfConstants.VmcoreInfoNoteName)
                return (at + 12 + Formats.Elf.ElfNote.AlignUp(n.Name.Length + 1), n.Descriptor.Length);
            at += n.EncodedSize;
        }
        return (0, 0);
    }

    /// <summary>
    /// Pass 1: the number of page descriptors, and the report's page counts; with
    /// <paramref name="perBlock"/>, the dumpable pages of each whole splitblock of
    /// <paramref name="blockPfns"/> pfns below max_mapnr (a partial last block stays 0, as upstream's table).
    /// </summary>
    private long CountDumpable(Span<int> perBlock = default, ulong blockPfns = 0)
    {
        long total = 0;
        var bitmapBits = ((_maxMapNr + 7) / 8 + (ulong)_pageSize - 1) / (ulong)_pageSize * (ulong)_pageSize * 8;
        for (ulong w = 0; w < bitmapBits; w += (ulong)_windowPfns)
        {
            FillWindow(w, count: true);
            total += PopCount(_dumpable);
            for (var b = w / Math.Max(blockPfns, 1); !perBlock.IsEmpty && b < (ulong)perBlock.Length; b++)
            {
                var first = b * blockPfns;
                if (first >= w + (ulong)_windowPfns) break;
                if (first + blockPfns > _maxMapNr) break;
                var lo = Math.Max(first, w) - w;
                var hi = Math.Min(first + blockPfns, w + (ulong)_windowPfns) - w;
                perBlock[(int)b] += (int)PopCountBits(_dumpable, lo, hi); // at most a window's pfns
            }
        }
        return total;
    }

    /// <summary>Set bits in [<paramref name="lo"/>, <paramref name="hi"/>) of <paramref name="bits"/> (LSB first, as the bitmaps).</summary>
    private static long PopCountBits(ReadOnlySpan<byte> bits, ulong lo, ulong hi)
    {
        long n = 0;
        var i = lo;
        for (; i < hi && (i & 7) != 0; i++) n += (bits[(int)(i >> 3)] >> (int)(i & 7)) & 1;
        var wholeEnd = hi & ~7UL;
        if (i < wholeEnd)
        {
            n += PopCount(bits[(int)(i >> 3)..(int)(wholeEnd >> 3)]);
            i = wholeEnd;
        }
        for (; i < hi; i++) n += (bits[(int)(i >> 3)] >> (int)(i & 7)) & 1;
        return n;
    }

    /// <summary>The window's 1st and 2nd bitmap bytes; with <paramref name="count"/>, adds exclusions to the report.</summary>
    private void FillWindow(ulong firstPfn, bool count)
    {
        _input.FillBitmaps(firstPfn, _inMemory, _dumpable);
        // Nothing at or past max_mapnr (the bitmap's padding up to a block).
        if (firstPfn + (ulong)_windowPfns > _maxMapNr)
        {
            var valid = _maxMapNr > firstPfn ? _maxMapNr - firstPfn : 0;
            for (var i = valid; i < (ulong)_windowPfns; i++)
            {
                var mask = unchecked((byte)~(1 << (int)(i & 7)));
                _inMemory[i >> 3] &= mask;
                _dumpable[i >> 3] &= mask;
            }
        }
        if (_categories is not null && firstPfn < _maxMapNr)
        {
            var n = (int)Math.Min((ulong)_windowPfns, _maxMapNr - firstPfn);
            _options.Filter!.Classify(firstPfn, _categories.AsSpan(0, n));
            if (count) Report.Counts.Add(_categories.AsSpan(0, n));
            for (var i = 0; i < n; i++)
            {
                var category = _categories[i];
                if (category == PageCategory.Dumpable || !IsExcluded(category)) continue;
                var mask = (byte)(1 << (i & 7));
                if ((_dumpable[i >> 3] & mask) == 0) continue;
                _dumpable[i >> 3] &= unchecked((byte)~mask);
            }
        }
        if (_vmemmapCut is not null) UnusedVmemmap.Clear(_vmemmapCut, firstPfn, _dumpable);
    }

    /// <summary>
    /// -e, before anything is counted or written: one pass of the windows as they will be written
    /// finds the unused struct pages (makedumpfile runs it on its finished 2nd bitmap, so it needs
    /// --work-dir for whole-dump bitmap files; the windows give the same bits in bounded memory).
    /// </summary>
    private void FindUnusedVmemmap(CancellationToken cancellation)
    {
        if (_options.UnusedVmemmap is not { } backing || _vmemmapCut is not null) return;
        var finder = new UnusedVmemmap(backing);
        for (ulong w = 0; w < _maxMapNr; w += (ulong)_windowPfns)
        {
            cancellation.ThrowIfCancellationRequested();
            FillWindow(w, count: false);
            finder.Scan(w, _inMemory, _dumpable);
        }
        UseVmemmapCut(finder);
    }

    private PfnRange[] UseVmemmapCut(UnusedVmemmap finder)
    {
        _vmemmapCut = finder.Ranges();
        _options.UnusedVmemmapExcluded?.Invoke(finder.Pages, finder.Capped);
        return _vmemmapCut;
    }

    /// <summary>Which filter categories the -d level drops (makedumpfile __exclude_unnecessary_pages).</summary>
    private bool IsExcluded(PageCategory category) => category switch
    {
        PageCategory.NonPrivateCache => (Level & (DumpLevel.CacheWithoutPrivate | DumpLevel.CacheWithPrivate)) != 0,
        PageCategory.PrivateCache => (Level & DumpLevel.CacheWithPrivate) != 0,
        PageCategory.User => (Level & DumpLevel.User) != 0,
        PageCategory.Free => (Level & DumpLevel.Free) != 0,
        PageCategory.HwPoison or PageCategory.Offline => true,
        _ => false,
    };

    /// <summary>Runs of consecutive dumpable pfns in the current window: (first pfn, count).</summary>
    private IEnumerable<(ulong First, int Count)> EnumerateRuns(ulong firstPfn, int bits)
    {
        var i = 0;
        while (i < bits)
        {
            if ((i & 63) == 0 && i + 64 <= bits && BitConverter.ToUInt64(_dumpable, i >> 3) == 0)
            {
                i += 64;
                continue;
            }
            if ((_dumpable[i >> 3] & (1 << (i & 7))) == 0)
            {
                i++;
                continue;
            }
            var start = i;
            while (i < bits && (_dumpable[i >> 3] & (1 << (i & 7))) != 0) i++;
            yield return (firstPfn + (ulong)start, i - start);
        }
    }

    private static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long n = 0;
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8) n += BitOperations.PopCount(BitConverter.ToUInt64(bytes[i..]));
        for (; i < bytes.Length; i++) n += BitOperations.PopCount(bytes[i]);
        return n;
    }
}
