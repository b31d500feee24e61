using System.Net;
using System.Net.Sockets;

namespace Kdump.Capture.Network;

/// <summary>
/// Name lookup in the capture kernel, which has no resolver library and asks no DNS server: an
/// address literal, else the first hosts-file line naming the host (where mkdumprd pinned the
/// names kdump.conf gives).
/// </summary>
public static class HostsFile
{
    /// <summary>The image's hosts file.</summary>
    public const string Path = "/etc/hosts";

    /// <summary>The text of the hosts file at <paramref name="path"/>; null when there is none.</summary>
    public static string? Read(string path = Path) => File.Exists(path) ? File.ReadAllText(path) : null;

    /// <summary>
    /// <paramref name="host"/>'s address of <paramref name="family"/> (<see cref="AddressFamily.Unspecified"/>:
    /// either), from the literal or <paramref name="hosts"/> (the file's text; null: none).
    /// </summary>
    public static IPAddress? Resolve(string host, string? hosts, AddressFamily family = AddressFamily.Unspecified)
    {
        ArgumentNullException.ThrowIfNull(host);
        bool Fits(IPAddress a) => family == AddressFamily.Unspecified || a.AddressFamily == family;
        if (IPAddress.TryParse(host, out var literal))
        {
            // getaddrinfo with AF_INET takes ::ffff:a.b.c.d as a.b.c.d.
            if (family == AddressFamily.InterNetwork && literal.IsIPv4MappedToIPv6) literal = literal.MapToIPv4();
            return Fits(literal) ? literal : null;
        }
        foreach (var raw in (hosts ?? "").Split('\n'))
        {
            var line = raw.Split('#', 2)[0];
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && words.Skip(1).Contains(host, StringComparer.OrdinalIgnoreCase)
                && IPAddress.TryParse(words[0], out var address) && Fits(address))
                return address;
        }
        return null;
    }
}
