using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Kdump.Compression;

// Usage: codecs VMCORE [MiB] [NAME-PART]: compresses non-zero 4 KiB pages of VMCORE (from 64 MiB in, to skip the
// kernel image) with each encoder, single thread, after a warm-up pass; prints MB/s of input and ratio.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: codecs VMCORE [MiB]");
    return 2;
}
var mib = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 256;
var pages = new List<byte[]>();
using (var f = File.OpenRead(args[0]))
{
    f.Position = Math.Min(64L << 20, f.Length / 4) & ~4095L;
    var page = new byte[4096];
    while (pages.Count < mib * 256 && f.Read(page) == 4096)
    {
        if (page.AsSpan().ContainsAnyExcept((byte)0)) pages.Add((byte[])page.Clone());
    }
}
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
// encoders so that load from elsewhere on the machine hits all of them alike.
var chosen = encoders.Where(e => args.Length < 3 || e.Name.Contains(args[2], StringComparison.Ordinal)).ToArray();
var rounds = chosen.Length <= 2 ? 7 : 3;
var dst = new byte[8192];
var best = new double[chosen.Length];
var storedBytes = new long[chosen.Length];
Array.Fill(best, double.MaxValue);
foreach (var (_, encode) in chosen)
    foreach (var p in pages.Take(2000)) encode(p, dst);
for (var round = 0; round < rounds; round++)
{
    for (var e = 0; e < chosen.Length; e++)
    {
        long stored = 0;
        var sw = Stopwatch.StartNew();
        foreach (var p in pages) stored += Math.Min(chosen[e].Encode(p, dst), 4096);
        best[e] = Math.Min(best[e], sw.Elapsed.TotalSeconds);
        storedBytes[e] = stored;
    }
}
var input = pages.Count * 4096.0;
for (var e = 0; e < chosen.Length; e++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{chosen[e].Name,-36} {input / best[e] / 1e6,8:F0} MB/s  ratio {input / storedBytes[e],5:F3}"));
return 0;

static int BclZlib(byte[] s, byte[] d)
{
    using var ms = new MemoryStream(d);
    using (var z = new System.IO.Compression.ZLibStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        z.Write(s);
    return (int)ms.Position;
}
