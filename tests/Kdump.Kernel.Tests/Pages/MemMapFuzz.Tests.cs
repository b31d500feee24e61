using System.Diagnostics;
using System.Globalization;
using Kdump.Kernel.Pages;
using Kdump.Primitives.Errors;
using Kdump.Tests.Shared;

namespace Kdump.Kernel.Tests.Pages;

/// <summary>
/// Time-boxed mutation fuzzing of the struct page filter. A crashed kernel's mem_map is hostile
/// input: whatever its bytes or its VMCOREINFO say, the filter classifies or fails with a
/// <see cref="KdumpException"/>, quickly, without allocating by a size it read, and with a result
/// that does not depend on how the pfns are cut into windows (the cyclic and parallel writers rely
/// on that). Seeds are fixed, so a failure replays; KDUMP_FUZZ_SECONDS lengthens the run and
/// KDUMP_FUZZ_SEED varies it (eng/fuzz/run.sh).
/// </summary>
public sealed class MemMapFuzzTests
{
    private static readonly TimeSpan s_perCase = TimeSpan.FromSeconds(5);
    private const long MaxAllocatedBytesPerCase = 32L << 20;

    public static TheoryData<KernelEra> Eras => [KernelEra.V4_17, KernelEra.V6_1, KernelEra.V6_6, KernelEra.V6_12];

    private static TimeSpan Budget => FuzzSettings.Budget(1.5);

    private static int Seed => FuzzSettings.Seed();

