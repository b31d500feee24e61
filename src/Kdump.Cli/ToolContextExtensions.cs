namespace Kdump.Cli;

public static class ToolContextExtensions
{
    /// <summary>An absolute path for <paramref name="path"/>, relative ones taken from the context's working directory.</summary>
    public static string ResolvePath(this IToolContext context, string path)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Path.IsPathRooted(path) ? path : Path.GetFullPath(path, context.WorkingDirectory);
    }

    /// <summary>glibc getopt permutes operands unless POSIXLY_CORRECT is set.</summary>
    public static bool IsPosixlyCorrect(this IToolContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEnvironmentVariable("POSIXLY_CORRECT") is not null;
    }
}
