using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Kdump.Compression;

// Usage: codecs VMCORE [MiB]: compresses non-zero 4 KiB pages of VMCORE (from 64 MiB in, to skip the
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
using var zstdSharp = new ZstdSharp.Compressor(1);
var encoders = new (string Name, Func<byte[], byte[], int> Encode)[]
{
    ("lzo1x-1 managed (Lzo1xCompressor)", (s, d) => managedLzo.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("lzo1x-1 liblzo2 (LibraryImport)", (s, d) => NativeLzo.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("zlib-1 libz.so.1 (reset stream)", (s, d) => PageCodecs.Zlib.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("zlib-1 BCL ZLibStream (zlib-ng)", (s, d) => BclZlib(s, d)),
    ("zstd-1 ZstdSharp", (s, d) => zstdSharp.TryWrap(s, d, out var n) ? n : s.Length),
    ("zstd-1 libzstd.so.1 (LibraryImport)", (s, d) => NativeZstd.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
    ("snappy Snappier", (s, d) => PageCodecs.Snappy.Compress(s, d, out var n) == OperationStatus.Done ? n : s.Length),
};
var dst = new byte[8192];
foreach (var (name, encode) in encoders)
{
    foreach (var p in pages.Take(2000)) encode(p, dst);
    var best = double.MaxValue;
    long stored = 0;
    for (var round = 0; round < 3; round++)
    {
        stored = 0;
        var sw = Stopwatch.StartNew();
        foreach (var p in pages) stored += Math.Min(encode(p, dst), 4096);
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    var input = pages.Count * 4096.0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-36} {input / best / 1e6,8:F0} MB/s  ratio {input / stored,5:F3}"));
}
return 0;

static int BclZlib(byte[] s, byte[] d)
{
    using var ms = new MemoryStream(d);
    using (var z = new System.IO.Compression.ZLibStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        z.Write(s);
    return (int)ms.Position;
}
