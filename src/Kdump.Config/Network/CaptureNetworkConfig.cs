using System.Net;
using System.Text;

namespace Kdump.Config.Network;

/// <summary>
/// The capture kernel's network, as mkdumprd records it in the image at <see cref="ImagePath"/> and
/// kdump-capture brings it up: the interface the first kernel used toward the dump server, found
/// again by its MAC address and given the same name (upstream's <c>ifname=NAME:MAC</c>), with the
/// same address (upstream's static <c>ip=</c>), a new lease (<c>ip=dhcp</c>) or, for IPv6, the
/// kernel's own autoconfiguration (<c>ip=auto6</c>).
/// <code>
/// # comment
/// remote 10.0.2.100                  the dump server (upstream: kdump_remote_ip=); IPv4 or IPv6,
///                                    whose family the addresses and routes below share
/// interface eth0 52:54:00:12:34:56   name and MAC; a NIC unless link lines make it a bond, VLAN or
///                                    bridge (<see cref="NetworkLinkRecord"/>: nic, bond, bond-option,
///                                    slave, vlan, bridge, port)
/// static 10.0.2.15/24                or: dhcp (IPv4), auto6 (IPv6); dhcp 10.0.2.15/24: the address
///                                    the first kernel had leased, asked for again
/// gateway 10.0.2.2                   static only, optional: the default route (IPv6: often fe80::…,
///                                    reached through the interface)
/// route 192.168.5.0/24 10.0.2.1      any number (dhcp: toward fence_kdump nodes); without a gateway
///                                    (route 10.5.0.0/16) on the link itself
/// nameserver 10.0.2.3                any number, either family
/// </code>
/// A file may hold more blocks, each from its own <c>remote</c> line on (<see cref="ParseAll"/>):
/// another interface the capture kernel brings up after the first, toward a fence_kdump node it
/// leads to (upstream brings up every interface <c>kdump_collect_netif_usage</c> finds). A link in
/// two blocks is made once, by the first (<see cref="NetworkLinkRecord.SharingConflict"/>).
/// </summary>
public sealed record CaptureNetworkConfig(
    IPAddress Remote,
    string Interface,
    string MacAddress,
    AddressMethod Method,
    IpPrefix? Address,
    IPAddress? Gateway,
    IReadOnlyList<StaticRoute> Routes,
    IReadOnlyList<IPAddress> Nameservers)
{
    public const string ImagePath = "/etc/kdump/network.conf";

    private readonly NetworkLink? _link;

    /// <summary>
    /// What <see cref="Interface"/> is: a NIC (the default), or a bond, VLAN or bridge and the links
    /// it is made of. Its name and MAC are <see cref="Interface"/>'s and <see cref="MacAddress"/>'s.
    /// </summary>
    public NetworkLink Link
    {
        get => _link ?? new NicLink(Interface, MacAddress);
        init => _link = value.Name == Interface && value.MacAddress == MacAddress
            ? value : throw new ArgumentException($"the link {value.Name} ({value.MacAddress}) is not the interface {Interface} ({MacAddress})", nameof(value));
    }

    /// <summary>The line keywords, each declared once.</summary>
    public static class Keywords
    {
        public const string Remote = "remote";
        public const string Interface = "interface";
        public const string Static = "static";
        public const string Dhcp = "dhcp";
        public const string Auto6 = "auto6";
        public const string Gateway = "gateway";
        public const string Route = "route";
        public const string Nameserver = "nameserver";
    }

    /// <summary>The server is an IPv6 address: the interface gets an IPv6 address and routes.</summary>
    public bool IsIpv6 => Remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    /// <summary>IFNAMSIZ (16) less the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    public string Format()
    {
        var sb = new StringBuilder();
        sb.Append("# kdump-capture network, written by mkdumprd\n");
        sb.Append(Keywords.Remote).Append(' ').Append(IpPrefix.FormatAddress(Remote)).Append('\n');
        sb.Append(Keywords.Interface).Append(' ').Append(Interface).Append(' ').Append(MacAddress).Append('\n');
        NetworkLinkRecord.Format(sb, Link);
        switch (Method)
        {
            case AddressMethod.Dhcp:
                sb.Append(Keywords.Dhcp);
                if (Address is { } leased) sb.Append(' ').Append(leased);
                sb.Append('\n');
                break;
            case AddressMethod.Auto: sb.Append(Keywords.Auto6).Append('\n'); break;
            default: sb.Append(Keywords.Static).Append(' ').Append(Address).Append('\n'); break;
        }
        if (Gateway is { } g) sb.Append(Keywords.Gateway).Append(' ').Append(IpPrefix.FormatAddress(g)).Append('\n');
        foreach (var r in Routes)
        {
            sb.Append(Keywords.Route).Append(' ').Append(r.Destination);
            if (r.Gateway is { } via) sb.Append(' ').Append(IpPrefix.FormatAddress(via));
            sb.Append('\n');
        }
        foreach (var n in Nameservers) sb.Append(Keywords.Nameserver).Append(' ').Append(IpPrefix.FormatAddress(n)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The blocks of <see cref="ParseAll"/>, in order, as one file.</summary>
    public static string FormatAll(IReadOnlyList<CaptureNetworkConfig> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        if (interfaces.Count == 0) throw new ArgumentException("no interface to record", nameof(interfaces));
        return string.Concat(interfaces.Select(i => i.Format()));
    }

    /// <summary>
    /// Every block of a record: each starts at a <c>remote</c> line (comments and blank lines before
    /// the first belong to it) and is read as <see cref="Parse"/> reads one, errors naming the
    /// file's own line numbers (a block's own line for what it lacks). The blocks after the first
    /// lead to fence_kdump nodes only: a static or leased address and routes, no default route,
    /// autoconfiguration or nameservers, which are the dump interface's. A link in two blocks must be
    /// the same link in both, and no block's interface another's or a member of a link in another
    /// (<see cref="NetworkLinkRecord.SharingConflict"/>): each link is made once.
    /// </summary>
    public static IReadOnlyList<CaptureNetworkConfig> ParseAll(string text, string file = ImagePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var starts = Enumerable.Range(0, lines.Length).Where(i => FirstWord(lines[i]) == Keywords.Remote).ToList();
        if (starts.Count <= 1) return [ParseLines(lines, 0, lines.Length, file, null)];
        var blocks = new List<CaptureNetworkConfig>();
        for (var b = 0; b < starts.Count; b++)
        {
            var from = b == 0 ? 0 : starts[b];
            var to = b + 1 < starts.Count ? starts[b + 1] : lines.Length;
            var block = ParseLines(lines, from, to, file, starts[b] + 1);
            // A default route, by 'gateway' or as a route to /0, would take the dump's traffic (an
            // auto6 block is autoconfigured without the advertisements' default route).
            if (b > 0 && (block.Gateway is not null || block.Nameservers.Count > 0
                || block.Routes.Any(r => r.Destination.PrefixLength == 0)))
            {
                throw KdumpConfigException.At(file, starts[b] + 1, $"a block after the first (an interface toward fence_kdump nodes) takes '{Keywords.Static}',"
                    + $" '{Keywords.Dhcp}' or '{Keywords.Auto6}' and '{Keywords.Route}' lines only, no '{Keywords.Gateway}', '{Keywords.Nameserver}' or default route");
            }
            blocks.Add(block);
        }
        for (var b = 1; b < blocks.Count; b++)
        {
            for (var other = 0; other < b; other++)
            {
                if (NetworkLinkRecord.SharingConflict(blocks[other].Link, blocks[b].Link) is { } why)
                    throw KdumpConfigException.At(file, starts[b] + 1, $"{why} (this block and that of line {starts[other] + 1})");
            }
        }
        return blocks;
    }

    private static string? FirstWord(string line)
    {
        var w = line.Trim().Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        return w.Length == 0 ? null : w[0];
    }

    /// <summary>Reads a record of one interface; anything missing, repeated, unknown or malformed is an error naming the file and line.</summary>
    public static CaptureNetworkConfig Parse(string text, string file = ImagePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        return ParseLines(lines, 0, lines.Length, file, null);
    }

    /// <summary>
    /// One block: <paramref name="lines"/>[from..to), numbered as in the file; what the block lacks
    /// is reported at <paramref name="blockLine"/> (null: the file as a whole).
    /// </summary>
    private static CaptureNetworkConfig ParseLines(string[] lines, int from, int to, string file, int? blockLine)
    {
        IPAddress? remote = null, gateway = null;
        string? name = null, mac = null;
        AddressMethod? method = null;
        IpPrefix? address = null;
        var routes = new List<StaticRoute>();
        var nameservers = new List<IPAddress>();
        // Where each family-bound value was given, to name the line that disagrees with 'remote'.
        var familyLines = new List<(int Line, string Value, bool Ipv6)>();
        var links = new NetworkLinkRecord.Reader(file);
        for (var i = from; i < to; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var w = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var n = i + 1;
            void Arity(int count)
            {
                if (w.Length != count + 1) throw KdumpConfigException.At(file, n, $"'{w[0]}' takes {count} value(s), found {w.Length - 1}");
            }
            void Once(bool seen)
            {
                if (seen) throw KdumpConfigException.At(file, n, $"'{w[0]}' given twice");
            }
            void OneMethod()
            {
                if (method is not null) throw KdumpConfigException.At(file, n, $"'{w[0]}': the address method is given twice ({Keywords.Static}, {Keywords.Dhcp} or {Keywords.Auto6}, once)");
            }
            IPAddress Ip(string value) => IpPrefix.TryParseAddress(value) ?? throw KdumpConfigException.At(file, n, $"'{value}' is not an IP address");
            IPAddress Bound(string value)
            {
                var a = Ip(value);
                familyLines.Add((n, value, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6));
                return a;
            }
            IpPrefix Net(string value)
            {
                var p = IpPrefix.TryParse(value) ?? throw KdumpConfigException.At(file, n, $"'{value}' is not an IP address/prefix");
                familyLines.Add((n, value, p.IsIpv6));
                return p;
            }
            switch (w[0])
            {
                case Keywords.Remote:
                    Arity(1); Once(remote is not null); remote = Ip(w[1]);
                    break;
                case Keywords.Interface:
                    Arity(2); Once(name is not null);
                    name = IsInterfaceName(w[1]) ? w[1] : throw KdumpConfigException.At(file, n, $"'{w[1]}' is not an interface name");
                    mac = NormalizeUnicastMac(w[2]) ?? throw KdumpConfigException.At(file, n, $"'{w[2]}' is not a unicast MAC address");
                    break;
                case Keywords.Static:
                    Arity(1); OneMethod(); method = AddressMethod.Static; address = Net(w[1]);
                    break;
                case Keywords.Dhcp:
                    // The first kernel's lease, if recorded: asked for again (DHCPDISCOVER's option 50).
                    if (w.Length > 2) Arity(1);
                    OneMethod(); method = AddressMethod.Dhcp;
                    if (w.Length == 2) address = Net(w[1]);
                    break;
                case Keywords.Auto6:
                    Arity(0); OneMethod(); method = AddressMethod.Auto;
                    break;
                case Keywords.Gateway:
                    Arity(1); Once(gateway is not null); gateway = Bound(w[1]);
                    break;
                case Keywords.Route:
                    if (w.Length is not (2 or 3)) throw KdumpConfigException.At(file, n, $"'{w[0]}' takes a destination and an optional gateway, found {w.Length - 1} value(s)");
                    routes.Add(new StaticRoute(Net(w[1]), w.Length == 3 ? Bound(w[2]) : null));
                    break;
                case Keywords.Nameserver:
                    Arity(1); nameservers.Add(Ip(w[1]));
                    break;
                case var k when NetworkLinkRecord.IsKeyword(k):
                    links.Add(w, n);
                    break;
                default:
                    throw KdumpConfigException.At(file, n, $"unknown keyword '{w[0]}'");
            }
        }
        if (remote is null) throw KdumpConfigException.At(file, blockLine, $"no '{Keywords.Remote}' line");
        if (name is null || mac is null) throw KdumpConfigException.At(file, blockLine, $"no '{Keywords.Interface}' line");
        if (method is null) throw KdumpConfigException.At(file, blockLine, $"no '{Keywords.Static}', '{Keywords.Dhcp}' or '{Keywords.Auto6}' line");
        // DHCP and a router's advertisement bring the default route; auto6 keeps the first kernel's
        // other routes, and a leased interface toward fence_kdump nodes its routes to them.
        if (method == AddressMethod.Dhcp && gateway is not null)
            throw KdumpConfigException.At(file, blockLine, $"'{Keywords.Gateway}' goes with '{Keywords.Static}' only (DHCP gives '{Keywords.Dhcp}' its router)");
        if (method == AddressMethod.Auto && gateway is not null)
            throw KdumpConfigException.At(file, blockLine, $"'{Keywords.Gateway}' goes with '{Keywords.Static}' only (a router's advertisement gives '{Keywords.Auto6}' its default route)");
        var ipv6 = remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (method == AddressMethod.Dhcp && ipv6) throw KdumpConfigException.At(file, blockLine, $"'{Keywords.Dhcp}' leases IPv4 addresses, but '{Keywords.Remote}' is IPv6 ('{Keywords.Auto6}' or '{Keywords.Static}')");
        if (method == AddressMethod.Auto && !ipv6) throw KdumpConfigException.At(file, blockLine, $"'{Keywords.Auto6}' configures IPv6, but '{Keywords.Remote}' is IPv4");
        if (familyLines.FirstOrDefault(l => l.Ipv6 != ipv6) is { Value: not null } other)
            throw KdumpConfigException.At(file, other.Line, $"'{other.Value}' is not of the family of '{Keywords.Remote}' ({IpPrefix.FormatAddress(remote)})");
        return new CaptureNetworkConfig(remote, name, mac, method.Value, address, gateway, routes, nameservers) { Link = links.Build(name, mac) };
    }

    /// <summary>A name the kernel accepts for an interface (dev_valid_name): 1..15 bytes, not . or .., no '/', ':' or space.</summary>
    public static bool IsInterfaceName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length is > 0 and <= MaxInterfaceNameLength && name is not ("." or "..")
            && name.All(c => c > ' ' && c < 0x7F && c is not ('/' or ':'));
    }

    /// <summary>The 6 bytes of a <see cref="NormalizeMac"/>d <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public static byte[] MacBytes(string mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        return Convert.FromHexString(mac.Replace(":", "", StringComparison.Ordinal));
    }

    /// <summary>
    /// <see cref="NormalizeMac"/>, and null for 00:00:00:00:00:00 (lo's: a record naming it would
    /// find lo) and group addresses (the low bit of the first byte: multicast, broadcast), which no
    /// interface of the record can have.
    /// </summary>
    public static string? NormalizeUnicastMac(string text) =>
        NormalizeMac(text) is { } m && m != "00:00:00:00:00:00" && (Convert.ToByte(m[..2], 16) & 1) == 0 ? m : null;

    /// <summary><c>aa:bb:cc:dd:ee:ff</c> in lower case, as /sys/class/net/IF/address prints it; null when not 6 hex bytes.</summary>
    public static string? NormalizeMac(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit))) return null;
        return string.Join(':', parts).ToLowerInvariant();
    }
}
