namespace Kdump.Kexec;

/// <summary>
/// The directory under which system files (/proc, /sys, /etc …) are read, like <c>systemctl --root</c>;
/// "/" on a real system, a prepared tree in tests.
/// </summary>
public sealed record SystemRoot(string Directory)
{
    public static SystemRoot Host { get; } = new("/");

    /// <summary>The path of the absolute system path <paramref name="systemPath"/> under this root.</summary>
    public string Resolve(string systemPath)
    {
        ArgumentNullException.ThrowIfNull(systemPath);
        if (!systemPath.StartsWith('/')) throw new ArgumentException($"system path must be absolute: {systemPath}", nameof(systemPath));
        return Directory == "/" ? systemPath : Path.Join(Directory, systemPath);
    }

    /// <summary>The whole file, or null when it cannot be read (missing, unreadable).</summary>
    public string? TryReadText(string systemPath)
    {
        try
        {
            return File.ReadAllText(Resolve(systemPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
