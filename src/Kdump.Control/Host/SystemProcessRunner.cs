using System.ComponentModel;
using System.Diagnostics;
using Kdump.Linux;

namespace Kdump.Control.Host;

/// <summary>The real runner: <see cref="Process"/> with an argument list, no shell, output captured.</summary>
public sealed class SystemProcessRunner : IProcessRunner
{
    private const int CopyBufferBytes = 1 << 20;

    public ProcessResult Run(IReadOnlyList<string> argv, string? standardInput = null) =>
        Execute(argv, stdin =>
        {
            if (standardInput is not null) stdin.Write(standardInput);
            stdin.Close();
        });

    public ProcessResult RunWithInputFile(IReadOnlyList<string> argv, string inputPath)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(inputPath);
        FileStream input;
        try { input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProcessResult(1, "", $"{inputPath}: {e.Message}\n");
        }
        using (input)
        {
            return Execute(argv, stdin =>
            {
                try
                {
                    // An explicit buffer: a block device reports Length 0, for which CopyTo would
                    // pick a 1-byte buffer (a write per byte: the VM test's 64 MiB took minutes).
                    input.CopyTo(stdin.BaseStream, CopyBufferBytes);
                    stdin.Close();
                }
                catch (IOException)
                {
                    // The reader stopped early (makedumpfile -R ends at the flattened end marker;
                    // a device has more bytes after it): EPIPE is not an error of the run.
                }
            });
        }
    }

    public ProcessResult RunBounded(IReadOnlyList<string> argv, int maxOutputBytes)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputBytes);
        var info = ArgvProcess.StartInfo(argv);
        try
        {
            using var p = Process.Start(info)!;
            p.StandardInput.Close();
            var stderr = Task.Run(() => ArgvProcess.ReadBounded(p.StandardError.BaseStream, maxOutputBytes));
            var stdout = ArgvProcess.ReadBounded(p.StandardOutput.BaseStream, maxOutputBytes);
            p.WaitForExit();
            return new ProcessResult(p.ExitCode, stdout, stderr.GetAwaiter().GetResult());
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(ProcessResult.NotFound, "", $"{argv[0]}: {e.Message}\n");
        }
    }

    /// <summary>Starts <paramref name="argv"/>, lets <paramref name="feed"/> write and close its standard input, collects the output.</summary>
    private static ProcessResult Execute(IReadOnlyList<string> argv, Action<StreamWriter> feed)
    {
        var info = ArgvProcess.StartInfo(argv);
        try
        {
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            feed(p.StandardInput);
            p.WaitForExit();
            return new ProcessResult(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
        catch (Win32Exception e)
        {
            return new ProcessResult(ProcessResult.NotFound, "", $"{argv[0]}: {e.Message}\n");
        }
    }
}
