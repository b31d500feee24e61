namespace Kdump.Config.Rebuild;

/// <summary>What <c>check_files_modified</c> looks at for one watched file.</summary>
/// <param name="Path">System path as upstream prints it.</param>
/// <param name="Exists"><c>[[ -e ]]</c>.</param>
/// <param name="ModificationTime"><c>stat -c %Y</c> (seconds).</param>
/// <param name="IsExecutable"><c>[[ -x ]]</c>.</param>
/// <param name="LinkTarget"><c>readlink -m</c> when the file is a symbolic link, else null.</param>
/// <param name="LinkTargetModificationTime"><c>stat -c %Y</c> of the link target.</param>
public sealed record FileFacts(string Path, bool Exists, long ModificationTime, bool IsExecutable = false,
    string? LinkTarget = null, long? LinkTargetModificationTime = null)
{
    /// <summary>Reads the facts of <paramref name="path"/> from a root tree.</summary>
    public static FileFacts From(IO.IRootFileSystem root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        var mtime = root.GetModificationTimeSeconds(path);
        var link = root.ResolveLink(path);
        return new FileFacts(path, mtime is not null, mtime ?? 0, root.IsExecutable(path), link,
            link is null ? null : root.GetModificationTimeSeconds(link));
    }
}
