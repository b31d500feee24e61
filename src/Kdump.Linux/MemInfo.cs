using System.Globalization;

namespace Kdump.Linux;

/// <summary>/proc/meminfo, as far as the tools need it.</summary>
public static class MemInfo
{
    /// <summary>
    /// Bytes available for new allocations: <c>MemAvailable</c>, or <c>MemFree</c> on kernels before
    /// 3.14 that lack it; null when neither line parses.
    /// </summary>
    public static long? ParseAvailable(string text) => Field(text, "MemAvailable") ?? Field(text, "MemFree");

    /// <summary><c>MemFree</c> in bytes (what makedumpfile sizes its cyclic buffer by); null when the line does not parse.</summary>
    public static long? ParseFree(string text) => Field(text, "MemFree");

    /// <summary><c>MemTotal</c> in bytes (what mkdumprd compares a dump target's free space with); null when the line does not parse.</summary>
    public static long? ParseTotal(string text) => Field(text, "MemTotal");

    /// <summary><see cref="ParseAvailable"/> of this machine's /proc/meminfo; null when it cannot be read.</summary>
    public static long? ReadAvailable() => Read(ParseAvailable);

    /// <summary><see cref="ParseFree"/> of this machine's /proc/meminfo; null when it cannot be read.</summary>
    public static long? ReadFree() => Read(ParseFree);

    /// <summary>The first well-formed "<paramref name="key"/>: N kB" line, in bytes.</summary>
    private static long? Field(string text, string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon] != key) continue;
            var words = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2 || words[1] != "kB"
                || !long.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)
                || kib > long.MaxValue / 1024)
                continue;
            return kib * 1024;
        }
        return null;
    }

    private static long? Read(Func<string, long?> parse)
    {
        try
        {
            return parse(File.ReadAllText("/proc/meminfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
