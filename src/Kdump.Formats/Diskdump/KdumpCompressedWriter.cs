using Kdump.Primitives;

namespace Kdump.Formats.Diskdump;

/// <summary>
/// Writes a kdump-compressed file in makedumpfile's layout and order (formats.md §2.8): headers and
/// notes, bitmaps in windows, then one descriptor and its data per dumpable pfn in increasing pfn
/// order through two write caches. The data cache is always flushed before the descriptor cache,
/// so a descriptor on disk never points at data that is not: when a write fails (ENOSPC, EIO) the
/// descriptors not yet written stay zero, which readers take as "page lost" once the header says
/// incomplete (<see cref="MarkIncomplete"/>).
/// </summary>
public sealed class KdumpCompressedWriter
{
    private readonly IDumpOutput _output;
    private readonly DataLayout _dataLayout;
    private readonly byte[] _descCache;
    private readonly byte[] _dataCache;
    private int _descFill;
    private int _dataFill;
    private readonly long _bitmapBytesToWrite;
    private long _descFlushedTo;
    private long _dataFlushedTo;
    private long _nextDataOffset;
    private long _descriptorsWritten;
    private PageDescriptor _zeroDescriptor;
    private bool _zeroWritten;

    /// <param name="cacheBytes">Size of each write cache: 2^<c>-b</c> pages in makedumpfile (64 KiB by default).</param>
    /// <param name="wholeBitmapBlocks">
    /// Write each bitmap to the end of its last block, as makedumpfile does from its bitmap file
    /// (non-cyclic: --work-dir, -e, re-filtering, reassembling, or bitmaps that fit its cyclic
    /// buffer); otherwise only the bytes that hold pfns below
    /// max_mapnr, as its cyclic buffers do. It shows only in a --split part without pages, which
    /// ends with its bitmaps.
    /// </param>
    public KdumpCompressedWriter(IDumpOutput output, KdumpCompressedLayout layout, DataLayout dataLayout, int cacheBytes, bool wholeBitmapBlocks = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheBytes, layout.BlockSize);
        _output = output;
        Layout = layout;
        _dataLayout = dataLayout;
        _descCache = new byte[cacheBytes / PageDescriptor.Length * PageDescriptor.Length];
        _dataCache = new byte[cacheBytes];
        _descFlushedTo = layout.DescriptorOffset;
        _dataFlushedTo = layout.DataOffset;
        _nextDataOffset = layout.DataOffset;
        _bitmapBytesToWrite = wholeBitmapBlocks ? layout.BitmapBytes : checked((long)((layout.MaxMapNr + 7) / 8));
    }

    public KdumpCompressedLayout Layout { get; }

    /// <summary>Descriptors accepted so far (written or cached).</summary>
    public long DescriptorsWritten => _descriptorsWritten;

    /// <summary>End of the page data accepted so far: the file length once finished.</summary>
    public long DataEnd => _nextDataOffset;

    /// <summary>Header block, sub header and notes, as makedumpfile writes them: header, notes, sub header.</summary>
    public void WriteHeaders(DiskDumpHeader header, KdumpSubHeader subHeader, ReadOnlySpan<byte> notes)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(subHeader);
        WriteHeader(header);
        if (!notes.IsEmpty) _output.WriteAt(Layout.NoteOffset, notes);
        Span<byte> sub = stackalloc byte[KdumpSubHeader.Size64];
        subHeader.WriteCore(sub, _dataLayout);
        _output.WriteAt(Layout.SubHeaderOffset, sub);
    }

    /// <summary>Rewrites block 0 only (the incomplete flag is set this way).</summary>
    public void WriteHeader(DiskDumpHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        Span<byte> block = stackalloc byte[DiskDumpHeader.FieldLocations.Bits64.Size];
        header.WriteCore(block, _dataLayout);
        _output.WriteAt(0, block);
    }

    /// <summary>Bitmap bytes for pfns from <paramref name="firstPfn"/> (a multiple of 8).</summary>
    public void WriteBitmaps(ulong firstPfn, ReadOnlySpan<byte> inMemory, ReadOnlySpan<byte> dumpable)
    {
        if ((firstPfn & 7) != 0) throw new ArgumentException("bitmap windows start on a byte boundary", nameof(firstPfn));
        var at = checked((long)(firstPfn / 8));
        if (at + inMemory.Length > Layout.BitmapBytes || at + dumpable.Length > Layout.BitmapBytes)
            throw new ArgumentOutOfRangeException(nameof(firstPfn), "bitmap window beyond bitmap_blocks");
        if (at >= _bitmapBytesToWrite) return;
        var n = (int)Math.Min(inMemory.Length, _bitmapBytesToWrite - at);
        _output.WriteAt(Layout.FirstBitmapOffset + at, inMemory[..n]);
        _output.WriteAt(Layout.SecondBitmapOffset + at, dumpable[..Math.Min(n, dumpable.Length)]);
    }

    /// <summary>makedumpfile -d 1: one page of zeros first, shared by every zero page's descriptor.</summary>
    public void WriteSharedZeroPage()
    {
        if (_zeroWritten || _descriptorsWritten > 0) throw new InvalidOperationException("the shared zero page comes first");
        _zeroDescriptor = new PageDescriptor(_nextDataOffset, (uint)Layout.BlockSize, 0, 0);
        AppendData(new byte[Layout.BlockSize]);
        _zeroWritten = true;
    }

    /// <summary>The descriptor of a zero page: the shared zero page's.</summary>
    public void AddZeroPage()
    {
        if (!_zeroWritten) throw new InvalidOperationException("no shared zero page was written");
        AppendDescriptor(_zeroDescriptor);
    }

    /// <summary>One stored page: <paramref name="flags"/> 0 for raw, else its DUMP_DH_COMPRESSED_* bit.</summary>
    public void AddPage(ReadOnlySpan<byte> stored, uint flags)
    {
        if (stored.IsEmpty || stored.Length > Layout.BlockSize) throw new ArgumentException("a stored page is 1..block_size bytes", nameof(stored));
        var pd = new PageDescriptor(_nextDataOffset, (uint)stored.Length, flags, 0);
        AppendData(stored);
        AppendDescriptor(pd);
    }

    private void AppendData(ReadOnlySpan<byte> bytes)
    {
        if (_dataFill + bytes.Length > _dataCache.Length) FlushCaches();
        bytes.CopyTo(_dataCache.AsSpan(_dataFill));
        _dataFill += bytes.Length;
        _nextDataOffset = checked(_nextDataOffset + bytes.Length);
    }

    private void AppendDescriptor(PageDescriptor pd)
    {
        if (_descriptorsWritten >= Layout.DescriptorCount)
            throw new InvalidOperationException($"more pages than the {Layout.DescriptorCount} descriptors planned");
        if (_descFill + PageDescriptor.Length > _descCache.Length) FlushCaches();
        pd.WriteCore(_descCache.AsSpan(_descFill, PageDescriptor.Length), _dataLayout);
        _descFill += PageDescriptor.Length;
        _descriptorsWritten++;
    }

    /// <summary>Data first, then the descriptors that point at it.</summary>
    public void FlushCaches()
    {
        if (_dataFill > 0)
        {
            _output.WriteAt(_dataFlushedTo, _dataCache.AsSpan(0, _dataFill));
            _dataFlushedTo += _dataFill;
            _dataFill = 0;
        }
        if (_descFill > 0)
        {
            _output.WriteAt(_descFlushedTo, _descCache.AsSpan(0, _descFill));
            _descFlushedTo += _descFill;
            _descFill = 0;
        }
    }

    /// <summary>
    /// After the last page: the eraseinfo (the input's when re-filtering, then this dump's erase
    /// lines) at the end of the page data, and the sub header rewritten to point at it, as
    /// write_kdump_eraseinfo. Nothing when there is none.
    /// </summary>
    public void WriteEraseInfo(ReadOnlySpan<byte> eraseInfo, KdumpSubHeader subHeader)
    {
        ArgumentNullException.ThrowIfNull(subHeader);
        if (eraseInfo.IsEmpty) return;
        FlushCaches();
        var offset = _nextDataOffset;
        _output.WriteAt(offset, eraseInfo);
        _nextDataOffset = checked(_nextDataOffset + eraseInfo.Length);
        _dataFlushedTo = _nextDataOffset;
        Span<byte> sub = stackalloc byte[KdumpSubHeader.Size64];
        (subHeader with { OffsetEraseInfo = (ulong)offset, SizeEraseInfo = (ulong)eraseInfo.Length }).WriteCore(sub, _dataLayout);
        _output.WriteAt(Layout.SubHeaderOffset, sub);
    }

    /// <summary>
    /// Flushes the caches; the page count must match the plan (<paramref name="expectedDescriptors"/>
    /// for one file of a --split set, whose table is sized for the whole set but holds only its range).
    /// </summary>
    public void Finish(long? expectedDescriptors = null)
    {
        FlushCaches();
        var expected = expectedDescriptors ?? Layout.DescriptorCount;
        if (_descriptorsWritten != expected)
            throw new InvalidOperationException($"{_descriptorsWritten} descriptors written, {expected} planned");
        _output.Flush();
    }

    /// <summary>
    /// Best effort after a failure: set DUMP_DH_COMPRESSED_INCOMPLETE in block 0. The file stays as
    /// long as what was written, as upstream's (a -L cut is exactly as long as 1.7.8's); readers
    /// take the descriptors past its end of an incomplete file as pages not stored.
    /// </summary>
    public void MarkIncomplete(DiskDumpHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        WriteHeader(header with { Status = header.Status | DiskDumpStatus.Incomplete });
        _output.Flush();
    }
}
