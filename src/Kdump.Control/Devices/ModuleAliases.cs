namespace Kdump.Control.Devices;

/// <summary>
/// <c>modprobe -R MODALIAS</c> from a kernel's <c>modules.alias</c> text: the modules whose alias
/// pattern (fnmatch: <c>*</c>, <c>?</c>, <c>[…]</c>) matches, each once, in file order.
/// </summary>
public sealed class ModuleAliases
{
    private readonly List<(string Pattern, string Module)> _aliases;

    private ModuleAliases(List<(string, string)> aliases) => _aliases = aliases;

    public static ModuleAliases Parse(string modulesAlias)
    {
        ArgumentNullException.ThrowIfNull(modulesAlias);
        var list = new List<(string, string)>();
        foreach (var line in modulesAlias.Split('\n'))
        {
            var w = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 3 && w[0] == "alias") list.Add((w[1], w[2].Replace('-', '_')));
        }
        return new ModuleAliases(list);
    }

    public IReadOnlyList<string> Resolve(string modalias)
    {
        ArgumentNullException.ThrowIfNull(modalias);
        var found = new List<string>();
        foreach (var (pattern, module) in _aliases)
        {
            if (!found.Contains(module, StringComparer.Ordinal) && FnMatch(pattern, modalias)) found.Add(module);
        }
        return found;
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
