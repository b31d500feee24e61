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
}
