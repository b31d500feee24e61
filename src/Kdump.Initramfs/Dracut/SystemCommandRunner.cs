using System.ComponentModel;
using System.Diagnostics;
using Kdump.Linux;

namespace Kdump.Initramfs.Dracut;

/// <summary>The real runner: <see cref="Process"/> with an argument list, no shell.</summary>
public sealed class SystemCommandRunner : ICommandRunner
{
    public int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        var info = ArgvProcess.StartInfo(argv);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var gate = new Lock();
        void Forward(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (gate) output.WriteLine(e.Data);
        }
        try
        {
            using var p = new Process { StartInfo = info };
            p.OutputDataReceived += Forward;
            p.ErrorDataReceived += Forward;
            p.Start();
            p.StandardInput.Close();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (Win32Exception e)
        {
            lock (gate) output.WriteLine($"{argv[0]}: {e.Message}");
            return ICommandRunner.NotStarted;
        }
    }

    public (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentOutOfRangeException.ThrowIfNegative(maxStdoutBytes);
        try
        {
            using var p = new Process { StartInfo = ArgvProcess.StartInfo(argv) };
            p.ErrorDataReceived += static (_, _) => { };
            p.Start();
            p.StandardInput.Close();
            p.BeginErrorReadLine();
            // Bounded: what a remote command prints is not trusted to be small.
            var stdout = ArgvProcess.ReadBounded(p.StandardOutput.BaseStream, maxStdoutBytes);
            p.WaitForExit();
            return (p.ExitCode, stdout);
        }
        catch (Win32Exception)
        {
            return (ICommandRunner.NotStarted, "");
        }
    }
}
