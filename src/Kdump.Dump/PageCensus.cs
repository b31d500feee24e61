using Kdump.Kernel.Pages;

namespace Kdump.Dump;

/// <summary>
/// makedumpfile <c>--mem-usage</c>'s count: every pfn classified, and the pages the level keeps
/// read and tested for zero, in one pass with no output. The dumper plans its descriptors in a
/// first pass and checks them in a second; a live system (/proc/kcore) changes in between, so the
/// census cannot borrow it. Memory: one window of categories and bitmaps and one read buffer.
/// </summary>
public static class PageCensus
{
    private const int WindowPfns = 1 << 16;
    private const int ReadPages = 64;

    /// <summary>Counts <paramref name="input"/> at dump level 31 (<paramref name="filter"/> classifies; null keeps every page).</summary>
    public static DumpReport Take(DumpInput input, IPageFilter? filter, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var map = input.PfnMap;
        var report = new DumpReport(map);
        var categories = new PageCategory[WindowPfns];
        var inMemory = new byte[WindowPfns / 8];
        var withData = new byte[WindowPfns / 8];
        var buffer = new byte[checked(ReadPages * input.PageSize)];
        for (ulong first = 0; first < map.MaxMapNr; first += WindowPfns)
        {
            cancellation.ThrowIfCancellationRequested();
            var n = (int)Math.Min(WindowPfns, map.MaxMapNr - first);
            input.FillBitmaps(first, inMemory, withData);
            var window = categories.AsSpan(0, n);
            if (filter is null) window.Clear();
            else filter.Classify(first, window);
            report.Counts.Add(window);
            var i = 0;
            while (i < n)
            {
                if (window[i] != PageCategory.Dumpable || (withData[i >> 3] & (1 << (i & 7))) == 0)
                {
                    i++;
                    continue;
                }
                // A run of kept pages with data, read at once.
                var run = 1;
                while (run < ReadPages && i + run < n && window[i + run] == PageCategory.Dumpable
                    && (withData[(i + run) >> 3] & (1 << ((i + run) & 7))) != 0)
                    run++;
                input.ReadPages(first + (ulong)i, run, buffer);
                for (var k = 0; k < run; k++)
                {
                    if (ZeroPage.IsZeroPage(buffer.AsSpan(k * input.PageSize, input.PageSize))) report.Counts.AddZero();
                }
                i += run;
            }
        }
        return report;
    }
}
