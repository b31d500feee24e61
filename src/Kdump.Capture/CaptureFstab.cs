namespace Kdump.Capture;

/// <summary>One line of the image's /etc/fstab (written by mkdumprd, like dracut's <c>--mount</c>).</summary>
public sealed record CaptureMount(string Device, string MountPoint, string FsType, string Options)
{
    /// <summary>fstab text → mounts; comment and malformed lines skipped.</summary>
    public static IReadOnlyList<CaptureMount> Parse(string? text)
    {
        var result = new List<CaptureMount>();
        foreach (var line in (text ?? "").Split('\n'))
        {
            var f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3 || f[0].StartsWith('#')) continue;
            result.Add(new CaptureMount(f[0], f[1], f[2], f.Length > 3 ? f[3] : "defaults"));
        }
        return result;
    }
}
