using System.Buffers;

namespace Kdump.Config.Shell;

/// <summary>Character classes of the shell tools upstream relies on.</summary>
public static class ShellChars
{
    /// <summary>[[:space:]] / grep's \s in the C locale.</summary>
    public static readonly char[] PosixSpaces = [' ', '\t', '\n', '\v', '\f', '\r'];

    /// <summary>Default IFS whitespace used by <c>read</c> (space, tab, newline).</summary>
    public static readonly char[] IfsWhitespace = [' ', '\t', '\n'];

    private static readonly SearchValues<char> s_shellInert =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./@%+:,");

    /// <summary>
    /// One word for the remote shell that ssh hands its joined command line to: unchanged when no
    /// shell treats any of its characters specially (so ordinary paths read as upstream's), else
    /// single-quoted, so a config value such as <c>path</c> is never evaluated on the server.
    /// </summary>
    public static string QuoteForShell(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && word.AsSpan().IndexOfAnyExcept(s_shellInert) < 0) return word;
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    public static bool IsPosixSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    public static bool IsIfsWhitespace(char c) => c is ' ' or '\t' or '\n';

    /// <summary>
    /// <c>read -r first rest</c> with the default IFS: leading/trailing IFS whitespace trimmed,
    /// <paramref name="line"/> split at the first run of IFS whitespace.
    /// </summary>
    public static (string First, string Remainder) SplitFirstField(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.Trim(IfsWhitespace);
        var i = 0;
        while (i < trimmed.Length && !IsIfsWhitespace(trimmed[i])) i++;
        var first = trimmed[..i];
        var rest = trimmed[i..].TrimStart(IfsWhitespace);
        return (first, rest);
    }

    /// <summary>Unquoted word splitting on IFS whitespace (<c>for x in $list</c>).</summary>
    public static string[] SplitWords(string? text) =>
        text is null ? [] : text.Split(IfsWhitespace, StringSplitOptions.RemoveEmptyEntries);
}
