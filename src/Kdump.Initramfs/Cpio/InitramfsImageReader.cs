using System.IO.Compression;
using System.Text;
using Kdump.Compression;
using Kdump.Primitives.Errors;

namespace Kdump.Initramfs.Cpio;

/// <summary>
/// Reads named files out of an initramfs the way the kernel's unpacker walks it
/// (init/initramfs.c <c>unpack_to_rootfs</c>): newc archives one after another, zero padding
/// between them (an archive must start on a 4-byte boundary, compressed data need not), and a
/// compressed segment, whose output is again archives and zero padding (there every archive
/// starts on a 4-byte boundary). dracut writes the early cpio plain and the main archive
/// compressed, last; a compressed segment is therefore read to the end of the file (the kernel
/// would go on after its first gzip member or zstd frame; neither dracut nor our mkdumprd writes
/// anything there). gzip, zstd (what our mkdumprd writes, and Fedora's and Debian's dracut
/// defaults) and xz (dracut's <c>compress="xz"</c>, through liblzma) are decompressed; other
/// compressors are named and refused.
/// Later entries of the same name replace earlier ones, as unpacking does; a later directory,
/// link or device node of a wanted name removes the file.
/// Zero padding counts against <see cref="CpioReadLimits.MaxArchiveBytes"/> like archive bytes,
/// so that a compressed stream of zeros stops at the limit too.
/// </summary>
public static class InitramfsImageReader
{
    private static readonly (byte[] Magic, string Name)[] s_unsupported =
    [
        ([(byte)'B', (byte)'Z', (byte)'h'], "bzip2"),
        ([0x5D, 0x00, 0x00], "lzma"),
        ([0x89, (byte)'L', (byte)'Z', (byte)'O'], "lzo"),
        ([0x02, 0x21, 0x4C, 0x18], "lz4"),
    ];

    /// <summary>Reads the regular files named <paramref name="names"/> (archive paths; a leading <c>/</c> or <c>./</c> is ignored) from the image at <paramref name="path"/>.</summary>
    public static InitramfsContents ReadFiles(string path, IReadOnlyCollection<string> names, CpioReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        return ReadFiles(stream, path, names, limits);
    }

    /// <summary>As <see cref="ReadFiles(string, IReadOnlyCollection{string}, CpioReadLimits?)"/> from a stream; <paramref name="fileName"/> names it in messages.</summary>
    public static InitramfsContents ReadFiles(Stream image, string fileName, IReadOnlyCollection<string> names, CpioReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(names);
        var walk = new Walk(fileName, new HashSet<string>(names.Select(NormalizeName), StringComparer.Ordinal), limits ?? CpioReadLimits.Default);
        var source = new StreamWindow(image, fileName, "");
        var segments = new List<InitramfsSegment>();
        while (walk.SkipZeroPadding(source, compressed: false))
        {
            var at = source.Offset;
            var head = source.Peek(6);
            if (head.StartsWith("07070"u8))
            {
                var (archives, entries) = walk.Archives(source);
                segments.Add(new InitramfsSegment(InitramfsSegmentKind.Cpio, at, archives, entries));
                continue;
            }
            var kind = head.StartsWith(CompressedFile.GzipMagic) ? InitramfsSegmentKind.Gzip
                : head.StartsWith(CompressedFile.ZstdMagic) ? InitramfsSegmentKind.Zstd
                : head.StartsWith(CompressedFile.XzMagic) ? InitramfsSegmentKind.Xz
                : throw UnknownSegment(source, head, at);
            var (a, e) = Decompress(walk, source, kind, at);
            segments.Add(new InitramfsSegment(kind, at, a, e));
            break;
        }
        if (segments.Count == 0) throw source.Corrupt("initramfs", "", 0, "holds no archive (empty or all zeros)");
        return new InitramfsContents(walk.Files, segments);
    }