    [Theory]
    [MemberData(nameof(Eras))]
    public void Damaged_struct_pages_classify_alike_in_any_window(KernelEra era)
    {
        var rng = new Random(unchecked((Seed * 1000) + 17 + (int)era));
        var runs = 0;
        var failures = 0;
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < Budget; runs++)
        {
            var sections = rng.Next(1, 5);
            var m = new FakeMemMap(era, sections, absentSection: rng.Next(3) == 0 ? rng.Next(sections) : null);
            for (var i = rng.Next(1, 96); i > 0; i--) Damage(m, rng);
            var level = (DumpLevel)rng.Next(32);
            var window = rng.Next(1, 700);
            var shuffle = rng.Next();
            var what = $"era {era} run {runs} level {(int)level} window {window}";
            PageCategory[]? whole = null;
            if (!Bounded(what, () => whole = m.ClassifyAll(level)) || whole is not { } classified)
            {
                failures++;
                continue;
            }
            // What classified in one window must classify, alike, in any other cut: no KdumpException now.
            Bounded(what, () =>
            {
                Assert.All(classified, c => Assert.True(Enum.IsDefined(c), $"category {(int)c}"));
                Assert.Equal(classified, m.ClassifyAll(level, window));
                Assert.Equal(classified, ClassifyShuffled(m, level, window, new Random(shuffle)));
            }, tolerated: false);
        }
        Assert.True(runs > 10, $"only {runs} runs");
        // Damage must not make every case fail: most struct page bytes are data, not structure.
        Assert.True(failures < runs / 2, $"{failures} of {runs} runs failed");
    }

    [Theory]
    [MemberData(nameof(Eras))]
    public void Damaged_vmcoreinfo_classifies_or_fails_cleanly(KernelEra era)
    {
        var rng = new Random(unchecked((Seed * 1000) + 101 + (int)era));
        var runs = 0;
        var failures = 0;
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < Budget; runs++)
        {
            var m = new FakeMemMap(era);
            m.Buddy(512, 9);
            m.Compound(64, 3, headFlags: 1UL << m.PgLru);
            m.SetMapping(12, 0xffff888001234001);
            var damage = new List<string>();
            for (var i = rng.Next(1, 4); i > 0; i--) damage.Add(DamageLine(m.InfoLines, rng));
            var level = (DumpLevel)rng.Next(32);
            var classified = Bounded($"era {era} run {runs} level {(int)level}: {string.Join("; ", damage)}", () =>
            {
                var whole = m.ClassifyAll(level);
                Assert.Equal(whole, m.ClassifyAll(level, rng.Next(1, 700)));
            });
            if (!classified) failures++;
        }
        Assert.True(runs > 10, $"only {runs} runs");
        Assert.True(failures < runs, $"all {runs} runs failed: the damage never reaches classification");
    }

    /// <summary>One case within this fuzzer's bounds: false when the filter refused the damage (when <paramref name="tolerated"/>).</summary>
    private static bool Bounded(string what, Action body, bool tolerated = true) =>
        FuzzSettings.RunCase(what, s_perCase, MaxAllocatedBytesPerCase, body, tolerated);

    /// <summary>Windows classified in a random order by one filter (each out-of-order window rescans).</summary>
    private static PageCategory[] ClassifyShuffled(FakeMemMap m, DumpLevel level, int window, Random rng)
    {
        var filter = m.Filter(level);
        var result = new PageCategory[m.MaxMapNr];
        var starts = Enumerable.Range(0, (result.Length + window - 1) / window).Select(i => i * window).ToArray();
        rng.Shuffle(starts);
        foreach (var start in starts)
            filter.Classify((ulong)start, result.AsSpan(start, Math.Min(window, result.Length - start)));
        return result;
    }

    private static void Damage(FakeMemMap m, Random rng)
    {
        var pfn = (ulong)rng.NextInt64((long)m.MaxMapNr);
        switch (rng.Next(9))
        {
            case 0:
                m.SetFlags(pfn, rng.Next(2) == 0 ? Nasty(rng) : PlausibleFlags(m, rng));
                break;
            case 1:
                m.SetCompoundHead(pfn, Nasty(rng) | (rng.Next(2) == 0 ? 0UL : 1UL));
                break;
            case 2:
                m.SetMapping(pfn, Nasty(rng) | (rng.Next(2) == 0 ? 0UL : 1UL));
                break;
            case 3:
                m.SetPrivate(pfn, Nasty(rng));
                break;
            case 4:
                m.SetMapcount(pfn, rng.Next(5) switch
                {
                    0 => unchecked((uint)m.BuddyMapcount),
                    1 => unchecked((uint)m.OfflineMapcount),
                    2 => 0xf4000000,   // 6.12 PGTY_hugetlb
                    3 => 0xf5000000,   // 6.12 PGTY_slab
                    _ => (uint)rng.NextInt64(1L << 32),
                });
                break;
            case 5:
                m.Buddy(pfn, rng.Next(2) == 0 ? rng.Next(12) : rng.Next(64));
                break;
            case 6:
                Compound(m, pfn, rng.Next(2) == 0 ? rng.Next(10) : rng.Next(256), rng);
                break;
            default:
                m.SetByte(pfn, rng.Next(FakeMemMap.PageStruct), (byte)rng.Next(256));
                break;
        }
    }

    /// <summary>A compound head whose first tail claims <paramref name="order"/>, which may run past the memory map.</summary>
    private static void Compound(FakeMemMap m, ulong head, int order, Random rng)
    {
        var hugetlb = rng.Next(2) == 0;
        if (order < 12 && head + (1UL << order) <= m.MaxMapNr)
        {
            m.Compound(head, order, PlausibleFlags(m, rng), hugetlb);
            return;
        }
        m.SetFlags(head, m.HeadMask | PlausibleFlags(m, rng));
        if (head + 1 >= m.MaxMapNr) return;
        if (m.Era >= KernelEra.V6_6) m.SetFlags(head + 1, (ulong)(order & 0xff));
        else m.SetByte(head + 1, 17, (byte)order);
    }

    private static ulong PlausibleFlags(FakeMemMap m, Random rng)
    {
        ulong flags = 0;
        if (rng.Next(2) == 0) flags |= 1UL << m.PgLru;
        if (rng.Next(3) == 0) flags |= 1UL << m.PgPrivate;
        if (rng.Next(4) == 0) flags |= 1UL << FakeMemMap.PgSlab;
        if (rng.Next(8) == 0) flags |= 1UL << m.PgHwPoison;
        if (rng.Next(4) == 0) flags |= m.HeadMask;
        return flags;
    }

    private static ulong Nasty(Random rng) => rng.Next(7) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        2 => 1UL << rng.Next(64),
        3 => 0xffff888000000000UL + (ulong)rng.NextInt64(1L << 40),   // somewhere in the direct map
        4 => 0xffffea0000000000UL + (ulong)rng.NextInt64(1L << 30),   // somewhere in the vmemmap
        5 => (ulong)rng.Next(64),
        _ => (ulong)rng.NextInt64() ^ ((ulong)rng.NextInt64() << 1),
    };

    /// <summary>Deletes, duplicates or gives an absurd value to one VMCOREINFO line; says which.</summary>
    private static string DamageLine(IList<string> lines, Random rng)
    {
        if (lines.Count == 0) return "nothing left";
        var i = rng.Next(lines.Count);
        var line = lines[i];
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        switch (rng.Next(4))
        {
            case 0:
                lines.RemoveAt(i);
                return $"removed {line}";
            case 1:
                lines.Add(line[..(eq + 1)] + NastyText(rng));
                return $"added {lines[^1]}";
            default:
                lines[i] = line[..(eq + 1)] + NastyText(rng);
                return $"{line} -> {lines[i]}";
        }
    }

    private static string NastyText(Random rng) => rng.Next(9) switch
    {
        0 => "0",
        1 => "-1",
        2 => "18446744073709551615",
        3 => "9223372036854775807",
        4 => "ffffffffffffffff",
        5 => rng.Next(-300, 300).ToString(CultureInfo.InvariantCulture),
        6 => (1UL << rng.Next(64)).ToString("x", CultureInfo.InvariantCulture),
        7 => "",
        _ => "x9z",
    };
}
