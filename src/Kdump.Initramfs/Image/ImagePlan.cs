using Kdump.Initramfs.Cpio;

namespace Kdump.Initramfs.Image;

/// <summary>
/// The set of paths of a capture initramfs, written as one deterministic newc archive: paths
/// sorted ordinally, parents created implicitly (0755), inodes numbered in order, one fixed mtime.
/// Adding the same path twice keeps the last entry (a later decision overrides an earlier one).
/// </summary>
public sealed class ImagePlan
{
    private readonly SortedDictionary<string, ImageEntry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ImageEntry> Entries => _entries.Values;

    public bool Contains(string path) => _entries.ContainsKey(Normalize(path));

    public ImageEntry? Get(string path) => _entries.GetValueOrDefault(Normalize(path));

    public void AddDirectory(string path, uint permissions = UnixMode.Perm0755) =>
        Add(new ImageEntry(path, ImageEntryKind.Directory, permissions));

    public void AddFile(string path, byte[] content, uint permissions = UnixMode.Perm0644) =>
        Add(new ImageEntry(path, ImageEntryKind.File, permissions) { Content = content });

    public void AddHostFile(string path, string hostPath, uint permissions) =>
        Add(new ImageEntry(path, ImageEntryKind.File, permissions) { SourcePath = hostPath });

    public void AddSymlink(string path, string target) =>
        Add(new ImageEntry(path, ImageEntryKind.Symlink, UnixMode.Perm0777) { LinkTarget = target });

    public void AddCharDevice(string path, uint major, uint minor, uint permissions = UnixMode.Perm0600) =>
        Add(new ImageEntry(path, ImageEntryKind.CharDevice, permissions) { Major = major, Minor = minor });

    public void Add(ImageEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = Normalize(entry.Path);
        if (path.Length == 0) throw new ArgumentException("an image entry needs a path below /", nameof(entry));
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            var parent = path[..slash];
            if (!_entries.ContainsKey(parent)) _entries[parent] = new ImageEntry(parent, ImageEntryKind.Directory, UnixMode.Perm0755);
        }
        _entries[path] = entry with { Path = path };
    }

    /// <summary>Writes the archive (uncompressed newc) to <paramref name="output"/>.</summary>
    public void WriteCpio(Stream output, uint mtime = 0)
    {
        var writer = new CpioNewcWriter(output, mtime);
        foreach (var e in _entries.Values)
        {
            switch (e.Kind)
            {
                case ImageEntryKind.Directory: writer.WriteDirectory(e.Path, e.Permissions); break;
                case ImageEntryKind.Symlink: writer.WriteSymlink(e.Path, e.LinkTarget ?? ""); break;
                case ImageEntryKind.CharDevice: writer.WriteCharDevice(e.Path, e.Permissions, e.Major, e.Minor); break;
                default: writer.WriteFile(e.Path, e.Permissions, e.Content ?? ReadSource(e)); break;
            }
        }
        writer.Finish();
    }

    /// <summary>Writes the compressed archive to <paramref name="output"/>.</summary>
    public void Write(Stream output, InitramfsCompression compression, uint mtime = 0)
    {
        using (var c = InitramfsCompressors.Open(compression, output))
        {
            WriteCpio(c, mtime);
        }
        output.Flush();
    }

    private static byte[] ReadSource(ImageEntry e)
    {
        try
        {
            return File.ReadAllBytes(e.SourcePath ?? throw new InvalidOperationException($"image file {e.Path} has no content"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InitramfsBuildException($"cannot read {e.SourcePath} for /{e.Path}: {ex.Message}", ex);
        }
    }

    /// <summary>Image paths are stored without the leading '/' and with duplicate slashes squeezed.</summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('/', parts);
    }
}
