using System.Globalization;

namespace Kdump.Linux;

/// <summary>/proc/meminfo, as far as the tools need it.</summary>
public static class MemInfo
{
    /// <summary>
    /// Bytes available for new allocations: <c>MemAvailable</c>, or <c>MemFree</c> on kernels before
    /// 3.14 that lack it; null when neither line parses.
    /// </summary>
    public static long? ParseAvailable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long? free = null;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var key = line[..colon];
            if (key is not ("MemAvailable" or "MemFree")) continue;
            var words = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2 || words[1] != "kB"
                || !long.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)
                || kib > long.MaxValue / 1024)
                continue;
            if (key == "MemAvailable") return kib * 1024;
            free = kib * 1024;
        }
        return free;
    }

    /// <summary><see cref="ParseAvailable"/> of this machine's /proc/meminfo; null when it cannot be read.</summary>
    public static long? ReadAvailable()
    {
        try
        {
            return ParseAvailable(File.ReadAllText("/proc/meminfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
