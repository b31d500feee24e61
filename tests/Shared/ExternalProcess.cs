using System.Diagnostics;

namespace Kdump.Tests.Shared;

/// <summary>Runs a reference tool as argv (no shell) and captures its output as bytes.</summary>
internal static class ExternalProcess
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    public static Result Run(string fileName, IEnumerable<string> args, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        p.StandardInput.Close();
        var stderrTask = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish");
        }
        return new Result(p.ExitCode, ms.ToArray(), stderrTask.GetAwaiter().GetResult());
    }
}
