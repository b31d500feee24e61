namespace Kdump.Inspection;

/// <summary>The human-readable form of a <see cref="DumpSummary"/>.</summary>
public static class DumpSummaryText
{
    public static void Write(DumpSummary s, TextWriter w)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(w);
        Line(w, "dump", $"{s.Path} ({Size((ulong)s.FileBytes)})");
        Line(w, "format", $"{s.Format}, {s.Layout}{(s.Machine is null ? "" : ", " + s.Machine)}");
        if (s.Incomplete == true) Line(w, "status", "INCOMPLETE (the writer stopped early; what is there is readable)");
        Line(w, "kernel", s.OsRelease ?? s.UtsRelease ?? "(no VMCOREINFO)");
        if (s.CrashTime is { } t)
            Line(w, "crash time", $"{DateTimeOffset.FromUnixTimeSeconds(t).UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (CRASHTIME={t})");
        if (s.PageSize is { } ps) Line(w, "page size", ps.ToString());
        if (s.KernelOffset is { } ko) Line(w, "kernel offset", ko == 0 ? "0x0 (no KASLR)" : $"0x{ko:x} (KASLR)");
        if (s.Architecture is not null) Line(w, "page tables", s.Architecture);
        if (s.CpuCount is { } c) Line(w, "CPUs", $"{c}");
        var total = s.Ranges.Where(r => r.Note.Length == 0).Aggregate(0UL, (a, r) => a + r.SizeBytes);
        Line(w, "memory", $"{s.Ranges.Count} ranges, {Size(total)} of RAM" +
            (s.StoredPages is { } sp ? $", {sp} pages stored" : ""));
        foreach (var r in s.Ranges.Take(16))
            w.WriteLine($"    0x{r.Start.Value:x16}-0x{r.EndInclusive.Value:x16} {Size(r.SizeBytes),10}{(r.Note.Length > 0 ? "  " + r.Note : "")}");
        if (s.Ranges.Count > 16) w.WriteLine($"    … {s.Ranges.Count - 16} more");
        if (s.PrintkLayout is not null)
            Line(w, "kernel log", $"{s.DmesgRecords} records in the {s.PrintkLayout}");
        if (s.PanicLine is not null) Line(w, "panic", s.PanicLine);
        if (s.DmesgTail.Count > 0)
        {
            w.WriteLine("  last lines:");
            foreach (var l in s.DmesgTail) w.WriteLine($"    {l}");
        }
        foreach (var p in s.Problems) Line(w, "problem", p);
    }

    private static void Line(TextWriter w, string key, string value) => w.WriteLine($"{key + ":",-15}{value}");

    private static string Size(ulong bytes) => bytes switch
    {
        >= 1UL << 30 => $"{bytes / (double)(1UL << 30):0.0} GiB",
        >= 1UL << 20 => $"{bytes / (double)(1UL << 20):0.0} MiB",
        >= 1UL << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
