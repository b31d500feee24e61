using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Elf;

/// <summary>
/// The closure of an executable's loader and shared libraries inside a root, found the way ld.so
/// searches (ld.so(8)): DT_RPATH when there is no DT_RUNPATH, then DT_RUNPATH, then the system
/// directories. <c>$ORIGIN</c> expands to the object's directory. No ldd: nothing is executed.
/// </summary>
public sealed class SharedLibraryResolver
{
    /// <summary>Debian's multiarch directories first, then the traditional ones.</summary>
    public static readonly IReadOnlyList<string> DefaultDirectories =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib",
    ];

    private const int MaxObjects = 4096;

    private readonly RootedPath _root;

    public SharedLibraryResolver(RootedPath root) => _root = root;

    /// <summary>
    /// Every file (with the links leading to it) the program at <paramref name="systemPath"/> needs,
    /// itself included, as system paths. Libraries not found are listed in <paramref name="missing"/>.
    /// </summary>
    public IReadOnlyList<(string Path, string? LinkTarget)> Closure(string systemPath, out IReadOnlyList<string> missing)
    {
        var result = new List<(string, string?)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var missingList = new List<string>();
        var queue = new Queue<string>();
        queue.Enqueue(systemPath);
        while (queue.Count > 0)
        {
            if (seen.Count > MaxObjects) throw new InitramfsBuildException($"more than {MaxObjects} shared objects needed by {systemPath}");
            var path = queue.Dequeue();
            if (!seen.Add(path)) continue;
            var chain = _root.ResolveChain(path);
            if (chain is null) { missingList.Add(path); continue; }
            result.AddRange(chain);
            var real = chain[^1].Path;
            ElfDynamicInfo? info;
            try { info = ElfDynamicInfo.ReadFile(_root.Host(real)); }
            catch (Primitives.Errors.KdumpException e) { throw new InitramfsBuildException($"cannot read the ELF headers of {path}: {e.Message}", e); }
            if (info is null) continue;
            if (info.Interpreter is { } interp) queue.Enqueue(interp);
            var origin = Path.GetDirectoryName(real) ?? "/";
            foreach (var needed in info.Needed)
            {
                if (needed.Contains('/', StringComparison.Ordinal)) { queue.Enqueue(needed); continue; }
                var found = Find(needed, info, origin);
                if (found is null) missingList.Add(needed);
                else queue.Enqueue(found);
            }
        }
        missing = missingList;
        return result;
    }

    private string? Find(string name, ElfDynamicInfo info, string origin)
    {
        IEnumerable<string> dirs = [];
        if (info.RunPath is null && info.RPath is { } rpath) dirs = dirs.Concat(SplitPath(rpath, origin));
        if (info.RunPath is { } runpath) dirs = dirs.Concat(SplitPath(runpath, origin));
        foreach (var dir in dirs.Concat(DefaultDirectories))
        {
            var candidate = dir.TrimEnd('/') + "/" + name;
            if (_root.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static IEnumerable<string> SplitPath(string value, string origin) =>
        value.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Replace("${ORIGIN}", origin, StringComparison.Ordinal).Replace("$ORIGIN", origin, StringComparison.Ordinal));
}
