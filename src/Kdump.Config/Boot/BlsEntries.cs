namespace Kdump.Config.Boot;

/// <summary>Boot Loader Specification entries in <c>/boot/loader/entries</c>.</summary>
public static class BlsEntries
{
    public const string Directory = "/boot/loader/entries";

    /// <summary>
    /// Reads every <c>*.conf</c> entry, sorted like grubby (by file name, newest version first);
    /// indexes follow that order.
    /// </summary>
    public static IReadOnlyList<BootEntry> Read(IO.IRootFileSystem root, ConfigLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        limits ??= ConfigLimits.Default;
        var names = root.ListDirectory(Directory).Where(n => n.EndsWith(".conf", StringComparison.Ordinal)).ToList();
        names.Sort(static (a, b) => -CompareVersions(a, b));
        var entries = new List<BootEntry>();
        foreach (var name in names)
        {
            var path = Directory + "/" + name;
            var text = root.ReadAllText(path, limits.MaxFileBytes) ?? "";
            if (text.Contains('\0', StringComparison.Ordinal)) throw KdumpConfigException.At(path, null, "contains a NUL byte");
            string kernel = "", options = "", version = "";
            foreach (var line in TextLines.Split(text))
            {
                var (key, value) = Shell.ShellChars.SplitFirstField(line);
                switch (key)
                {
                    case "linux": kernel = value; break;
                    case "options": options = value; break;
                    case "version": version = value; break;
                }
            }
            entries.Add(new BootEntry(entries.Count, kernel, options, path, version));
        }
        return entries;
    }

    /// <summary>The entry's file with its <c>options</c> line replaced (appended when missing); other lines untouched.</summary>
    public static string WithOptions(string entryText, string newOptions)
    {
        ArgumentNullException.ThrowIfNull(entryText);
        var lines = entryText.Split('\n').ToList();
        var done = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (Shell.ShellChars.SplitFirstField(lines[i]).First != "options") continue;
            lines[i] = done ? lines[i] : "options " + newOptions;
            done = true;
        }
        if (!done)
        {
            if (lines.Count > 0 && lines[^1].Length == 0) lines.Insert(lines.Count - 1, "options " + newOptions);
            else lines.Add("options " + newOptions);
        }
        return string.Join('\n', lines);
    }

    /// <summary>rpm-style version comparison of digit and non-digit runs (enough for kernel versions).</summary>
    internal static int CompareVersions(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var si = i; while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                var sj = j; while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var na = a[si..i].TrimStart('0');
                var nb = b[sj..j].TrimStart('0');
                var c = na.Length != nb.Length ? na.Length.CompareTo(nb.Length) : string.CompareOrdinal(na, nb);
                if (c != 0) return c;
            }
            else
            {
                var c = a[i].CompareTo(b[j]);
                if (c != 0) return c;
                i++;
                j++;
            }
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }
}
