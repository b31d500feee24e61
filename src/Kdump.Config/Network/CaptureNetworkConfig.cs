using System.Globalization;
using System.Text;

namespace Kdump.Config.Network;

/// <summary>
/// The capture kernel's network, as mkdumprd records it in the image at <see cref="ImagePath"/> and
/// kdump-capture brings it up: the interface the first kernel used toward the dump server, found
/// again by its MAC address and given the same name (upstream's <c>ifname=NAME:MAC</c>), with the
/// same address (upstream's static <c>ip=</c>) or a new lease (<c>ip=dhcp</c>).
/// <code>
/// # comment
/// remote 10.0.2.100                  the dump server (upstream: kdump_remote_ip=)
/// interface eth0 52:54:00:12:34:56   name and MAC
/// vlan 100 eth0 52:54:00:12:34:56    optional: the interface is VLAN 100 on this parent (name, MAC);
///                                    bond or bridge lines then describe the parent (upstream: vlan=)
/// bond active-backup                 optional: the interface is a bond of this mode (upstream: bond=)
/// bond-option miimon 100             bond only, any number: sysfs bonding/NAME and value, in order
/// bridge                             optional, or bond: the interface is a bridge (upstream: bridge=)
/// slave eth1 52:54:00:12:34:57       bond or bridge, one or more: name and permanent MAC, in order
/// static 10.0.2.15/24                or: dhcp
/// gateway 10.0.2.2                   static only, optional: the default route
/// route 192.168.5.0/24 10.0.2.1      static only, any number
/// nameserver 10.0.2.3                any number
/// </code>
/// </summary>
public sealed record CaptureNetworkConfig(
    uint Remote,
    string Interface,
    string MacAddress,
    AddressMethod Method,
    Ipv4Network? Address,
    uint? Gateway,
    IReadOnlyList<StaticRoute> Routes,
    IReadOnlyList<uint> Nameservers)
{
    public const string ImagePath = "/etc/kdump/network.conf";

    /// <summary>When <see cref="Interface"/> is a bond: how to make it again from its slaves; null otherwise.</summary>
    public BondConfig? Bond { get; init; }

    /// <summary>When <see cref="Interface"/> is a bridge (or a VLAN on one): its ports; null otherwise.</summary>
    public IReadOnlyList<SlaveInterface>? BridgePorts { get; init; }

    /// <summary>
    /// When <see cref="Interface"/> is a VLAN: its id and parent; <see cref="Bond"/> then describes
    /// the parent (a bond), else the parent is a NIC. Null otherwise.
    /// </summary>
    public VlanConfig? Vlan { get; init; }

    /// <summary>The line keywords, each declared once.</summary>
    public static class Keywords
    {
        public const string Remote = "remote";
        public const string Interface = "interface";
        public const string Static = "static";
        public const string Dhcp = "dhcp";
        public const string Gateway = "gateway";
        public const string Route = "route";
        public const string Nameserver = "nameserver";
        public const string Bond = "bond";
        public const string BondOption = "bond-option";
        public const string Bridge = "bridge";
        public const string Slave = "slave";
        public const string Vlan = "vlan";
    }

    /// <summary>IFNAMSIZ (16) less the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    public string Format()
    {
        var sb = new StringBuilder();
        sb.Append("# kdump-capture network, written by mkdumprd\n");
        sb.Append(Keywords.Remote).Append(' ').Append(Ipv4Network.Format(Remote)).Append('\n');
        sb.Append(Keywords.Interface).Append(' ').Append(Interface).Append(' ').Append(MacAddress).Append('\n');
        if (Vlan is { } vlan)
            sb.Append(Keywords.Vlan).Append(' ').Append(vlan.Id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(vlan.Parent).Append(' ').Append(vlan.ParentMac).Append('\n');
        if (Bond is { } bond)
        {
            sb.Append(Keywords.Bond).Append(' ').Append(bond.Mode).Append('\n');
            foreach (var o in bond.Options) sb.Append(Keywords.BondOption).Append(' ').Append(o.Name).Append(' ').Append(o.Value).Append('\n');
        }
        if (BridgePorts is not null) sb.Append(Keywords.Bridge).Append('\n');
        foreach (var l in Bond?.Slaves ?? BridgePorts ?? []) sb.Append(Keywords.Slave).Append(' ').Append(l.Name).Append(' ').Append(l.MacAddress).Append('\n');
        if (Method == AddressMethod.Dhcp) sb.Append(Keywords.Dhcp).Append('\n');
        else sb.Append(Keywords.Static).Append(' ').Append(Address).Append('\n');
        if (Gateway is { } g) sb.Append(Keywords.Gateway).Append(' ').Append(Ipv4Network.Format(g)).Append('\n');
        foreach (var r in Routes) sb.Append(Keywords.Route).Append(' ').Append(r.Destination).Append(' ').Append(Ipv4Network.Format(r.Gateway)).Append('\n');
        foreach (var n in Nameservers) sb.Append(Keywords.Nameserver).Append(' ').Append(Ipv4Network.Format(n)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads a record; anything missing, repeated, unknown or malformed is an error naming the file and line.</summary>
    public static CaptureNetworkConfig Parse(string text, string file = ImagePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        uint? remote = null, gateway = null;
        string? name = null, mac = null;
        AddressMethod? method = null;
        Ipv4Network? address = null;
        var routes = new List<StaticRoute>();
        var nameservers = new List<uint>();
        string? bondMode = null;
        var bridge = false;
        var bondOptions = new List<BondOption>();
        var slaves = new List<SlaveInterface>();
        VlanConfig? vlan = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
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
            uint Ip(string value) => Ipv4Network.TryParseAddress(value) ?? throw KdumpConfigException.At(file, n, $"'{value}' is not an IPv4 address");
            Ipv4Network Net(string value) => Ipv4Network.TryParse(value) ?? throw KdumpConfigException.At(file, n, $"'{value}' is not an IPv4 address/prefix");
            switch (w[0])
            {
                case Keywords.Remote:
                    Arity(1); Once(remote is not null); remote = Ip(w[1]);
                    break;
                case Keywords.Interface:
                    Arity(2); Once(name is not null);
                    name = IsInterfaceName(w[1]) ? w[1] : throw KdumpConfigException.At(file, n, $"'{w[1]}' is not an interface name");
                    mac = NormalizeMac(w[2]) ?? throw KdumpConfigException.At(file, n, $"'{w[2]}' is not a MAC address");
                    break;
                case Keywords.Static:
                    Arity(1); Once(method is not null); method = AddressMethod.Static; address = Net(w[1]);
                    break;
                case Keywords.Dhcp:
                    Arity(0); Once(method is not null); method = AddressMethod.Dhcp;
                    break;
                case Keywords.Gateway:
                    Arity(1); Once(gateway is not null); gateway = Ip(w[1]);
                    break;
                case Keywords.Route:
                    Arity(2); routes.Add(new StaticRoute(Net(w[1]), Ip(w[2])));
                    break;
                case Keywords.Nameserver:
                    Arity(1); nameservers.Add(Ip(w[1]));
                    break;
                case Keywords.Bond:
                    Arity(1); Once(bondMode is not null);
                    bondMode = BondConfig.IsWord(w[1]) ? w[1] : throw KdumpConfigException.At(file, n, $"'{w[1]}' is not a bonding mode");
                    break;
                case Keywords.Bridge:
                    Arity(0); Once(bridge); bridge = true;
                    break;
                case Keywords.BondOption:
                    Arity(2);
                    if (!BondConfig.IsOptionName(w[1])) throw KdumpConfigException.At(file, n, $"'{w[1]}' is not a bonding option");
                    if (!BondConfig.IsWord(w[2])) throw KdumpConfigException.At(file, n, $"'{w[2]}' is not a bonding option value");
                    bondOptions.Add(new BondOption(w[1], w[2]));
                    break;
                case Keywords.Slave:
                    Arity(2);
                    var slave = IsInterfaceName(w[1]) ? w[1] : throw KdumpConfigException.At(file, n, $"'{w[1]}' is not an interface name");
                    if (slaves.Any(l => l.Name == slave)) throw KdumpConfigException.At(file, n, $"slave '{slave}' given twice");
                    slaves.Add(new SlaveInterface(slave, NormalizeMac(w[2]) ?? throw KdumpConfigException.At(file, n, $"'{w[2]}' is not a MAC address")));
                    break;
                case Keywords.Vlan:
                    Arity(3); Once(vlan is not null);
                    var id = int.TryParse(w[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= VlanConfig.MinId and <= VlanConfig.MaxId
                        ? v : throw KdumpConfigException.At(file, n, $"'{w[1]}' is not a VLAN id ({VlanConfig.MinId}-{VlanConfig.MaxId})");
                    var parent = IsInterfaceName(w[2]) ? w[2] : throw KdumpConfigException.At(file, n, $"'{w[2]}' is not an interface name");
                    vlan = new VlanConfig(id, parent, NormalizeMac(w[3]) ?? throw KdumpConfigException.At(file, n, $"'{w[3]}' is not a MAC address"));
                    break;
                default:
                    throw KdumpConfigException.At(file, n, $"unknown keyword '{w[0]}'");
            }
        }
        if (remote is null) throw KdumpConfigException.At(file, null, $"no '{Keywords.Remote}' line");
        if (name is null || mac is null) throw KdumpConfigException.At(file, null, $"no '{Keywords.Interface}' line");
        if (method is null) throw KdumpConfigException.At(file, null, $"neither '{Keywords.Static}' nor '{Keywords.Dhcp}'");
        if (method == AddressMethod.Dhcp && (gateway is not null || routes.Count > 0))
            throw KdumpConfigException.At(file, null, $"'{Keywords.Gateway}' and '{Keywords.Route}' go with '{Keywords.Static}' only");
        if (bondMode is not null && bridge) throw KdumpConfigException.At(file, null, $"'{Keywords.Bond}' and '{Keywords.Bridge}' together");
        if (bondMode is null && bondOptions.Count > 0) throw KdumpConfigException.At(file, null, $"'{Keywords.BondOption}' goes with '{Keywords.Bond}' only");
        if (bondMode is null && !bridge && slaves.Count > 0) throw KdumpConfigException.At(file, null, $"'{Keywords.Slave}' goes with '{Keywords.Bond}' or '{Keywords.Bridge}' only");
        if ((bondMode is not null || bridge) && slaves.Count == 0) throw KdumpConfigException.At(file, null, $"'{(bridge ? Keywords.Bridge : Keywords.Bond)}' without a '{Keywords.Slave}' line");
        if (slaves.Any(l => l.Name == name)) throw KdumpConfigException.At(file, null, $"'{name}' is itself one of its slaves");
        if (vlan is not null)
        {
            // Upstream's kdump_setup_vlan: a VLAN on a NIC or a bond, never on a bridge.
            if (bridge) throw KdumpConfigException.At(file, null, $"'{Keywords.Vlan}' on a '{Keywords.Bridge}'");
            if (vlan.Parent == name) throw KdumpConfigException.At(file, null, $"'{name}' is its own VLAN parent");
            if (slaves.Any(l => l.Name == vlan.Parent)) throw KdumpConfigException.At(file, null, $"'{vlan.Parent}' is the VLAN's parent and one of its slaves");
        }
        return new CaptureNetworkConfig(remote.Value, name, mac, method.Value, address, gateway, routes, nameservers)
        {
            Bond = bondMode is null ? null : new BondConfig(bondMode, bondOptions, slaves),
            BridgePorts = bridge ? slaves : null,
            Vlan = vlan,
        };
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

    /// <summary><c>aa:bb:cc:dd:ee:ff</c> in lower case, as /sys/class/net/IF/address prints it; null when not 6 hex bytes.</summary>
    public static string? NormalizeMac(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit))) return null;
        return string.Join(':', parts).ToLowerInvariant();
    }
}

/// <summary>A bond (upstream's dracut <c>bond=NAME:SLAVES:OPTIONS</c>): its mode, the options set after the mode, and its slaves.</summary>
public sealed record BondConfig(string Mode, IReadOnlyList<BondOption> Options, IReadOnlyList<SlaveInterface> Slaves)
{
    /// <summary>A value sysfs takes as one word: printable ASCII without blanks (a mode, a number, an interface name).</summary>
    public static bool IsWord(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length is > 0 and <= 64 && value.All(c => c > ' ' && c < 0x7F);
    }

    /// <summary>The option written once per ARP target, as <c>+ADDRESS</c>.</summary>
    public const string ArpIpTarget = "arp_ip_target";

    /// <summary>
    /// The bonding options mkdumprd records and kdump-capture sets again after the mode, in this
    /// order (miimon before the delays that are multiples of it), with the value a new bond has:
    /// an option still at it is left out, so one that only some modes take is never written to a
    /// bond of another mode. Enumerated values are sysfs's first word (<c>layer2 0</c>).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Default)> RecordedOptions =
    [
        ("miimon", "0"), ("updelay", "0"), ("downdelay", "0"), ("arp_interval", "0"), ("arp_validate", "none"),
        ("fail_over_mac", "none"), ("xmit_hash_policy", "layer2"), ("lacp_rate", "slow"), ("ad_select", "stable"), ("primary", ""),
    ];

    /// <summary>An option of <see cref="RecordedOptions"/> or <see cref="ArpIpTarget"/>: never a path, nor mode or slaves, which the record says otherwise.</summary>
    public static bool IsOptionName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name == ArpIpTarget || RecordedOptions.Any(o => o.Name == name);
    }
}

/// <summary>A VLAN (upstream's dracut <c>vlan=NAME:PARENT</c>): its 802.1Q id and its parent's name and MAC in the first kernel.</summary>
public sealed record VlanConfig(int Id, string Parent, string ParentMac)
{
    public const int MinId = 1;
    public const int MaxId = 4094;
}

/// <summary>One bonding option: the sysfs file name under bonding/ and the value written to it.</summary>
public sealed record BondOption(string Name, string Value);

/// <summary>A bond's slave or a bridge's port: its name in the first kernel and its permanent MAC (what the capture kernel finds it by).</summary>
public sealed record SlaveInterface(string Name, string MacAddress);
