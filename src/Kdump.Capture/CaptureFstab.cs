namespace Kdump.Capture;

/// <summary>One line of the image's /etc/fstab (written by mkdumprd, like dracut's <c>--mount</c>).</summary>
public sealed record CaptureMount(string Device, string MountPoint, string FsType, string Options)
{
    /// <summary>fstab text → mounts; comment and malformed lines skipped, <c>\040</c>-style escapes decoded (a mount point with a blank).</summary>
    public static IReadOnlyList<CaptureMount> Parse(string? text) =>
        [.. Config.Mounts.MountTable.ParseFstab(text ?? "").Entries.Select(e => new CaptureMount(e.Source, e.Target, e.FsType, e.Options))];
}
