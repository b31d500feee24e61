namespace Kdump.Config.Boot;

/// <summary>
/// <c>/etc/default/grub</c>'s <c>GRUB_CMDLINE_LINUX</c>: read and rewrite one assignment, leaving
/// every other line byte-for-byte as it was.
/// </summary>
public static class DefaultGrub
{
    public const string FileName = "/etc/default/grub";
    public const string Variable = "GRUB_CMDLINE_LINUX";

    /// <summary>The current value (quotes removed), or null when the variable is not assigned.</summary>
    public static string? GetCmdline(string text, string fileName = FileName) =>
        Shell.ShellAssignmentFile.Parse(text, fileName).Get(Variable);

    /// <summary>
    /// Replaces the last <c>GRUB_CMDLINE_LINUX=</c> line with a double-quoted value (appends one when
    /// absent). The file must be readable without a shell (see <see cref="Shell.ShellAssignmentFile"/>).
    /// </summary>
    public static string WithCmdline(string text, string newValue, string fileName = FileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(newValue);
        if (newValue.AsSpan().IndexOfAny("\"$`\\\n") >= 0)
            throw new KdumpConfigException($"cannot write {Variable} value containing quotes, '$', '`', '\\' or a newline");
        var parsed = Shell.ShellAssignmentFile.Parse(text, fileName);
        var line = $"{Variable}=\"{newValue}\"";
        if (!parsed.Values.TryGetValue(Variable, out var existing))
            return text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + line + "\n";
        var lines = text.Split('\n');
        var start = existing.Line - 1;
        // A quoted value may span lines: replace through the line where the assignment ends.
        var end = start;
        while (end < lines.Length - 1 && !IsCompleteAssignment(string.Join('\n', lines[start..(end + 1)]), fileName)) end++;
        var indent = lines[start][..(lines[start].Length - lines[start].TrimStart().Length)];
        var result = lines[..start].Append(indent + line).Concat(lines[(end + 1)..]);
        return string.Join('\n', result);
    }

    private static bool IsCompleteAssignment(string text, string fileName)
    {
        try
        {
            Shell.ShellAssignmentFile.Parse(text, fileName);
            return true;
        }
        catch (KdumpConfigException)
        {
            return false;
        }
    }
}
