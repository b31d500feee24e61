namespace Kdump.Compat.Tests.Tools;

/// <summary>Pieces of makedumpfile's stdout that the compat tests compare.</summary>
internal static class ReportText
{
    /// <summary>
    /// The page report of --message-level bit 4, from "Original pages" up to (not including) its
    /// "Write bytes" line, which differs with the write cache.
    /// </summary>
    public static string PageCounts(string stdout)
    {
        var from = stdout.IndexOf("\nOriginal pages", StringComparison.Ordinal);
        var to = stdout.IndexOf("Write bytes", StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"no report in:\n{stdout}");
        return stdout[from..to];
    }
}
