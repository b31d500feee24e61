namespace Kdump.Control.Devices;

/// <summary>
/// <c>modprobe --set-version KVER -R MODALIAS</c> over a kernel's text indexes: the modules whose
/// <c>modules.alias</c> pattern (fnmatch: <c>*</c>, <c>?</c>, <c>[…]</c>) matches, each once, in
/// file order; when none does, those whose <c>alias=</c> in <c>modules.builtin.modinfo</c> matches
/// (kmod then looks in modules.builtin.alias.bin, which depmod builds from that file, and prints
/// built-in names too). Alias and patterns are compared after kmod's <c>alias_normalize</c>
/// ('-' read as '_' outside brackets).
/// </summary>
public sealed class ModuleAliases
{
    private readonly List<(string Pattern, string Module)> _aliases;
    private readonly List<(string Pattern, string Module)> _builtin;

    private ModuleAliases(List<(string, string)> aliases, List<(string, string)> builtin)
    {
        _aliases = aliases;
        _builtin = builtin;
    }

    /// <summary>Parses <c>modules.alias</c> and, optionally, <c>modules.builtin.modinfo</c> (NUL-separated <c>module.key=value</c>).</summary>
    public static ModuleAliases Parse(string modulesAlias, string modulesBuiltinModinfo = "")
    {
        ArgumentNullException.ThrowIfNull(modulesAlias);
        ArgumentNullException.ThrowIfNull(modulesBuiltinModinfo);
        var list = new List<(string, string)>();
        foreach (var line in modulesAlias.Split('\n'))
        {
            var w = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 3 && w[0] == "alias") list.Add((Normalize(w[1]), w[2].Replace('-', '_')));
        }
        var builtin = new List<(string, string)>();
        foreach (var entry in modulesBuiltinModinfo.Split('\0'))
        {
            var dot = entry.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !entry.AsSpan(dot).StartsWith(".alias=", StringComparison.Ordinal)) continue;
            builtin.Add((Normalize(entry[(dot + ".alias=".Length)..]), entry[..dot].Replace('-', '_')));
        }
        return new ModuleAliases(list, builtin);
    }

    public IReadOnlyList<string> Resolve(string modalias)
    {
        ArgumentNullException.ThrowIfNull(modalias);
        var alias = Normalize(modalias);
        var found = Matches(_aliases, alias);
        return found.Count > 0 ? found : Matches(_builtin, alias);
    }

    private static List<string> Matches(List<(string Pattern, string Module)> table, string alias)
    {
        var found = new List<string>();
        foreach (var (pattern, module) in table)
        {
            if (!found.Contains(module, StringComparer.Ordinal) && FnMatch(pattern, alias)) found.Add(module);
        }
        return found;
    }

    /// <summary>kmod's <c>alias_normalize</c>: '-' becomes '_' except inside <c>[…]</c>.</summary>
    public static string Normalize(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        var chars = alias.ToCharArray();
        var inBracket = false;
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '[') inBracket = true;
            else if (chars[i] == ']') inBracket = false;
            else if (chars[i] == '-' && !inBracket) chars[i] = '_';
        }
        return new string(chars);
    }

    /// <summary>fnmatch(3) without flags, iteratively: on a mismatch after <c>*</c>, retry one character later (linear backtracking).</summary>
    public static bool FnMatch(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = ++p;
                starT = t;
                continue;
            }
            if (p < pattern.Length && MatchOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }
            if (starP < 0) return false;
            p = starP;
            t = ++starT;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    // One pattern element at p against c; advances p past it when it matches.
    private static bool MatchOne(string pattern, ref int p, char c)
    {
        var ch = pattern[p];
        if (ch == '?') { p++; return true; }
        if (ch == '[')
        {
            var i = p + 1;
            var negate = i < pattern.Length && pattern[i] is '!' or '^';
            if (negate) i++;
            var start = i;
            var hit = false;
            while (i < pattern.Length && (pattern[i] != ']' || i == start))
            {
                if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
                {
                    if (c >= pattern[i] && c <= pattern[i + 2]) hit = true;
                    i += 3;
                }
                else
                {
                    if (c == pattern[i]) hit = true;
                    i++;
                }
            }
            if (i >= pattern.Length) { if (c != '[') return false; p++; return true; } // no closing ']': a literal '['
            if (hit == negate) return false;
            p = i + 1;
            return true;
        }
        if (ch == '\\' && p + 1 < pattern.Length) { if (pattern[p + 1] != c) return false; p += 2; return true; }
        if (ch != c) return false;
        p++;
        return true;
    }
}
