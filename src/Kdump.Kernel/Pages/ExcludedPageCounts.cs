using System.Globalization;
using System.Text;

namespace Kdump.Kernel.Pages;

/// <summary>
/// The page counts of makedumpfile's final report (<c>print_report</c>, message level 16). Feed it
/// every classified window over <c>[0, max_mapnr)</c> with <see cref="Add"/> (pages a multi-page
/// exclusion marks inside memory holes count too, as upstream) and each kept page found all zero
/// while copying with <see cref="AddZero"/>.
/// </summary>
public sealed class ExcludedPageCounts
{
    private readonly ulong[] _byCategory = new ulong[(int)PageCategory.Offline + 1];

    public ulong this[PageCategory category] => _byCategory[(int)category];

    /// <summary>Sum of every excluded category ("Excluded pages").</summary>
    public ulong Excluded
    {
        get
        {
            ulong sum = 0;
            for (var i = 1; i < _byCategory.Length; i++) sum += _byCategory[i];
            return sum;
        }
    }

    public void Add(ReadOnlySpan<PageCategory> window)
    {
        // Dumpable is the common case: count the others only where some are.
        var rest = window;
        while (!rest.IsEmpty)
        {
            var i = rest.IndexOfAnyExcept(PageCategory.Dumpable);
            if (i < 0) return;
            rest = rest[i..];
            var c = rest[0];
            var run = rest.IndexOfAnyExcept(c);
            var n = run < 0 ? rest.Length : run;
            _byCategory[(int)c] += (ulong)n;
            rest = rest[n..];
        }
    }

    public void AddZero(ulong pages = 1) => _byCategory[(int)PageCategory.Zero] += pages;

    /// <summary>
    /// The report as makedumpfile 1.7.8 prints it, from the blank line before "Original pages" to
    /// "Write bytes" (the cache statistics that follow are the writer's). <paramref name="memoryHole"/>
    /// replaces the map's count where the writer counts holes its own way (-E).
    /// </summary>
    public string FormatReport(DumpPfnMap pfns, ulong writeBytes, ulong? elfExcluded = null, ulong? memoryHole = null)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        var hole = memoryHole ?? pfns.MemoryHolePages;
        var original = unchecked(pfns.MaxMapNr - hole);
        var excluded = Excluded;
        var sb = new StringBuilder();
        sb.Append('\n');
        Line(sb, "Original pages  : ", original);
        Line(sb, "  Excluded pages   : ", excluded);
        if (elfExcluded is { } e) Line(sb, "     in ELF format : ", e);
        Line(sb, "    Pages filled with zero  : ", this[PageCategory.Zero]);
        Line(sb, "    Non-private cache pages : ", this[PageCategory.NonPrivateCache]);
        Line(sb, "    Private cache pages     : ", this[PageCategory.PrivateCache]);
        Line(sb, "    User process data pages : ", this[PageCategory.User]);
        Line(sb, "    Free pages              : ", this[PageCategory.Free]);
        Line(sb, "    Hwpoison pages          : ", this[PageCategory.HwPoison]);
        Line(sb, "    Offline pages           : ", this[PageCategory.Offline]);
        Line(sb, "  Remaining pages  : ", unchecked(original - excluded));
        if (elfExcluded is { } e2)
        {
            Line(sb, "     in ELF format : ", unchecked(original - e2));
            excluded = e2;
        }
        if (original != 0)
        {
            var percent = unchecked((original - excluded) * 100) / original;
            sb.Append(CultureInfo.InvariantCulture, $"  (The number of pages is reduced to {percent}%.)\n");
        }
        Line(sb, "Memory Hole     : ", hole);
        sb.Append("--------------------------------------------------\n");
        Line(sb, "Total pages     : ", pfns.MaxMapNr);
        sb.Append(CultureInfo.InvariantCulture, $"Write bytes     : {writeBytes}\n");
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string label, ulong value) =>
        sb.Append(label).Append("0x").Append(value.ToString("x16", CultureInfo.InvariantCulture)).Append('\n');
}
