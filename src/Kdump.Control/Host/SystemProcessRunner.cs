using System.ComponentModel;
using System.Diagnostics;

namespace Kdump.Control.Host;

/// <summary>The real runner: <see cref="Process"/> with an argument list, no shell, output captured.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    private const int CopyBufferBytes = 1 << 20;

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

    public ProcessResult RunWithInputFile(IReadOnlyList<string> argv, string inputPath)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(inputPath);
        if (argv.Count == 0) throw new ArgumentException("empty argv", nameof(argv));
        FileStream input;
        try { input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProcessResult(1, "", $"{inputPath}: {e.Message}\n");
        }
        using (input)
        {
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
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                try
                {
                    // An explicit buffer: a block device reports Length 0, for which CopyTo would
                    // pick a 1-byte buffer (a write per byte: the VM test's 64 MiB took minutes).
                    input.CopyTo(p.StandardInput.BaseStream, CopyBufferBytes);
                    p.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The reader stopped early (makedumpfile -R ends at the flattened end marker;
                    // a device has more bytes after it): EPIPE is not an error of the run.
                }
                p.WaitForExit();
                return new ProcessResult(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
            }
            catch (Win32Exception e)
            {
                return new ProcessResult(ProcessResult.NotFound, "", $"{argv[0]}: {e.Message}\n");
            }
        }
    }
}
