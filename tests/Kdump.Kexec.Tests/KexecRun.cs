using System.Text;
using Kdump.Cli;
using Kdump.Kexec;
using Kdump.Linux.Testing;

namespace Kdump.Kexec.Tests;

/// <summary>Runs the kexec command in-process against a recording fake and a prepared root tree.</summary>
internal sealed record KexecRun(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Calls)
{
    public const string ProgramName = "kexec";

    public static KexecRun Invoke(TestTree tree, RecordingSystemCalls syscalls, params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        int exit;
        using (var context = new StreamToolContext(ProgramName, Stream.Null, stdout, stderr, tree.Directory, new Dictionary<string, string>()))
        {
            exit = KexecCommand.Run(context, syscalls, ["--root", tree.Root, .. args]);
        }
        var calls = syscalls.Calls.Select(tree.Relative).ToList();
        return new KexecRun(exit, Encoding.UTF8.GetString(stdout.ToArray()), tree.Relative(Encoding.UTF8.GetString(stderr.ToArray())), calls);
    }

    public static KexecRun Invoke(TestTree tree, params string[] args) => Invoke(tree, new RecordingSystemCalls(), args);
}
