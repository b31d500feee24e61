using System.Net;

namespace Kdump.Config.Network;

/// <summary>One IPv6 route, as <c>/proc/net/ipv6_route</c> lists it (every table: main and local).</summary>
/// <param name="Interface">the device name (last field)</param>
/// <param name="Destination">destination and its prefix length</param>
/// <param name="Gateway">the next hop when RTF_GATEWAY is set (often link-local); else null (on-link)</param>
/// <param name="Metric">lower wins between routes of one prefix</param>
/// <param name="Flags">RTF_* (include/uapi/linux/route.h, ipv6_route.h)</param>
public sealed record Ipv6Route(string Interface, IpPrefix Destination, IPAddress? Gateway, uint Metric, uint Flags = 0)
{
    /// <summary>RTF_ADDRCONF: learned from a router advertisement (a default router or a route information option).</summary>
    public const uint RTF_ADDRCONF = 0x00040000;

    /// <summary>RTF_REJECT: unreachable, prohibit, blackhole or throw (rtm_to_fib6_config sets it for each).</summary>
    public const uint RTF_REJECT = 0x0200;

    /// <summary>The kernel picks it like any route and then refuses to send.</summary>
    public bool IsReject => (Flags & RTF_REJECT) != 0;

    public bool IsDefault => Destination.PrefixLength == 0;

    /// <summary>The kernel made it from a router's advertisement, which the capture kernel's SLAAC hears again.</summary>
    public bool IsFromRouterAdvertisement => (Flags & RTF_ADDRCONF) != 0;

    public override string ToString() =>
        $"{(IsReject ? "reject " : "")}{Destination}{(Gateway is { } g ? " via " + g : "")} dev {Interface} metric {Metric}";
}

/// <summary>One IPv6 address of an interface, as <c>/proc/net/if_inet6</c> lists it (include/uapi/linux/if_addr.h flags).</summary>
public sealed record Ipv6InterfaceAddress(string Interface, int InterfaceIndex, IpPrefix Address, byte Scope, byte Flags)
{
    // IFA_F_* (the low byte the file shows) and IPV6_ADDR_SCOPE_* of net/ipv6/addrconf.c.
    public const byte IFA_F_TEMPORARY = 0x01;
    public const byte IFA_F_DADFAILED = 0x08;
    public const byte IFA_F_DEPRECATED = 0x20;
    public const byte IFA_F_TENTATIVE = 0x40;
    public const byte IFA_F_PERMANENT = 0x80;
    public const byte ScopeGlobal = 0x00;
    public const byte ScopeLink = 0x20;

    /// <summary>Configured by hand (or by a static profile), not from a router advertisement or DHCPv6.</summary>
    public bool IsPermanent => (Flags & IFA_F_PERMANENT) != 0;

    public bool IsTentative => (Flags & IFA_F_TENTATIVE) != 0;

    public bool HasFailedDad => (Flags & IFA_F_DADFAILED) != 0;

    /// <summary>Global scope, past DAD, not deprecated: an address the kernel picks as a source toward a server.</summary>
    public bool IsUsableGlobal => Scope == ScopeGlobal && (Flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)) == 0;

    /// <summary>The interface's link-local address past DAD: what the kernel sends link-scoped traffic (DHCPv6) from.</summary>
    public bool IsUsableLinkLocal => Scope == ScopeLink && (Flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0;

    /// <summary>A privacy address (RFC 8981): it changes, so it is never the one to record.</summary>
    public bool IsTemporary => (Flags & IFA_F_TEMPORARY) != 0;
}

/// <summary>
/// The kernel's IPv6 text tables: <c>/proc/net/ipv6_route</c> (net/ipv6/route.c
/// <c>ipv6_route_native_seq_show</c>: <c>DST DSTLEN SRC SRCLEN NEXTHOP METRIC REFCNT USE FLAGS DEV</c>,
/// addresses as 32 hex digits, the rest hex) and <c>/proc/net/if_inet6</c> (net/ipv6/addrconf.c
/// <c>if6_seq_show</c>: <c>ADDRESS IFINDEX PREFIXLEN SCOPE FLAGS DEV</c>). Both are text of fixed
/// byte order (unlike /proc/net/route).
/// </summary>
public static class ProcNetIpv6
{
    public const string RoutePath = "/proc/net/ipv6_route";
    public const string AddressPath = "/proc/net/if_inet6";

    // include/uapi/linux/route.h and ipv6_route.h
    private const uint RTF_UP = 0x0001;
    private const uint RTF_GATEWAY = 0x0002;
    private const uint RTF_ANYCAST = 0x00100000;
    private const uint RTF_LOCAL = 0x80000000;

    private static class RouteFields
    {
        public const int Destination = 0;
        public const int DestinationLength = 1;
        public const int NextHop = 4;
        public const int Metric = 5;
        public const int Flags = 8;
        public const int Device = 9;
        public const int Count = 10;
    }

