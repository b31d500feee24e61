namespace Kdump.Config.IO;

/// <summary>
/// Every system path (/etc, /proc, /sys, /boot, /var) the control plane reads or writes, resolved
/// under one root directory (like <c>systemctl --root</c>). Paths given to it are absolute system
/// paths such as <c>/etc/kdump.conf</c>; tests point it at prepared trees.
/// </summary>
public interface IRootFileSystem
{
    /// <summary>The host path a system path maps to (for messages and for tools that need one).</summary>
    string HostPath(string systemPath);

    bool FileExists(string systemPath);

    bool DirectoryExists(string systemPath);

    /// <summary>Text of a file, or null when it does not exist. Larger than <paramref name="maxBytes"/> → error.</summary>
    string? ReadAllText(string systemPath, int maxBytes);

    /// <summary>Modification time in whole seconds since the epoch (<c>stat -c %Y</c>), or null when missing.</summary>
    long? GetModificationTimeSeconds(string systemPath);

    /// <summary>Size in bytes (<c>du -b</c> of one file), or null when missing.</summary>
    long? GetFileLength(string systemPath);

    /// <summary>Whether the file has any execute bit (<c>[[ -x ]]</c> for root).</summary>
    bool IsExecutable(string systemPath);

    /// <summary>
    /// Whether new files can be created in the directory (<c>[[ -w DIR ]]</c>): false when it is
    /// missing, read-only (mount, permissions, immutable flag) or otherwise refuses a new file.
    /// </summary>
    bool IsWritableDirectory(string systemPath);

    /// <summary>Target of a symbolic link as a system path (<c>readlink -m</c>), or null when not a link.</summary>
    string? ResolveLink(string systemPath);

    /// <summary>Names (not paths) of the entries of a directory, sorted ordinally; empty when missing.</summary>
    IReadOnlyList<string> ListDirectory(string systemPath);

    /// <summary>
    /// Replaces a group of files so that either all of them change or none does: each new content
    /// is written to a temporary file beside its target, then the temporaries are renamed over
    /// the targets; if any step fails every target already replaced is restored.
    /// </summary>
    void ReplaceFilesAtomically(IReadOnlyList<FileReplacement> replacements);
}

/// <summary>New content for one system path.</summary>
public sealed record FileReplacement(string SystemPath, string NewContent);
