using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Kdump.Compression;

// Usage: codecs VMCORE [MiB] [NAME-PART] [--kinds]: compresses non-zero 4 KiB pages of an ELF64 VMCORE
// (page by page through its PT_LOADs, after the first 64 MiB, to skip the kernel image) with each
// encoder, single thread, after a warm-up pass; prints MB/s of input and ratio. --kinds also splits
// the pages by what eng/bench/guest/benchfill.c writes (recognised by their look, so kernel pages
// land in "other") and times each kind apart.
var kindsMode = args.Contains("--kinds");
args = [.. args.Where(a => a != "--kinds")];
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: codecs VMCORE [MiB] [NAME-PART] [--kinds]");
    return 2;
}
var mib = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
var pages = ReadPages(args[0], mib * 256);
Console.WriteLine($"{pages.Count} non-zero pages ({pages.Count * 4096L >> 20} MiB) from {args[0]}");

var managedLzo = new Lzo1xCompressor();
var managedSnappy = new SnappyCompressor();
using var zstdSharp = new ZstdSharp.Compressor(1);
var encoders = new (string Name, Func<byte[], byte[], int> Encode)[]
{
    ("lzo1x-1 managed (Lzo1xCompressor)", (s, d) => managedLzo.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("lzo1x-1 liblzo2 (LibraryImport)", (s, d) => NativeLzo.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("zlib-1 libz.so.1 (reset stream)", (s, d) => PageCodecs.Zlib.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("zlib-1 BCL ZLibStream (zlib-ng)", (s, d) => BclZlib(s, d)),
    ("zstd-1 ZstdSharp", (s, d) => zstdSharp.TryWrap(s, d, out var n) ? n : s.Length),
    ("zstd-1 libzstd.so.1 (LibraryImport)", (s, d) => NativeZstd.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("snappy managed (SnappyCompressor)", (s, d) => managedSnappy.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("snappy Snappier", (s, d) => Snappier.Snappy.TryCompress(s, d, out var n) ? n : s.Length),
};
// A third argument keeps only the encoders whose name contains it; rounds alternate between the
// encoders (and kinds) so that load from elsewhere on the machine hits all of them alike.
var chosen = encoders.Where(e => args.Length < 3 || e.Name.Contains(args[2], StringComparison.Ordinal)).ToArray();
var rounds = chosen.Length <= 2 ? 7 : 3;
var dst = new byte[8192];
var groups = kindsMode
    ? pages.GroupBy(Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.ToList())).ToArray()
    : [("all", pages)];
var best = new double[groups.Length, chosen.Length];
var storedBytes = new long[groups.Length, chosen.Length];
foreach (var (_, encode) in chosen)
    foreach (var p in pages.Take(2000)) encode(p, dst);
for (var round = 0; round < rounds; round++)
{
    for (var g = 0; g < groups.Length; g++)
    {
        for (var e = 0; e < chosen.Length; e++)
        {
            long stored = 0;
            var sw = Stopwatch.StartNew();
            foreach (var p in groups[g].Item2) stored += Math.Min(chosen[e].Encode(p, dst), 4096);
            var s = sw.Elapsed.TotalSeconds;
            if (round == 0 || s < best[g, e]) best[g, e] = s;
            storedBytes[g, e] = stored;
        }
    }
}
for (var g = 0; g < groups.Length; g++)
{
    var (kind, list) = groups[g];
    var input = list.Count * 4096.0;
    if (kindsMode) Console.WriteLine($"{kind}: {list.Count} pages");
    for (var e = 0; e < chosen.Length; e++)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{chosen[e].Name,-36} {input / best[g, e] / 1e6,8:F0} MB/s  ratio {input / storedBytes[g, e],5:F3}  {best[g, e],6:F3} s"));
}
return 0;

// Page-aligned pages of the PT_LOADs (a copy with relocated headers has unaligned file offsets).
static List<byte[]> ReadPages(string path, int limit)
{
    var pages = new List<byte[]>();
    using var f = File.OpenRead(path);
    var eh = new byte[64];
    f.ReadExactly(eh);
    var phoff = BinaryPrimitives.ReadInt64LittleEndian(eh.AsSpan(32));
    var phnum = BinaryPrimitives.ReadUInt16LittleEndian(eh.AsSpan(56));
    var ph = new byte[56 * phnum];
    f.Position = phoff;
    f.ReadExactly(ph);
    var page = new byte[4096];
    var skip = 64 * 256;
    for (var i = 0; i < phnum && pages.Count < limit; i++)
    {
        var h = ph.AsSpan(i * 56, 56);
        if (BinaryPrimitives.ReadUInt32LittleEndian(h) != 1) continue;
        var offset = BinaryPrimitives.ReadInt64LittleEndian(h[8..]);
        var size = BinaryPrimitives.ReadInt64LittleEndian(h[32..]);
        f.Position = offset;
        for (long o = 0; o + 4096 <= size && pages.Count < limit; o += 4096)
        {
            f.ReadExactly(page);
            if (skip > 0) { skip--; continue; }
            if (page.AsSpan().ContainsAnyExcept((byte)0)) pages.Add((byte[])page.Clone());
        }
    }
    return pages;
}

// benchfill's kinds by their look: its records start with "RECORD" magic, sparse pages are nearly
// all zero, text is printable, random pages do not compress.
static string Kind(byte[] p)
{
    if (BinaryPrimitives.ReadUInt64LittleEndian(p) >> 16 == 0x5245434f5244UL) return "records";
    int zeros = 0, printable = 0;
    foreach (var b in p)
    {
        if (b == 0) zeros++;
        else if (b is (>= 32 and < 127) or (byte)'\n') printable++;
    }
    if (zeros > 3500) return "sparse";
    if (printable > 4000) return "text";
    var d = new byte[8192];
    return NativeLzo.Compress(p, d, out var n) == OperationStatus.Done && n < 4000 ? "other" : "random";
}

static int BclZlib(byte[] s, byte[] d)
{
    using var ms = new MemoryStream(d);
    using (var z = new System.IO.Compression.ZLibStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        z.Write(s);
    return (int)ms.Position;
}