    private static class AddressFields
    {
        public const int Address = 0;
        public const int Index = 1;
        public const int PrefixLength = 2;
        public const int Scope = 3;
        public const int Flags = 4;
        public const int Device = 5;
        public const int Count = 6;
    }

    /// <summary>
    /// The unicast routes a packet to a server can take (up; not reject, local or anycast), in file
    /// order. A line without a device (a blackhole) is passed over; a malformed one is an error naming it.
    /// </summary>
    public static IReadOnlyList<Ipv6Route> ParseRoutes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var routes = new List<Ipv6Route>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var f = lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            // A route without a device (the "%8s" of "") has one field less: it cannot send, as a reject route.
            var noDevice = f.Length == RouteFields.Count - 1;
            if (f.Length != RouteFields.Count && !noDevice) throw KdumpConfigException.At(RoutePath, i + 1, $"{f.Length} fields, expected {RouteFields.Count}");
            var flags = ProcNetRoute.Hex(RoutePath, f[RouteFields.Flags], "flags", i);
            // Reject routes are listed without RTF_UP (ip6_route_info_create gives them RTF_REJECT|RTF_NONEXTHOP only).
            if ((flags & (RTF_UP | Ipv6Route.RTF_REJECT)) == 0 || (flags & (RTF_LOCAL | RTF_ANYCAST)) != 0) continue;
            if (noDevice) flags |= Ipv6Route.RTF_REJECT;
            var length = ProcNetRoute.Hex(RoutePath, f[RouteFields.DestinationLength], "destination length", i);
            if (length > 128) throw KdumpConfigException.At(RoutePath, i + 1, $"destination length {length} is over 128");
            var destination = new IpPrefix(Address(RoutePath, f[RouteFields.Destination], "destination", i), (int)length);
            var gateway = (flags & RTF_GATEWAY) != 0 ? Address(RoutePath, f[RouteFields.NextHop], "next hop", i) : null;
            routes.Add(new Ipv6Route(noDevice ? "" : f[RouteFields.Device], destination, gateway, ProcNetRoute.Hex(RoutePath, f[RouteFields.Metric], "metric", i), flags));
        }
        return routes;
    }

    /// <summary>Every IPv6 address of every interface, in file order; a malformed line is an error naming it.</summary>
    public static IReadOnlyList<Ipv6InterfaceAddress> ParseAddresses(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<Ipv6InterfaceAddress>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var f = lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (f.Length != AddressFields.Count) throw KdumpConfigException.At(AddressPath, i + 1, $"{f.Length} fields, expected {AddressFields.Count}");
            var index = ProcNetRoute.Hex(AddressPath, f[AddressFields.Index], "interface index", i);
            var length = ProcNetRoute.Hex(AddressPath, f[AddressFields.PrefixLength], "prefix length", i);
            var scope = ProcNetRoute.Hex(AddressPath, f[AddressFields.Scope], "scope", i);
            var flags = ProcNetRoute.Hex(AddressPath, f[AddressFields.Flags], "flags", i);
            if (index > int.MaxValue || length > 128 || scope > 0xFF || flags > 0xFF)
                throw KdumpConfigException.At(AddressPath, i + 1, $"a value out of range in '{lines[i].Trim()}'");
            result.Add(new Ipv6InterfaceAddress(f[AddressFields.Device], (int)index,
                new IpPrefix(Address(AddressPath, f[AddressFields.Address], "address", i), (int)length), (byte)scope, (byte)flags));
        }
        return result;
    }

    private static IPAddress Address(string path, string field, string name, int index) =>
        field.Length == 32 && field.All(char.IsAsciiHexDigit)
            ? new IPAddress(Convert.FromHexString(field))
            : throw KdumpConfigException.At(path, index + 1, $"{name} '{field}' is not 32 hex digits");
}

/// <summary><c>ip -6 route get DST</c> over <see cref="ProcNetIpv6.ParseRoutes"/>'s routes, and the source address.</summary>
public static class Ipv6RouteLookup
{
    /// <summary>
    /// Longest prefix, then lowest metric, then first listed; null when there is none or when the
    /// kernel's pick is a reject route (the main table's catch-all <c>::/0 … lo</c> among them).
    /// </summary>
    public static Ipv6Route? Find(IReadOnlyList<Ipv6Route> routes, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(destination);
        return RouteLookup.Best(routes, r => r.Destination.Contains(destination), r => r.Destination.PrefixLength, r => r.Metric) is { IsReject: false } route
            ? route : null;
    }

    /// <summary>
    /// A simplified RFC 6724 choice among the route device's addresses: usable global ones, stable
    /// before temporary (privacy) ones, then the longest match with the destination's prefix (one
    /// that holds it first), then the first listed.
    /// </summary>
    public static Ipv6InterfaceAddress? SourceAddress(IReadOnlyList<Ipv6InterfaceAddress> addresses, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(destination);
        return addresses.Where(a => a.IsUsableGlobal)
            .OrderBy(a => a.IsTemporary)
            .ThenByDescending(a => IpPrefix.CommonPrefixLength(a.Address.Address, destination))
            .FirstOrDefault();
    }

}
