using Kdump.Config.IO;

namespace Kdump.Initramfs.Image;

/// <summary>
/// System paths inside a root directory (<c>mkdumprd --root DIR</c>): symbolic links are followed
/// component by component and absolute link targets stay inside the root, as chroot would see them.
/// </summary>
public sealed class RootedPath
{
    public RootedPath(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root).TrimEnd('/');
    }

    /// <summary>The host directory ("" for "/").</summary>
    public string Root { get; }

    /// <summary>The host path of a system path, links not followed.</summary>
    public string Host(string systemPath) => Root + "/" + ImagePlan.Normalize(systemPath);

    public bool Exists(string systemPath) => Resolve(systemPath) is { } p && File.Exists(Host(p));

    /// <summary>
    /// The chain of system paths reached while resolving <paramref name="systemPath"/>: every
    /// symbolic link met as the last component (so the image can hold the same links), ending with
    /// the regular file. Null when it does not exist.
    /// A path reached through a directory link (merged /usr: /lib64 → usr/lib64, /bin → usr/bin)
    /// gets an entry of its own, a link from the spelling asked for to the canonical one: programs
    /// name their loader and #! interpreter that way, and the image holds no directory links
    /// (a link <c>lib</c> would sort before the <c>lib/modules</c> it must not redirect).
    /// </summary>
    public IReadOnlyList<(string Path, string? LinkTarget)>? ResolveChain(string systemPath)
    {
        var chain = new List<(string, string?)>();
        var current = "/" + ImagePlan.Normalize(systemPath);
        for (var hops = 0; hops < SystemPath.MaxLinks; hops++)
        {
            var dir = Resolve(Parent(current));
            if (dir is null) return null;
            var path = (dir == "/" ? "" : dir) + "/" + Path.GetFileName(current);
            if (path != current && !current.Split('/').Any(part => part is "." or "..")) chain.Add((current, path));
            var info = new FileInfo(Host(path));
            if (info.LinkTarget is { } target)
            {
                chain.Add((path, target));
                current = SystemPath.Normalize(target.StartsWith('/') ? target : dir + "/" + target);
                continue;
            }
            if (!info.Exists) return null;
            chain.Add((path, null));
            return chain;
        }
        return null;
    }

    /// <summary>The canonical system path (every link followed, <c>.</c>/<c>..</c> removed), or null when a component is missing.</summary>
    public string? Resolve(string systemPath) =>
        SystemPath.Canonicalize(systemPath, p => new FileInfo(Host(p)).LinkTarget, p => Path.Exists(Host(p)));

    private static string Parent(string path)
    {
        var i = path.LastIndexOf('/');
        return i <= 0 ? "/" : path[..i];
    }
}
