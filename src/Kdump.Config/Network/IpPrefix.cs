using System.Net;
using System.Net.Sockets;

namespace Kdump.Config.Network;

/// <summary>
/// An IPv4 or IPv6 address with a prefix length (<c>10.0.2.15/24</c>, <c>fd00::15/64</c>): an
/// interface's address or a route's destination in the capture kernel's network record. IPv4
/// arithmetic lives in <see cref="Ipv4Network"/>; this type carries either family.
/// </summary>
public readonly record struct IpPrefix
{
    public IpPrefix(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, BitsOf(address.AddressFamily));
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public bool IsIpv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The same prefix as an IPv4 network (the caller knows it is IPv4).</summary>
    public Ipv4Network ToIpv4() => new(Ipv4Network.FromIPAddress(Address), PrefixLength);

    public static IpPrefix From(Ipv4Network network) => new(network.IPAddress, network.PrefixLength);

    /// <summary>True when <paramref name="address"/> (of the same family) lies in this prefix.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == Address.AddressFamily && CommonPrefixLength(Address, address) >= PrefixLength;
    }

    /// <summary>How many leading bits two addresses of one family share.</summary>
    public static int CommonPrefixLength(IPAddress a, IPAddress b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        var bits = 0;
        for (var i = 0; i < x.Length && i < y.Length; i++)
        {
            var d = x[i] ^ y[i];
            if (d != 0) return bits + System.Numerics.BitOperations.LeadingZeroCount((uint)d) - 24;
            bits += 8;
        }
        return bits;
    }

    public override string ToString() => $"{FormatAddress(Address)}/{PrefixLength}";

    /// <summary><c>ADDRESS/N</c> of either family (N within the family's bits); null when malformed.</summary>
    public static IpPrefix? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || TryParseAddress(text[..slash]) is not { } address) return null;
        if (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix > BitsOf(address.AddressFamily)) return null;
        return new IpPrefix(address, prefix);
    }

    /// <summary>
    /// A dotted-quad IPv4 address (as <see cref="Ipv4Network.TryParseAddress"/>) or an IPv6 address
    /// without a zone (<c>%eth0</c>) or brackets; null otherwise.
    /// </summary>
    public static IPAddress? TryParseAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Ipv4Network.TryParseAddress(text) is { } v4) return Ipv4Network.ToIPAddress(v4);
        if (!text.Contains(':', StringComparison.Ordinal) || text.Contains('%', StringComparison.Ordinal)
            || !text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')) return null;
        return IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 ? a : null;
    }

    /// <summary>Dotted quad, or compressed lower-case IPv6 text (RFC 5952, as <c>ip</c> prints it but for a dotted tail .NET gives IPv4-embedding forms).</summary>
    public static string FormatAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.ToString();
    }

    private static int BitsOf(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 32,
        AddressFamily.InterNetworkV6 => 128,
        _ => throw new ArgumentException($"address family {family} is neither IPv4 nor IPv6"),
    };
}
