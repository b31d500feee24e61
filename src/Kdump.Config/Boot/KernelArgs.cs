namespace Kdump.Config.Boot;

/// <summary>Edits of a kernel argument string (a BLS <c>options</c> line, GRUB_CMDLINE_LINUX).</summary>
public static class KernelArgs
{
    /// <summary>Value of the last <c>name=</c> word, or null.</summary>
    public static string? Get(string args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? found = null;
        foreach (var w in Shell.ShellChars.SplitWords(args))
        {
            if (w.StartsWith(name + "=", StringComparison.Ordinal)) found = w[(name.Length + 1)..];
        }
        return found;
    }

    /// <summary>
    /// Like <c>grubby --args name=value</c> (or <c>--remove-args name</c> when <paramref name="value"/>
    /// is null): the first <c>name=</c> word is replaced in place, further ones are dropped, and
    /// the word is appended when absent. Words are re-joined with single spaces.
    /// </summary>
    public static string Set(string args, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(args);
        var words = new List<string>();
        var placed = false;
        foreach (var w in Shell.ShellChars.SplitWords(args))
        {
            if (w == name || w.StartsWith(name + "=", StringComparison.Ordinal))
            {
                if (!placed && value is not null) words.Add(name + "=" + value);
                placed = true;
                continue;
            }
            words.Add(w);
        }
        if (!placed && value is not null) words.Add(name + "=" + value);
        return string.Join(' ', words);
    }
}
