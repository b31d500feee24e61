using Kdump.Compression;
using Kdump.Formats.Flattened;
using Kdump.Formats.Tests.Diskdump;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;
using Kdump.Tests.Shared;

namespace Kdump.Formats.Tests.Fuzz;

/// <summary>
/// Deterministic mutation fuzzing of each reader. Every mutant must open and read, or fail with a
/// <see cref="KdumpException"/>: no other exception, no hang, no allocation beyond the limits.
/// Time box per reader: KDUMP_FUZZ_SECONDS (default 4); seed: KDUMP_FUZZ_SEED (default 1).
/// eng/fuzz/run.sh runs a longer campaign.
/// </summary>
public class MutationFuzzTests
{
    private static readonly TimeSpan s_perCaseTimeout = TimeSpan.FromSeconds(10);
    private const long MaxAllocatedBytesPerCase = 96L << 20;

    private static readonly ParseLimits s_limits = new()
    {
        MaxProgramHeaders = 4096,
        MaxNoteBytes = 1 << 20,
        MaxVmcoreInfoBytes = 1 << 16,
        MaxInMemoryTableBytes = 8 << 20,
    };

    private static double Seconds => FuzzSettings.Budget(4).TotalSeconds;

    private static int Seed => FuzzSettings.Seed(1);

    /// <summary>The first 64 KiB of a real fixture, if the lab made it (fuzz seeds are optional, unlike fixture tests).</summary>
    private static IEnumerable<byte[]> RealHeads(string file)
    {
        foreach (var r in Lab.Releases)
        {
            var path = Path.Combine(Lab.Dir, "fixtures", r, file);
            if (!System.IO.File.Exists(path)) continue;
            using var fs = System.IO.File.OpenRead(path);
            var head = new byte[Math.Min(64 << 10, fs.Length)];
            fs.ReadExactly(head);
            yield return head;
        }
    }

    public static IEnumerable<byte[]> ElfSeeds()
    {
        foreach (var l in new[] { DataLayout.LittleEndian64, DataLayout.BigEndian64, DataLayout.LittleEndian32, DataLayout.BigEndian32 })
            yield return TestDumps.SmallElf(l, sectionHeaderFirst: l.IsBigEndian).Bytes;
        foreach (var h in RealHeads("proc-vmcore.elf")) yield return h;
        foreach (var h in RealHeads("qmp.elf")) yield return h;
    }

    public static IEnumerable<byte[]> KdumpSeeds()
    {
        foreach (var c in new[] { PageCompression.Zlib, PageCompression.Lzo, PageCompression.Snappy, PageCompression.Zstd, PageCompression.None })
            yield return TestDiskDumpWriter.Standard(c, shareZero: c == PageCompression.Lzo).Write();
        yield return TestDiskDumpWriter.Standard(PageCompression.Zlib, layout: DataLayout.BigEndian64).Write();
        foreach (var h in RealHeads("derived/l-d31.kdump")) yield return h;
    }

    public static IEnumerable<byte[]> FlattenedSeeds()
    {
        var kdump = TestDiskDumpWriter.Standard(PageCompression.Snappy).Write();
        using var ms = new MemoryStream();
        var w = new FlattenedWriter(ms);
        for (var at = kdump.Length; at > 0; at -= 4000)
        {
            var start = Math.Max(0, at - 4000);
            w.WriteRecord(start, kdump.AsSpan(start, at - start));
        }
        w.Complete();
        yield return ms.ToArray();
        foreach (var h in RealHeads("derived/F-l-d31.flat")) yield return h;
    }

    [Fact]
    public void Elf_reader_survives_mutants() => Run("elf", [.. ElfSeeds()], acceptFlattened: false);

    [Fact]
    public void Kdump_compressed_reader_survives_mutants() => Run("kdump", [.. KdumpSeeds()], acceptFlattened: false);

    [Fact]
    public void Flattened_reader_survives_mutants() => Run("flattened", [.. FlattenedSeeds()], acceptFlattened: true);

