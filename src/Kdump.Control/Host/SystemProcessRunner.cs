using System.ComponentModel;
using System.Diagnostics;

namespace Kdump.Control.Host;

/// <summary>The real runner: <see cref="Process"/> with an argument list, no shell, output captured.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    public ProcessResult Run(IReadOnlyList<string> argv, string? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) throw new ArgumentException("empty argv", nameof(argv));
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1)) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var stderr = p.StandardError.ReadToEndAsync();
            if (standardInput is not null) p.StandardInput.Write(standardInput);
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return new ProcessResult(p.ExitCode, stdout, stderr.GetAwaiter().GetResult());
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(ProcessResult.NotFound, "", $"{argv[0]}: {e.Message}\n");
        }
    }
}
