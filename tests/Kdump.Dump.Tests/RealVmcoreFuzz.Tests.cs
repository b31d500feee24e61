using System.Diagnostics;
using System.Text;
using Kdump.Compression;
using Kdump.Kernel;
using Kdump.Kernel.Pages;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.IO;
using Kdump.Tests.Shared;

namespace Kdump.Dump.Tests;

/// <summary>
/// The lab's real vmcores with a damaged VMCOREINFO note: values of the same length replaced by
/// other digits (addresses, offsets, sizes, page flag numbers, KERNELOFFSET, phys_base) or keys
/// misspelt, so that the page tables, mem_map and printk ring of a real kernel are read through
/// wrong facts. The struct page filter, a -d 31 dump (kdump-compressed and ELF) and both dmesg
/// formats then succeed or fail with a KdumpException, within bounds. Fixed seeds;
/// KDUMP_FUZZ_SECONDS and KDUMP_FUZZ_SEED as the other fuzzers.
/// </summary>
public sealed class RealVmcoreFuzzTests
{
    private static readonly TimeSpan s_perCase = TimeSpan.FromSeconds(20);
    private const long MaxAllocatedBytesPerCase = 256L << 20;
    private const int MinRuns = 8;

    private static TimeSpan Budget => FuzzSettings.Budget(4);

    private static int Seed => FuzzSettings.Seed();

    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Real_vmcores_with_damaged_vmcoreinfo_dump_or_fail_cleanly(string release)
    {
        var path = Lab.Fixture(release, "proc-vmcore.elf");
        var (textAt, text) = FindVmcoreInfo(path);
        var rng = new Random(unchecked((Seed * 1000) + Array.IndexOf(Lab.Releases, release)));
        var runs = 0;
        var dumped = 0;
        // A few cases even when one takes longer than the budget (a busy machine).
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < Budget || runs < MinRuns; runs++)
        {
            var patched = (byte[])text.Clone();
            var damage = new List<string>();
            for (var i = rng.Next(1, 4); i > 0; i--) damage.Add(DamageLine(patched, rng));
            var what = $"{release} run {runs}: {string.Join("; ", damage)}";
            // The whole case within the bounds; opening must succeed (only the note is damaged).
            FuzzSettings.RunCase(what, s_perCase, MaxAllocatedBytesPerCase, () =>
            {
                using var input = DumpInput.Open(DumpOpener.Open(new PatchedByteSource(FileByteSource.Open(path), textAt, patched)));
                // Each stage on its own, so damage that stops one still reaches the others.
                Stage($"{what} (printk)", () =>
                {
                    var log = PrintkLayouts.Read(input.Kernel.VmcoreInfo, input.Kernel.Memory, new ParseLimits { MaxLogBufferBytes = 1 << 24 });
                    VmcoreDmesgFormat.Write(log, Stream.Null);
                    MakedumpfileDmesgFormat.Write(log, Stream.Null);
                });
                var dump = Stage($"{what} (dump)", () =>
                {
                    var options = new DumpOptions
                    {
                        Codec = PageCodecs.Lzo,
                        Level = DumpLevel.All,
                        Filter = MemMapPageFilter.Create(input.Kernel, input.PfnMap, DumpLevel.All, _ => { }, input.Dump.Name),
                    };
                    new KdumpCompressedDumper(input, new DiscardDumpOutput("out"), options).Write();
                    new KdumpCompressedDumper(input, new DiscardDumpOutput("out.elf"), options).WriteElf();
                });
                if (dump) dumped++;
            }, tolerateRefusal: false);
        }
        Assert.True(dumped > 0, $"none of {runs} mutants dumped");
    }

    /// <summary>One stage of a case: false when it refused the damage. The case's bounds apply around all stages.</summary>
    private static bool Stage(string what, Action body) =>
        FuzzSettings.RunCase(what, TimeSpan.MaxValue, long.MaxValue, body);

    /// <summary>The file offset and bytes of the VMCOREINFO text (its descriptor, up to the first NUL).</summary>
    private static (long At, byte[] Text) FindVmcoreInfo(string path)
    {
        using var file = File.OpenRead(path);
        var head = new byte[Math.Min(1 << 20, file.Length)];
        file.ReadExactly(head);
        var at = head.AsSpan().IndexOf("OSRELEASE="u8);
        Assert.True(at > 0, $"{path}: no VMCOREINFO text in the first MiB");
        var length = head.AsSpan(at).IndexOf((byte)0);
        return (at, head.AsSpan(at, length).ToArray());
    }

    /// <summary>Changes one line in place (same length): its value's characters, or one of its key's.</summary>
    private static string DamageLine(byte[] text, Random rng)
    {
        var lines = new List<(int Start, int Length)>();
        for (int start = 0, i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '\n') continue;
            if (i > start) lines.Add((start, i - start));
            start = i + 1;
        }
        var (s, n) = lines[rng.Next(lines.Count)];
        var line = text.AsSpan(s, n);
        var before = Encoding.ASCII.GetString(line);
        var eq = line.IndexOf((byte)'=');
        if (eq < 0 || rng.Next(5) == 0)
        {
            // A misspelt key reads as a missing one.
            line[rng.Next(Math.Max(1, eq))] = (byte)'#';
        }
        else
        {
            var value = line[(eq + 1)..];
            var style = rng.Next(4);
            for (var i = 0; i < value.Length; i++)
            {
                value[i] = style switch
                {
                    0 => (byte)'0',
                    1 => (byte)'f',
                    2 => (byte)"0123456789abcdef"[rng.Next(16)],
                    _ => i == 0 && value.Length > 1 ? (byte)'-' : (byte)('0' + rng.Next(10)),
                };
            }
        }
        return $"{before} -> {Encoding.ASCII.GetString(line)}";
    }

    /// <summary>A file with one range of bytes replaced, so a real vmcore can be damaged without a copy.</summary>
    private sealed class PatchedByteSource(IByteSource inner, long at, byte[] patch) : IByteSource
    {
        public string Name => inner.Name;

        public long Length => inner.Length;

        public int ReadAt(long offset, Span<byte> buffer)
        {
            var n = inner.ReadAt(offset, buffer);
            var lo = Math.Max(offset, at);
            var hi = Math.Min(offset + n, at + patch.Length);
            if (hi > lo) patch.AsSpan((int)(lo - at), (int)(hi - lo)).CopyTo(buffer[(int)(lo - offset)..]);
            return n;
        }

        public void Dispose() => inner.Dispose();
    }
}