    private static void Run(string name, byte[][] seeds, bool acceptFlattened)
    {
        // Not HashCode.Combine: it is salted per process, so "seed 1" would not name the same mutants twice.
        var rng = new Random(unchecked((Seed * 31 + name.Length) * 31 + name[0]));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Seconds);
        var cases = 0;
        var opened = 0;
        while (DateTime.UtcNow < deadline || cases < 50)
        {
            var seedIndex = rng.Next(seeds.Length);
            var mutant = Mutate(seeds[seedIndex], rng);
            var id = $"{name} case {cases} (seed {Seed}, input {seedIndex}, {mutant.Length} bytes)";
            Exception? failure = null;
            long allocated = 0;
            var ok = false;
            var task = Task.Run(() =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    ok = OpenAndRead(mutant, acceptFlattened);
                }
                catch (KdumpException e)
                {
                    if (!e.Message.Contains("'fuzz'", StringComparison.Ordinal) && !e.Message.Contains("<stdin>", StringComparison.Ordinal))
                        failure = new InvalidOperationException($"message does not name the file: {e.Message}");
                }
                catch (Exception e)
                {
                    failure = e;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });
            if (!task.Wait(s_perCaseTimeout))
                Assert.Fail($"{id}: no result after {s_perCaseTimeout.TotalSeconds} s (hang?)");
            if (failure is not null)
            {
                DumpMutant(name, cases, mutant);
                Assert.Fail($"{id}: {failure}");
            }
            Assert.True(allocated < MaxAllocatedBytesPerCase, $"{id}: allocated {allocated} bytes");
            if (ok) opened++;
            cases++;
        }
        Assert.True(opened > 0, $"{name}: no mutant opened in {cases} cases: the mutations are too destructive to test reading");
    }

    /// <summary>Opens a mutant and reads everything cheap: notes, segments, and up to 64 pages.</summary>
    private static bool OpenAndRead(byte[] bytes, bool acceptFlattened)
    {
        using var dump = DumpOpener.Open(new MemoryByteSource(bytes, "fuzz"), new DumpOpenOptions { AcceptFlattened = acceptFlattened, Limits = s_limits });
        _ = dump.VmcoreInfo.Length;
        _ = dump.KernelSegments.Count;
        var page = new byte[dump.Physical.PageSize];
        IEnumerable<ulong> addresses = dump switch
        {
            KdumpCompressedDump kd => kd.StoredPfns().Take(64).Select(p => p * (ulong)page.Length),
            ElfDump e => e.Core.Loads.Take(16).SelectMany(p => unchecked(new[] { p.PhysicalAddress, p.PhysicalAddress + p.MemorySize / 2, p.PhysicalAddress + p.MemorySize - 1 })),
            _ => [],
        };
        foreach (var a in addresses)
            _ = dump.Physical.TryRead(new PhysAddr(a), page);
        return true;
    }

    private static readonly ulong[] s_interesting = [0, 1, 0xff, 0x7f, 0x80, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x1000, 0xfff, 0x1001, ulong.MaxValue, long.MaxValue, 1UL << 40];

    private static byte[] Mutate(byte[] input, Random rng)
    {
        var m = (byte[])input.Clone();
        var count = 1 + rng.Next(4);
        for (var k = 0; k < count && m.Length > 8; k++)
        {
            // Headers are where the structure is: aim three quarters of the edits at the first 8 KiB.
            var span = rng.Next(4) == 0 ? m.Length : Math.Min(m.Length, 8192);
            var at = rng.Next(span - 8);
            switch (rng.Next(6))
            {
                case 0: m[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: m[at] = (byte)rng.Next(256); break;
                case 2: BitConverter.TryWriteBytes(m.AsSpan(at, 4), unchecked((uint)s_interesting[rng.Next(s_interesting.Length)])); break;
                case 3: BitConverter.TryWriteBytes(m.AsSpan(at, 8), s_interesting[rng.Next(s_interesting.Length)]); break;
                case 4: m = m[..Math.Max(1, rng.Next(m.Length))]; break;
                default:
                    var from = rng.Next(m.Length - 8);
                    var len = Math.Min(rng.Next(1, 64), Math.Min(m.Length - from, m.Length - at));
                    m.AsSpan(from, len).CopyTo(m.AsSpan(at));
                    break;
            }
        }
        return m;
    }

    private static void DumpMutant(string name, int index, byte[] mutant)
    {
        var dir = Environment.GetEnvironmentVariable("KDUMP_FUZZ_CRASH_DIR");
        if (string.IsNullOrEmpty(dir)) return;
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllBytes(Path.Combine(dir, $"{name}-{Seed}-{index}.bin"), mutant);
    }
}
