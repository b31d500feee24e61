namespace Kdump.Config.IO;

/// <summary>Pure helpers on absolute system paths (no file system access).</summary>
public static class SystemPath
{
    /// <summary>
    /// <c>readlink -m</c> without the file system: collapses duplicate slashes, <c>.</c> and
    /// <c>..</c>; the result is absolute and has no trailing slash (except <c>/</c>).
    /// </summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>The kernel's MAXSYMLINKS: following more links than this is ELOOP.</summary>
    public const int MaxLinks = 40;

    /// <summary>
    /// The canonical form of an absolute system path: every symbolic link followed component by
    /// component, <c>.</c> and <c>..</c> applied to what the links lead to, as the kernel walks a
    /// path. <paramref name="readLink"/> gives a component's link target as stored (absolute, or
    /// relative to the link's directory) or null when it is no link. Without <paramref name="exists"/>
    /// missing components are kept (<c>readlink -m</c>); with it, a component that is no link and
    /// does not exist makes the result null (<c>readlink -e</c>). Null after <see cref="MaxLinks"/>
    /// links (ELOOP). Pure apart from the two callbacks, so a prepared root and the host share it.
    /// </summary>
    public static string? Canonicalize(string path, Func<string, string?> readLink, Func<string, bool>? exists = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(readLink);
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', resolved.Append(part));
            if (readLink(candidate) is { } target)
            {
                if (++links > MaxLinks) return null;
                // The target replaces the link: from the root when absolute, else from the link's directory.
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(t);
                continue;
            }
            if (exists is not null && !exists(candidate)) return null;
            resolved.Add(part);
        }
        return "/" + string.Join('/', resolved);
    }

    /// <summary><c>tr -s /</c>: squeezes runs of slashes, keeps everything else (including a trailing slash).</summary>
    public static string SqueezeSlashes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sb = new System.Text.StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c == '/' && sb.Length > 0 && sb[^1] == '/') continue;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary><c>dirname</c> of a normalized absolute path.</summary>
    public static string Directory(string path)
    {
        var normalized = Normalize(path);
        var slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "/" : normalized[..slash];
    }

    /// <summary><c>basename</c>.</summary>
    public static string FileName(string path)
    {
        var normalized = Normalize(path);
        return normalized[(normalized.LastIndexOf('/') + 1)..];
    }
}
