using System.Text;

namespace Kdump.Config.Mounts;

/// <summary>
/// The mount table (<c>/proc/self/mountinfo</c> or <c>/proc/mounts</c>) and the path questions
/// kdump-utils answers with <c>df</c> and <c>findmnt</c>, as pure functions.
/// </summary>
public sealed class MountTable
{
    public MountTable(IReadOnlyList<MountEntry> entries) => Entries = entries ?? throw new ArgumentNullException(nameof(entries));

    /// <summary>Mounts in table order (later entries are mounted on top of earlier ones).</summary>
    public IReadOnlyList<MountEntry> Entries { get; }

    /// <summary>Parses <c>/proc/mounts</c> (<c>source target fstype options freq passno</c>, octal escapes).</summary>
    public static MountTable ParseProcMounts(string text, string fileName = "/proc/mounts")
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseLines(text, fileName, static (f, fileName, n) =>
        {
            if (f.Length < 4) throw KdumpConfigException.At(fileName, n, "expected 'source target fstype options'");
            return new MountEntry(Unescape(f[0]), Unescape(f[1]), Unescape(f[2]), Unescape(f[3]));
        });
    }

    /// <summary>Parses <c>/proc/self/mountinfo</c> (keeps each mount's fsroot; options = per-mount + super options).</summary>
    public static MountTable ParseMountInfo(string text, string fileName = "/proc/self/mountinfo")
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseLines(text, fileName, static (f, fileName, n) =>
        {
            var dash = Array.IndexOf(f, "-");
            if (f.Length < 10 || dash < 6 || dash + 3 > f.Length)
                throw KdumpConfigException.At(fileName, n, "expected 'id parent maj:min root mountpoint options ... - fstype source superoptions'");
            var options = f[5] + (dash + 3 < f.Length ? "," + f[dash + 3] : "");
            return new MountEntry(Unescape(f[dash + 2]), Unescape(f[4]), Unescape(f[dash + 1]), Unescape(options), Unescape(f[3]));
        });
    }

    /// <summary>
    /// Parses <c>/etc/fstab</c> (fstab(5): <c>spec file vfstype [mntops [freq [passno]]]</c>, blanks or
    /// tabs between fields, <c>#</c> comments, octal escapes). As libmount, a line with fewer than three
    /// fields is passed over; missing options read as <c>defaults</c>. Sources stay as written
    /// (<c>UUID=</c>, <c>LABEL=</c>): resolving them is the caller's business.
    /// </summary>
    public static MountTable ParseFstab(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<MountEntry>();
        foreach (var line in TextLines.Split(text))
        {
            var f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3 || f[0].StartsWith('#')) continue;
            list.Add(new MountEntry(Unescape(f[0]), Unescape(f[1]), Unescape(f[2]), f.Length > 3 ? Unescape(f[3]) : "defaults"));
        }
        return new MountTable(list);
    }

    // Both /proc tables: one entry per non-blank line of space-separated fields; n is the 1-based line number.
    private static MountTable ParseLines(string text, string fileName, Func<string[], string, int, MountEntry> entry)
    {
        var list = new List<MountEntry>();
        var n = 0;
        foreach (var line in TextLines.Split(text))
        {
            n++;
            if (line.Trim().Length == 0) continue;
            list.Add(entry(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), fileName, n));
        }
        return new MountTable(list);
    }

    /// <summary>Decodes the kernel's <c>\ooo</c> escapes (space, tab, newline, backslash).</summary>
    public static string Unescape(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    /// <summary>A field as fstab and the kernel write it: space, tab, newline and backslash as <c>\ooo</c> (what <see cref="Unescape"/> reads).</summary>
    public static string Escape(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.AsSpan().IndexOfAny(" \t\n\\") < 0) return field;
        var sb = new StringBuilder(field.Length + 8);
        foreach (var c in field)
        {
            if (c is ' ' or '\t' or '\n' or '\\') sb.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// <c>df &lt;path&gt;</c>: the mount whose target is the longest path-component prefix of
    /// <paramref name="path"/>; among mounts on the same target, the last one (on top).
    /// </summary>
    public MountEntry? FindMountContaining(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var p = IO.SystemPath.Normalize(path);
        MountEntry? best = null;
        foreach (var m in Entries)
        {
            var t = IO.SystemPath.Normalize(m.Target);
            var contains = t == "/" || p == t || p.StartsWith(t + "/", StringComparison.Ordinal);
            if (contains && (best is null || t.Length >= IO.SystemPath.Normalize(best.Target).Length)) best = m;
        }
        return best;
    }

    /// <summary>
    /// kdump-lib-initramfs.sh <c>get_mntpoint_from_target</c>: first mount of
    /// <paramref name="source"/> with fsroot <c>/</c> (or, for a btrfs subvolume, with that
    /// fsroot); falls back to the first mount of the source; null when not mounted.
    /// </summary>
    public string? GetMountPointOfSource(string source, string? subvolume = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var ofSource = Entries.Where(e => e.Source == source).ToList();
        var pick = string.IsNullOrEmpty(subvolume)
            ? ofSource.FirstOrDefault(e => e.FsRoot == "/")
            : ofSource.FirstOrDefault(e => e.FsRoot == subvolume);
        return (pick ?? ofSource.FirstOrDefault())?.Target;
    }

    /// <summary>
    /// kdump-lib.sh <c>get_bind_mount_source</c>: the path as seen from the primary mount of its
    /// device. <c>/mnt/bind/dump</c> with <c>/path/to/src</c> bind-mounted on <c>/mnt/bind</c>
    /// → <c>/path/to/src/dump</c>; a btrfs subvolume prefix is not part of the result.
    /// </summary>
    public string GetBindMountSource(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var m = FindMountContaining(path) ?? throw new KdumpConfigException($"no mount contains {path}");
        var mnt = m.Target;
        // _path=${1#"$_mnt"}: plain string prefix removal.
        var rest = path.StartsWith(mnt, StringComparison.Ordinal) ? path[mnt.Length..] : path;
        if (m.FsRoot == "/") return mnt + rest;

        var fsroot = m.FsRoot;
        string? subvol = null;
        if (m.FsType == "btrfs")
        {
            subvol = m.BtrfsSubvolume;
            if (subvol is not null && fsroot.StartsWith(subvol, StringComparison.Ordinal)) fsroot = fsroot[subvol.Length..];
        }
        var baseMnt = GetMountPointOfSource(m.Source, subvol) ?? "";
        return baseMnt + fsroot + rest;
    }

    /// <summary>
    /// mkdumprd <c>handle_default_dump_target</c>: the device, fstype, options and btrfs subvolume
    /// backing <paramref name="savePath"/>, and the save path relative to that file system's
    /// mount point (<c>SAVE_PATH=${_save_path##"$_mntpoint"}</c>).
    /// </summary>
    public DefaultTargetResolution ResolveDefaultTarget(string savePath)
    {
        ArgumentNullException.ThrowIfNull(savePath);
        var source = GetBindMountSource(savePath);
        var m = FindMountContaining(source) ?? throw new KdumpConfigException($"no mount contains {source}");
        var subvol = m.FsType == "btrfs" ? m.BtrfsSubvolume : null;
        var mountPoint = GetMountPointOfSource(m.Source, subvol) ?? m.Target;
        var relative = source.StartsWith(mountPoint, StringComparison.Ordinal) ? source[mountPoint.Length..] : source;
        return new DefaultTargetResolution(m.Source, m.FsType, m.Options, subvol, mountPoint, relative, KdumpMountPoint(mountPoint));
    }

    /// <summary>
    /// kdump-lib.sh <c>get_kdump_mntpoint_from_target</c>: where the capture kernel mounts the
    /// target: <c>/sysroot</c> for <c>/</c>, <c>/kdumproot/&lt;mnt&gt;</c> otherwise,
    /// <c>/kdumproot</c> when not mounted; duplicate slashes squeezed.
    /// </summary>
    public static string KdumpMountPoint(string? firstKernelMountPoint) =>
        string.IsNullOrEmpty(firstKernelMountPoint) ? "/kdumproot"
        : firstKernelMountPoint == "/" ? "/sysroot"
        : IO.SystemPath.SqueezeSlashes("/kdumproot/" + firstKernelMountPoint);
}

/// <summary>Result of <see cref="MountTable.ResolveDefaultTarget"/>.</summary>
public sealed record DefaultTargetResolution(
    string Device,
    string FsType,
    string Options,
    string? BtrfsSubvolume,
    string MountPoint,
    string RelativeSavePath,
    string KdumpMountPoint);
