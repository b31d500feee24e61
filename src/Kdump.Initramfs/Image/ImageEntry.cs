namespace Kdump.Initramfs.Image;

/// <summary>What an image path is.</summary>
public enum ImageEntryKind
{
    Directory,
    File,
    Symlink,
    CharDevice,
}

/// <summary>
/// One path of the image. A file's bytes come either from <see cref="Content"/> or, read when the
/// archive is written, from <see cref="SourcePath"/> (a host path).
/// </summary>
public sealed record ImageEntry(string Path, ImageEntryKind Kind, uint Permissions)
{
    public byte[]? Content { get; init; }
    public string? SourcePath { get; init; }
    public string? LinkTarget { get; init; }
    public uint Major { get; init; }
    public uint Minor { get; init; }
}
