namespace Kdump.Tests.Shared;

/// <summary>Compiles a C program with the system's gcc and runs it; it prints <c>name=value</c> lines.</summary>
internal static class CProgram
{
    /// <summary>The program's <c>name=value</c> lines (decimal values) as a dictionary.</summary>
    public static Dictionary<string, ulong> Values(string source, string purpose)
    {
        using var scratch = Lab.Scratch(purpose);
        var c = Path.Combine(scratch.Path, "p.c");
        var exe = Path.Combine(scratch.Path, "p");
        File.WriteAllText(c, source);
        var cc = ExternalProcess.Run("gcc", ["-O0", "-o", exe, c]);
        Assert.True(cc.ExitCode == 0, $"gcc failed: {cc.Stderr}");
        var run = ExternalProcess.Run(exe, []);
        Assert.Equal(0, run.ExitCode);
        return System.Text.Encoding.ASCII.GetString(run.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('='))
            .ToDictionary(p => p[0], p => ulong.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
