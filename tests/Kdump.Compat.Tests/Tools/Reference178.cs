using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>Runs of the reference makedumpfile 1.7.8 (sid's build in the lab's private sysroot).</summary>
internal static class Reference178
{
    /// <summary>
    /// One run, tried up to three times when sid's sysroot could not unwind a finished worker
    /// thread ("libgcc_s.so.1 must be installed for pthread_exit to work"); <paramref name="output"/>
    /// is removed before each try, since makedumpfile refuses an existing file.
    /// </summary>
    public static ExternalProcess.Result Run(string[] argv, string output)
    {
        ExternalProcess.Result result;
        var tries = 0;
        do
        {
            File.Delete(output);
            result = ExternalProcess.Run(Lab.ReferenceTool("makedumpfile-1.7.8"), argv);
        }
        while (result.Stderr.Contains("libgcc_s.so.1 must be installed", StringComparison.Ordinal) && ++tries < 3);
        return result;
    }

    /// <summary>
    /// Our makedumpfile (in-process) and 1.7.8 on <paramref name="vmcore"/>, each with its
    /// arguments: <paramref name="directory"/>/ours and /theirs; asserts both succeed.
    /// </summary>
    public static (string Ours, string Theirs) MakeBoth(string directory, string vmcore, string[] ourArgs, string[] theirArgs)
    {
        var ours = Path.Combine(directory, "ours");
        var theirs = Path.Combine(directory, "theirs");
        var made = InProcess.Run(Kdump.Makedumpfile.MakedumpfileCommand.Run, "makedumpfile", [.. ourArgs, vmcore, ours]);
        Assert.True(made.ExitCode == 0, made.Stderr);
        var reference = Run([.. theirArgs, vmcore, theirs], theirs);
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        return (ours, theirs);
    }
}