    /// <summary>Archive names as the kernel creates them: without leading <c>/</c> and <c>./</c>.</summary>
    public static string NormalizeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var s = name;
        while (true)
        {
            if (s.StartsWith('/')) s = s[1..];
            else if (s.StartsWith("./", StringComparison.Ordinal)) s = s[2..];
            else return s;
        }
    }

    private static (int Archives, int Entries) Decompress(Walk walk, StreamWindow raw, InitramfsSegmentKind kind, long at)
    {
        var label = kind switch { InitramfsSegmentKind.Gzip => "gzip", InitramfsSegmentKind.Zstd => "zstd", _ => "xz" };
        using Stream decompressor = kind switch
        {
            InitramfsSegmentKind.Gzip => new GZipStream(raw.Remainder(), CompressionMode.Decompress),
            InitramfsSegmentKind.Zstd => new ZstdSharp.DecompressionStream(raw.Remainder()),
            _ => Xz(raw, at),
        };
        var inner = new StreamWindow(decompressor, raw.File, $"{label} data at 0x{at:x}: ");
        try
        {
            var archives = 0;
            var entries = 0;
            while (walk.SkipZeroPadding(inner, compressed: true))
            {
                var (a, e) = walk.Archives(inner);
                archives += a;
                entries += e;
            }
            // A cut-short stream can end quietly before its first byte of output.
            if (archives == 0)
                throw DumpErrors.Corrupt(raw.File, $"{label} data", "", at, "decompresses to no archive (cut short or empty)");
            return (archives, entries);
        }
        catch (EndOfStreamException e)
        {
            throw new UnexpectedEndOfDumpException(DumpErrors.Describe(raw.File, $"{label} data", "", at,
                $"the compressed stream ends early after 0x{inner.Offset:x} output bytes (truncated?)"), e) { FilePath = raw.File, Offset = at };
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new DumpCorruptException(DumpErrors.Describe(raw.File, $"{label} data", "", at,
                $"cannot be decompressed after 0x{inner.Offset:x} output bytes: {e.Message}"), e) { FilePath = raw.File, Offset = at };
        }
    }

    private static XzDecoderStream Xz(StreamWindow raw, long at)
    {
        try
        {
            return new XzDecoderStream(raw.Remainder());
        }
        catch (DumpFeatureNotSupportedException e)
        {
            throw new DumpFeatureNotSupportedException(DumpErrors.Describe(raw.File, "xz data", "", at, e.Message), e) { FilePath = raw.File, Offset = at };
        }
    }

    private static Exception UnknownSegment(StreamWindow source, ReadOnlySpan<byte> head, long at)
    {
        foreach (var (magic, name) in s_unsupported)
        {
            if (head.StartsWith(magic))
                return new DumpFeatureNotSupportedException(DumpErrors.Describe(source.File, "segment", name, at,
                    $"{name}-compressed initramfs data is not read (only gzip, zstd and xz)")) { FilePath = source.File, Offset = at };
        }
        return source.Corrupt("segment", CpioNewcHeader.Printable(head), at, "neither a newc cpio archive nor gzip, zstd or xz data");
    }

    /// <summary>State over all segments: what is wanted, what was found, the running totals checked against the limits.</summary>
    private sealed class Walk(string file, HashSet<string> wanted, CpioReadLimits limits)
    {
        private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
        private readonly byte[] _nameBuffer = new byte[limits.MaxNameBytes];
        private int _entries;
        private int _archives;
        private long _archiveBytes;

        public IReadOnlyDictionary<string, byte[]> Files => _files;

        /// <summary>
        /// Consumes zero bytes (counted against the byte limit); true when more data follows. An
        /// archive must start on a 4-byte boundary; in the raw file, compressed data may start
        /// anywhere (unpack_to_rootfs tests the alignment only before the cpio magic).
        /// </summary>
        public bool SkipZeroPadding(StreamWindow source, bool compressed)
        {
            while (true)
            {
                var window = source.Peek(4096);
                if (window.Length == 0) return false;
                var nonZero = window.IndexOfAnyExcept((byte)0);
                var zeros = nonZero < 0 ? window.Length : nonZero;
                _archiveBytes = checked(_archiveBytes + zeros);
                if (_archiveBytes > limits.MaxArchiveBytes)
                    throw DumpErrors.OverLimit(file, source.Where + "archive bytes", (ulong)_archiveBytes, (ulong)limits.MaxArchiveBytes, source.Offset);
                source.Advance(zeros);
                if (nonZero < 0) continue;
                var first = window[nonZero];
                if ((source.Offset & 3) != 0 && (compressed || first == (byte)'0'))
                    throw source.Corrupt("padding", "", source.Offset, "data after zero padding does not start on a 4-byte boundary (broken padding)");
                if (compressed && first != (byte)'0')
                    throw source.Corrupt("archive", CpioNewcHeader.Printable(source.Peek(6)), source.Offset, "junk within compressed archive (no cpio magic)");
                return true;
            }
        }

        /// <summary>One or more archives back to back (a plain segment holds one; its padding ends it).</summary>
        public (int Archives, int Entries) Archives(StreamWindow source)
        {
            var before = _entries;
            _archives = checked(_archives + 1);
            if (_archives > limits.MaxArchives)
                throw DumpErrors.OverLimit(file, source.Where + "archive count", (ulong)_archives, (ulong)limits.MaxArchives, source.Offset);
            Span<byte> header = stackalloc byte[CpioNewcHeader.Size];
            while (true)
            {
                var at = source.Offset;
                if (source.Peek(1).Length == 0)
                    throw source.Corrupt("archive", "", at, "ends without its TRAILER!!! entry");
                source.ReadExactly(header, "cpio header");
                var f = CpioNewcHeader.ReadCore(header, file, at, source.Where);
                if (f.NameSize == 0 || f.NameSize > limits.MaxNameBytes)
                    throw f.NameSize == 0
                        ? source.Corrupt("c_namesize", "0", at + CpioNewcHeader.FieldLocations.NameSize, "a name needs at least its NUL byte")
                        : DumpErrors.OverLimit(file, source.Where + "c_namesize", f.NameSize, (ulong)limits.MaxNameBytes, at + CpioNewcHeader.FieldLocations.NameSize);
                var name = ReadName(source, _nameBuffer.AsSpan(0, (int)f.NameSize), at);
                var namePad = CpioNewcHeader.PadTo4(CpioNewcHeader.Size + (long)f.NameSize);
                source.Skip(namePad, "cpio name padding");
                var dataPad = CpioNewcHeader.PadTo4(f.FileSize);
                _archiveBytes = checked(_archiveBytes + CpioNewcHeader.Size + f.NameSize + namePad + f.FileSize + dataPad);
                if (_archiveBytes > limits.MaxArchiveBytes)
                    throw DumpErrors.OverLimit(file, source.Where + "archive bytes", (ulong)_archiveBytes, (ulong)limits.MaxArchiveBytes, at);
                if (name == CpioNewcHeader.TrailerName)
                {
                    source.Skip(f.FileSize + (long)dataPad, "trailer data");
                    return (1, _entries - before);
                }
                _entries = checked(_entries + 1);
                if (_entries > limits.MaxEntries)
                    throw DumpErrors.OverLimit(file, source.Where + "entry count", (ulong)_entries, (ulong)limits.MaxEntries, at);
                var path = NormalizeName(name);
                var isWanted = wanted.Contains(path);
                if (isWanted && (f.Mode & 0xF000) != UnixMode.Regular) _files.Remove(path);
                if (isWanted && (f.Mode & 0xF000) == UnixMode.Regular)
                {
                    if (f.FileSize > limits.MaxExtractedFileBytes)
                        throw DumpErrors.OverLimit(file, source.Where + $"c_filesize of {path}", f.FileSize, (ulong)limits.MaxExtractedFileBytes, at + CpioNewcHeader.FieldLocations.FileSize);
                    var data = new byte[f.FileSize];
                    source.ReadExactly(data, $"data of {path}");
                    _files[path] = data;
                }
                else
                {
                    source.Skip(f.FileSize, $"data of {path}");
                }
                source.Skip(dataPad, $"data padding of {path}");
            }
        }

        private static string ReadName(StreamWindow source, Span<byte> buffer, long headerAt)
        {
            source.ReadExactly(buffer, "cpio name");
            if (buffer[^1] != 0)
                throw source.Corrupt("name", CpioNewcHeader.Printable(buffer[..Math.Min(buffer.Length, 64)]), headerAt + CpioNewcHeader.Size,
                    $"is not NUL-terminated within c_namesize {buffer.Length}");
            var end = buffer.IndexOf((byte)0);
            return Encoding.UTF8.GetString(buffer[..end]);
        }
    }
}
