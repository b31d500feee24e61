namespace Kdump.Initramfs.Modules;

/// <summary>
/// depmod's text indexes of one kernel (<c>lib/modules/KVER/modules.dep</c>, <c>modules.builtin</c>,
/// <c>modules.softdep</c>, <c>modules.alias</c>), enough to give the load order of a module set
/// the way modprobe would: dependencies first, soft "pre:" dependencies before their module.
/// </summary>
public sealed class ModuleIndex
{
    private readonly Dictionary<string, ModuleEntry> _modules;
    private readonly HashSet<string> _builtin;
    private readonly Dictionary<string, List<string>> _softPre;
    private readonly Dictionary<string, List<string>> _aliases;

    private ModuleIndex(Dictionary<string, ModuleEntry> modules, HashSet<string> builtin,
        Dictionary<string, List<string>> softPre, Dictionary<string, List<string>> aliases)
    {
        _modules = modules;
        _builtin = builtin;
        _softPre = softPre;
        _aliases = aliases;
    }

    /// <summary>Reads the indexes under <paramref name="moduleDirectory"/> (a host path to lib/modules/KVER).</summary>
    public static ModuleIndex Load(string moduleDirectory)
    {
        var depPath = Path.Combine(moduleDirectory, "modules.dep");
        if (!File.Exists(depPath))
            throw new InitramfsBuildException($"{depPath} not found: run depmod for this kernel first");
        return Parse(
            File.ReadAllText(depPath),
            ReadOptional(Path.Combine(moduleDirectory, "modules.builtin")),
            ReadOptional(Path.Combine(moduleDirectory, "modules.softdep")),
            ReadOptional(Path.Combine(moduleDirectory, "modules.alias")));
    }

    private static string ReadOptional(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    /// <summary>Parses the index texts (pure).</summary>
    public static ModuleIndex Parse(string modulesDep, string modulesBuiltin, string modulesSoftdep, string modulesAlias)
    {
        ArgumentNullException.ThrowIfNull(modulesDep);
        var modules = new Dictionary<string, ModuleEntry>(StringComparer.Ordinal);
        foreach (var line in Lines(modulesDep))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var path = line[..colon].Trim();
            var deps = line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var name = NameOf(path);
            modules.TryAdd(name, new ModuleEntry(name, path, deps));
        }

        var builtin = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Lines(modulesBuiltin ?? "")) builtin.Add(NameOf(line.Trim()));

        // softdep <mod> pre: a b post: c
        var softPre = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in Lines(modulesSoftdep ?? ""))
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 3 || words[0] != "softdep") continue;
            var inPre = false;
            foreach (var w in words.AsSpan(2))
            {
                if (w == "pre:") { inPre = true; continue; }
                if (w == "post:") { inPre = false; continue; }
                if (!inPre) continue;
                var key = Normalize(words[1]);
                if (!softPre.TryGetValue(key, out var list)) softPre[key] = list = [];
                list.Add(w);
            }
        }

        // Exact aliases only (no glob patterns): what softdeps name, e.g. crypto-crc32c.
        var aliases = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in Lines(modulesAlias ?? ""))
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 3 || words[0] != "alias" || words[1].AsSpan().IndexOfAny("*?[") >= 0) continue;
            if (!aliases.TryGetValue(words[1], out var list)) aliases[words[1]] = list = [];
            list.Add(Normalize(words[2]));
        }
        return new ModuleIndex(modules, builtin, softPre, aliases);
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'));

    /// <summary>Module name of a path: basename without <c>.ko[.xz|.zst|.gz]</c>, '-' as '_'.</summary>
    public static string NameOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path);
        var ko = name.IndexOf(".ko", StringComparison.Ordinal);
        if (ko > 0) name = name[..ko];
        return Normalize(name);
    }

    /// <summary>modprobe treats '-' and '_' in module names alike.</summary>
    public static string Normalize(string name) => name.Replace('-', '_');

    public bool IsBuiltin(string name) => _builtin.Contains(Normalize(name));

    public ModuleEntry? Find(string name) => _modules.GetValueOrDefault(Normalize(name));

    /// <summary>
    /// The modules to load for <paramref name="names"/>, in load order, each once. Names that are
    /// built in resolve to nothing; unknown names are returned in <paramref name="missing"/>.
    /// </summary>
    public IReadOnlyList<ModuleEntry> ResolveLoadOrder(IEnumerable<string> names, out IReadOnlyList<string> missing)
    {
        ArgumentNullException.ThrowIfNull(names);
        var order = new List<ModuleEntry>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var missingList = new List<string>();
        foreach (var n in names)
        {
            var name = Normalize(n);
            if (_modules.ContainsKey(name)) Visit(name, order, done, 0);
            else if (!_builtin.Contains(name) && !(_aliases.TryGetValue(n, out var targets) && VisitAlias(targets, order, done, 0)))
                missingList.Add(n);
        }
        missing = missingList;
        return order;
    }

    private const int MaxDepth = 64;

    private void Visit(string name, List<ModuleEntry> order, HashSet<string> done, int depth)
    {
        if (depth > MaxDepth) throw new InitramfsBuildException($"module dependencies of {name} nest deeper than {MaxDepth} levels (a cycle in modules.dep?)");
        if (!done.Add(name)) return;
        var entry = _modules[name];
        if (_softPre.TryGetValue(name, out var pre))
        {
            foreach (var p in pre)
            {
                var pn = Normalize(p);
                if (_modules.ContainsKey(pn)) Visit(pn, order, done, depth + 1);
                else if (_aliases.TryGetValue(p, out var targets)) VisitAlias(targets, order, done, depth + 1);
            }
        }
        // modules.dep lists the deepest dependency last: modprobe loads the list from its end.
        for (var i = entry.Dependencies.Count - 1; i >= 0; i--)
        {
            var dn = NameOf(entry.Dependencies[i]);
            if (_modules.ContainsKey(dn)) Visit(dn, order, done, depth + 1);
        }
        order.Add(entry);
    }

    /// <summary>An alias resolves to every module providing it (crc32c: _intel and _generic): take them all, the CPU decides which binds.</summary>
    private bool VisitAlias(List<string> targets, List<ModuleEntry> order, HashSet<string> done, int depth)
    {
        var any = false;
        foreach (var t in targets)
        {
            if (_builtin.Contains(t)) { any = true; continue; }
            if (!_modules.ContainsKey(t)) continue;
            Visit(t, order, done, depth);
            any = true;
        }
        return any;
    }
}

/// <summary>One modules.dep line: the module, its path relative to lib/modules/KVER, its hard dependencies.</summary>
public sealed record ModuleEntry(string Name, string RelativePath, IReadOnlyList<string> Dependencies);
