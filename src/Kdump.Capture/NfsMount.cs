using System.Net;

namespace Kdump.Capture;

/// <summary>One mount(2) try of an NFS export: the file system type and the text data for the kernel.</summary>
public sealed record NfsMountAttempt(string FsType, string Data);

/// <summary>
/// What mount.nfs does before mount(2), for a capture image that has no mount.nfs: the server
/// part of <c>host:/path</c> becomes <c>addr=</c> (the kernel does no name lookup and refuses a
/// mount without it), and without a <c>vers=</c> the versions are tried newest first, as mount.nfs
/// negotiates (4.2, 4.1, 4.0, then 3 for type nfs). NFSv4.0 needs <c>clientaddr=</c> for its callback.
/// Names resolve only through the image's /etc/hosts (a static binary has no resolver library),
/// where mkdumprd writes the server's address as the first kernel resolved it.
/// </summary>
public static class NfsMount
{
    private static readonly string[] s_v4Versions = ["4.2", "4.1", "4.0"];

    /// <summary>The options mount.nfs consumes or this plan sets, never passed through from fstab.</summary>
    private static readonly string[] s_planned = ["addr=", "clientaddr=", "vers=", "nfsvers="];

    public static bool IsNfs(string fsType) => fsType is "nfs" or "nfs4";

    /// <summary>
    /// The server and export path of <c>host:/path</c> or <c>[v6addr]:/path</c>; null when
    /// <paramref name="source"/> has no server part.
    /// </summary>
    public static (string Host, string Path)? SplitSource(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.StartsWith('['))
        {
            var close = source.IndexOf("]:", StringComparison.Ordinal);
            return close > 1 && close + 2 < source.Length ? (source[1..close], source[(close + 2)..]) : null;
        }
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon + 1 < source.Length ? (source[..colon], source[(colon + 1)..]) : null;
    }

    /// <summary>
    /// The mount(2) tries for <paramref name="source"/>, in order; <paramref name="error"/> says why
    /// there are none (no server part, a name that /etc/hosts does not give).
    /// <paramref name="hosts"/> is the text of /etc/hosts (null: none), <paramref name="clientAddressToward"/>
    /// the local address toward a server address (null: no route).
    /// </summary>
    public static IReadOnlyList<NfsMountAttempt> Plan(string source, string fsType, string? data, string? hosts,
        Func<string, string?> clientAddressToward, out string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fsType);
        ArgumentNullException.ThrowIfNull(clientAddressToward);
        error = null;
        if (SplitSource(source) is not { } parts)
        {
            error = $"{source}: not host:/path";
            return [];
        }
        if (Network.HostsFile.Resolve(parts.Host, hosts) is not { } address)
        {
            error = $"cannot resolve NFS server {parts.Host}: the capture kernel has only IP addresses and /etc/hosts";
            return [];
        }

        var given = (data ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var version = given.LastOrDefault(o => o.StartsWith("vers=", StringComparison.Ordinal) || o.StartsWith("nfsvers=", StringComparison.Ordinal)) is { } v
            ? v[(v.IndexOf('=', StringComparison.Ordinal) + 1)..]
            : null;
        var kept = given.Where(o => !s_planned.Any(p => o.StartsWith(p, StringComparison.Ordinal))).ToList();

        IEnumerable<string> versions = version is not null ? [version]
            : fsType == "nfs4" ? s_v4Versions
            : [.. s_v4Versions, "3"];
        var attempts = new List<NfsMountAttempt>();
        foreach (var ver in versions)
        {
            var options = new List<string>(kept) { $"vers={ver}", $"addr={address}" };
            // NFSv4.0 has the server call back the client; later versions use the client's connection.
            if (ver is "4" or "4.0" && clientAddressToward(address.ToString()) is { } client) options.Add($"clientaddr={client}");
            attempts.Add(new NfsMountAttempt(fsType, string.Join(',', options)));
        }
        return attempts;
    }
}
