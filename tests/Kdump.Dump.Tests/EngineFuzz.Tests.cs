using System.Diagnostics;
using Kdump.Compression;
using Kdump.Formats;
using Kdump.Formats.Diskdump;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives.IO;
using Kdump.Tests.Shared;

namespace Kdump.Dump.Tests;

/// <summary>
/// Time-boxed mutation fuzzing of the engine without a kernel (levels 0 and 1; the struct page
/// filter is fuzzed by MemMapFuzzTests and RealVmcoreFuzzTests): a generated ELF vmcore, and the
/// kdump-compressed dump the engine makes of it (re-filtering), damaged in their headers, program
/// headers, notes, bitmaps and page descriptors, then dumped again (kdump-compressed, and ELF for
/// ELF inputs). Every case ends with a dump or a KdumpException: no other exception, no hang, no
/// allocation by a size read from the damage. Fixed seeds; KDUMP_FUZZ_SECONDS and KDUMP_FUZZ_SEED
/// as the reader fuzzers.
/// </summary>
public sealed class EngineFuzzTests
{
    private static readonly TimeSpan s_perCase = TimeSpan.FromSeconds(10);
    private const long MaxAllocatedBytesPerCase = 256L << 20;
    private const ulong MaxPfnsDumped = 1UL << 26;

    private static TimeSpan Budget => FuzzSettings.Budget(3);

    private static int Seed => FuzzSettings.Seed();

    [Fact]
    public void Damaged_elf_vmcores_dump_or_fail_cleanly() => Run(GeneratedDumpTests.MakeVmcore(), hot: 4096, seed: 1, elfOutput: true);

    [Fact]
    public void Damaged_kdump_compressed_dumps_refilter_or_fail_cleanly()
    {
        using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(GeneratedDumpTests.MakeVmcore(), "generated.elf")));
        using var file = new MemoryStream();
        var output = new StreamOutput(file);
        new KdumpCompressedDumper(input, output, new DumpOptions { Codec = PageCodecs.Lzo, Level = DumpLevel.Zero }).Write();
        // Headers, bitmaps and the descriptor table sit in the first 5 pages here.
        Run(file.ToArray(), hot: 5 * 4096, seed: 2, elfOutput: false);
    }

    private static void Run(byte[] seedBytes, int hot, int seed, bool elfOutput)
    {
        var rng = new Random(unchecked((Seed * 1000) + seed));
        var runs = 0;
        var dumped = 0;
        var large = 0;
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < Budget; runs++)
        {
            var bytes = (byte[])seedBytes.Clone();
            var damage = new List<string>();
            for (var i = rng.Next(1, 6); i > 0; i--) damage.Add(Damage(bytes, hot, rng));
            var threads = rng.Next(1, 3);
            var what = $"run {runs}, threads {threads}: {string.Join(", ", damage)}";
            var tooLarge = false;
            // The allocation bound counts this thread: with 2 threads the workers' buffers are not counted.
            var ran = FuzzSettings.RunCase(what, s_perCase, MaxAllocatedBytesPerCase, () =>
            {
                using var input = DumpInput.Open(DumpOpener.Open(new MemoryByteSource(bytes, "mutant")));
                // A damaged address can claim petabytes: the bitmaps (and upstream's) then grow with
                // it by design, a window at a time, so time and garbage scale; such a mutant only
                // has to open.
                tooLarge = input.MaxMapNr > MaxPfnsDumped;
                if (tooLarge) return;
                var options = new DumpOptions { Codec = PageCodecs.Lzo, Level = (DumpLevel)rng.Next(2), Threads = threads, WindowPfns = 1 << rng.Next(3, 21) };
                new KdumpCompressedDumper(input, new DiscardDumpOutput("out"), options).Write();
                if (elfOutput) new KdumpCompressedDumper(input, new DiscardDumpOutput("out.elf"), options).WriteElf();
            });
            if (tooLarge) large++;
            else if (ran) dumped++;
        }
        Assert.True(runs > 10, $"only {runs} runs");
        Assert.True(dumped > 0, $"none of {runs} mutants dumped ({large} too large to dump)");
    }

    /// <summary>Damages one spot, mostly in the first <paramref name="hot"/> bytes; says what it did.</summary>
    private static string Damage(byte[] bytes, int hot, Random rng)
    {
        var at = rng.Next(8) == 0 ? rng.Next(bytes.Length) : rng.Next(Math.Min(hot, bytes.Length));
        switch (rng.Next(4))
        {
            case 0:
                var bit = rng.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return $"bit {bit} @0x{at:x}";
            case 1:
                bytes[at] = (byte)(rng.Next(4) switch { 0 => 0, 1 => 0xff, 2 => 0x7f, _ => 0x80 });
                return $"byte 0x{bytes[at]:x2} @0x{at:x}";
            default:
                at &= ~7;
                var value = rng.Next(6) switch
                {
                    0 => 0UL,
                    1 => ulong.MaxValue,
                    2 => 1UL << rng.Next(64),
                    3 => (ulong)rng.NextInt64(1L << 32),
                    4 => (ulong)long.MaxValue,
                    _ => (ulong)rng.NextInt64(),
                };
                var n = Math.Min(8, bytes.Length - at);
                BitConverter.GetBytes(value).AsSpan(0, n).CopyTo(bytes.AsSpan(at));
                return $"u64 0x{value:x} @0x{at:x}";
        }
    }

    /// <summary>A seekable in-memory output for making the kdump-compressed seed.</summary>
    private sealed class StreamOutput(MemoryStream stream) : IDumpOutput
    {
        public string Name => "seed.kdump";

        public bool IsSeekable => true;

        public void WriteAt(long offset, ReadOnlySpan<byte> data)
        {
            stream.Position = offset;
            stream.Write(data);
        }

        public void EnsureLength(long length)
        {
            if (stream.Length < length) stream.SetLength(length);
        }

        public void Flush()
        {
        }
    }
}
