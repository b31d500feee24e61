namespace Kdump.Config.IO;

/// <summary>
/// <see cref="IRootFileSystem"/> over a real directory: system path <c>/etc/kdump.conf</c> under
/// root <c>/tmp/tree</c> is <c>/tmp/tree/etc/kdump.conf</c>. Root <c>/</c> is the running system.
/// </summary>
public sealed class DirectoryRootFileSystem : IRootFileSystem
{
    private readonly string _root;

    public DirectoryRootFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root).TrimEnd('/');
    }

    public string Root => _root.Length == 0 ? "/" : _root;

    public string HostPath(string systemPath)
    {
        var normalized = SystemPath.Normalize(systemPath);
        return _root.Length == 0 ? normalized : _root + (normalized == "/" ? "" : normalized);
    }

    public bool FileExists(string systemPath) => File.Exists(HostPath(systemPath));

    public bool DirectoryExists(string systemPath) => Directory.Exists(HostPath(systemPath));

    public string? ReadAllText(string systemPath, int maxBytes)
    {
        var host = HostPath(systemPath);
        if (!File.Exists(host)) return null;
        using var stream = new FileStream(host, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        // /proc and /sys files report length 0: read up to the limit instead of trusting Length.
        var buffer = new byte[Math.Min(maxBytes + 1L, stream.CanSeek && stream.Length > 0 ? stream.Length + 1 : maxBytes + 1L)];
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0) break;
            total += n;
        }
        if (total > maxBytes)
            throw KdumpConfigException.At(systemPath, null, $"file is larger than the maximum of {maxBytes} bytes");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    public long? GetModificationTimeSeconds(string systemPath)
    {
        var host = HostPath(systemPath);
        if (!File.Exists(host) && !Directory.Exists(host)) return null;
        return new DateTimeOffset(File.GetLastWriteTimeUtc(host)).ToUnixTimeSeconds();
    }

    public long? GetFileLength(string systemPath)
    {
        var info = new FileInfo(HostPath(systemPath));
        return info.Exists ? info.Length : null;
    }

    public bool IsExecutable(string systemPath)
    {
        var host = HostPath(systemPath);
        if (!File.Exists(host) || OperatingSystem.IsWindows()) return false;
        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(host) & AnyExecute) != 0;
    }

    /// <summary>
    /// Creates (and at once deletes) a hidden probe file: access(2) is not reachable from managed
    /// code, and trying is what answers every reason for a refusal (EROFS, EACCES, EPERM) alike.
    /// </summary>
    public bool IsWritableDirectory(string systemPath)
    {
        var host = HostPath(systemPath);
        if (!Directory.Exists(host)) return false;
        var probe = Path.Combine(host, $".kdump-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public string? ResolveLink(string systemPath)
    {
        var info = new FileInfo(HostPath(systemPath));
        if (info.LinkTarget is not { } target) return null;
        var normalized = SystemPath.Normalize(systemPath);
        return target.StartsWith('/')
            ? SystemPath.Normalize(target)
            : SystemPath.Normalize(SystemPath.Directory(normalized) + "/" + target);
    }

    public IReadOnlyList<string> ListDirectory(string systemPath)
    {
        var host = HostPath(systemPath);
        if (!Directory.Exists(host)) return [];
        var names = Directory.EnumerateFileSystemEntries(host).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public void ReplaceFilesAtomically(IReadOnlyList<FileReplacement> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        var staged = new List<(string Target, string Temp, byte[]? Original)>();
        try
        {
            foreach (var r in replacements)
            {
                var target = HostPath(r.SystemPath);
                var original = File.Exists(target) ? File.ReadAllBytes(target) : null;
                var temp = TempBeside(target);
                File.WriteAllText(temp, r.NewContent);
                if (original is not null && !OperatingSystem.IsWindows())
                    File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
                staged.Add((target, temp, original));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var s in staged) TryDelete(s.Temp);
            throw new KdumpConfigException($"cannot stage the new boot configuration: {e.Message}", e);
        }

        var done = 0;
        try
        {
            for (; done < staged.Count; done++)
                File.Move(staged[done].Temp, staged[done].Target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            for (var i = done; i < staged.Count; i++) TryDelete(staged[i].Temp);
            for (var i = 0; i < done; i++) Restore(staged[i].Target, staged[i].Original);
            throw new KdumpConfigException(
                $"cannot replace {staged[done].Target}: {e.Message}; every file was left as it was", e);
        }
    }

    private static void Restore(string target, byte[]? original)
    {
        if (original is null)
        {
            TryDelete(target);
            return;
        }
        var temp = TempBeside(target);
        File.WriteAllBytes(temp, original);
        File.Move(temp, target, overwrite: true);
    }

    private static string TempBeside(string target) =>
        Path.Combine(Path.GetDirectoryName(target) ?? "/", $".{Path.GetFileName(target)}.kdump-{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temporary file is harmless, a half-applied edit is not.
        }
    }
}
