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
