namespace Kdump.Config.Shell;

/// <summary>Character classes of the shell tools upstream relies on.</summary>
public static class ShellChars
{
    /// <summary>[[:space:]] / grep's \s in the C locale.</summary>
    public static readonly char[] PosixSpaces = [' ', '\t', '\n', '\v', '\f', '\r'];

    /// <summary>Default IFS whitespace used by <c>read</c> (space, tab, newline).</summary>
    public static readonly char[] IfsWhitespace = [' ', '\t', '\n'];

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
