using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kdump.Kernel;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives.Units;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Filter;

/// <summary>
/// Our page filter against sid's makedumpfile 1.7.8 on the lab's real /proc/vmcore of each
/// release: the report's text (counts per category, holes, totals) and the exact set of pfns in
/// its bitmap 2, per dump level.
/// </summary>
public sealed partial class PageFilterCompatTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var release in Lab.Releases)
        {
            foreach (var level in new[] { 1, 2, 4, 8, 16, 31 }) data.Add(release, level);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Counts_and_stored_pfns_match_makedumpfile_1_7_8(string release, int level)
    {
        var input = Lab.Fixture(release, "proc-vmcore.elf");
        var ours = Ours(input, (DumpLevel)level);

        using var scratch = Lab.Scratch($"filter-{release}-d{level}");
        var dir = scratch.Path;
        var output = Path.Combine(dir, "out.kdump");
        var run = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"),
            [.. Lab.UpstreamReading(release), "--message-level", "31", "-l", "-d", level.ToString(CultureInfo.InvariantCulture), input, output]);
        var stdout = Encoding.UTF8.GetString(run.Stdout);
        Assert.True(run.ExitCode == 0, $"makedumpfile-1.7.8 failed ({run.ExitCode}): {run.Stderr}");

        var theirReport = ReportBlock().Match(stdout);
        Assert.True(theirReport.Success, $"no report in makedumpfile's output:\n{stdout}");
        var writeBytes = ulong.Parse(theirReport.Groups["write"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(theirReport.Value, ours.Counts.FormatReport(ours.Pfns, writeBytes));

        using var theirs = KdumpCompressedDump.Open([output]);
        var theirPfns = theirs.StoredPfns().ToArray();
        if (!theirPfns.AsSpan().SequenceEqual(ours.Stored.ToArray()))
        {
            var theirSet = theirPfns.ToHashSet();
            var onlyTheirs = theirPfns.Where(p => !ours.Stored.Contains(p)).Take(10);
            var onlyOurs = ours.Stored.Where(p => !theirSet.Contains(p)).Take(10);
            Assert.Fail($"stored pfns differ: {theirPfns.Length} theirs, {ours.Stored.Count} ours; only theirs: "
                + $"{string.Join(' ', onlyTheirs.Select(p => p.ToString("x", CultureInfo.InvariantCulture)))}; only ours: "
                + string.Join(' ', onlyOurs.Select(p => p.ToString("x", CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>
    /// --mem-usage's one-pass census (no output, for a live /proc/kcore) counts what 1.7.8 reports
    /// for -d 31 of the same vmcore: every category, zero pages included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void The_mem_usage_census_counts_what_makedumpfile_1_7_8_reports(string release)
    {
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        using var scratch = Lab.Scratch($"census-{release}");
        var dir = scratch.Path;
        var run = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"),
            [.. Lab.UpstreamReading(release), "--message-level", "31", "-l", "-d", "31", vmcore, Path.Combine(dir, "out.kdump")]);
        Assert.True(run.ExitCode == 0, $"makedumpfile-1.7.8 failed ({run.ExitCode}): {run.Stderr}");
        var theirReport = ReportBlock().Match(Encoding.UTF8.GetString(run.Stdout));
        Assert.True(theirReport.Success, "no report in makedumpfile's output");

        using var input = Kdump.Dump.DumpInput.Open(DumpOpener.Open(vmcore));
        var filter = MemMapPageFilter.Create(KernelView.Open(input.Dump, TranslationStrategy.PageTables), input.PfnMap, DumpLevel.All);
        var census = Kdump.Dump.PageCensus.Take(input, filter);
        var writeBytes = ulong.Parse(theirReport.Groups["write"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(theirReport.Value, census.Counts.FormatReport(census.Pfns, writeBytes));
    }

    private sealed record Result(ExcludedPageCounts Counts, DumpPfnMap Pfns, List<ulong> Stored);

    /// <summary>What our engine will do: classify windows in pfn order, then test kept in-memory pages for zero.</summary>
    private static Result Ours(string input, DumpLevel level)
    {
        using var dump = DumpOpener.Open(input);
        var kernel = KernelView.Open(dump, TranslationStrategy.PageTables);
        var filter = MemMapPageFilter.Create(kernel, dump, level);
        var pfns = filter.Pfns;
        var counts = new ExcludedPageCounts();
        var stored = new List<ulong>();
        var window = new PageCategory[65536];
        var page = new byte[dump.Physical.PageSize];
        for (ulong start = 0; start < pfns.MaxMapNr; start += (ulong)window.Length)
        {
            var span = window.AsSpan(0, (int)Math.Min((ulong)window.Length, pfns.MaxMapNr - start));
            filter.Classify(start, span);
            counts.Add(span);
            for (var i = 0; i < span.Length; i++)
            {
                var pfn = start + (ulong)i;
                if (span[i] != PageCategory.Dumpable || !pfns.IsInMemory(pfn)) continue;
                if ((level & DumpLevel.Zero) != 0)
                {
                    Assert.Equal(Kdump.Formats.PageReadStatus.Ok, dump.Physical.TryRead(new PhysAddr(pfn * (ulong)page.Length), page));
                    // Zero pages stay set in bitmap 2: the kdump writer points them all at one shared zero page.
                    if (ZeroPage.IsZeroPage(page)) counts.AddZero();
                }
                stored.Add(pfn);
            }
        }
        return new Result(counts, pfns, stored);
    }

    [GeneratedRegex(@"\nOriginal pages  : .*?\nWrite bytes     : (?<write>\d+)\n", RegexOptions.Singleline)]
    private static partial Regex ReportBlock();
}
