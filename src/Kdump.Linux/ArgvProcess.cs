using System.Diagnostics;

namespace Kdump.Linux;

/// <summary>
/// How every tool here starts another program: argv[0] and an argument list, never a shell, so no
/// configuration value is ever evaluated by one.
/// </summary>
public static class ArgvProcess
{
    /// <summary>Start information for <paramref name="argv"/> with the chosen streams redirected.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> argv, bool stdin = true, bool stdout = true, bool stderr = true)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) throw new ArgumentException("empty argv", nameof(argv));
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = stdin,
            RedirectStandardOutput = stdout,
            RedirectStandardError = stderr,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1)) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>
    /// The first <paramref name="maxBytes"/> bytes of a program's output stream as UTF-8; the rest
    /// is read to its end and dropped (the program is not left blocked on a full pipe), for output
    /// not trusted to be small.
    /// </summary>
    public static string ReadBounded(Stream stream, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        using var kept = new MemoryStream();
        var buffer = new byte[16 << 10];
        int n;
        while ((n = stream.Read(buffer)) > 0)
            kept.Write(buffer, 0, (int)Math.Min(n, Math.Max(0, maxBytes - kept.Length)));
        return System.Text.Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }
}
