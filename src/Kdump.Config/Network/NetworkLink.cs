using System.Globalization;
using System.Text;

namespace Kdump.Config.Network;

/// <summary>
/// A link of the capture kernel's network, named and addressed as in the first kernel: a NIC (found
/// again by its MAC), or a bond, VLAN or bridge made again from the links below it — what upstream
/// passes to dracut as <c>ifname=</c>, <c>bond=</c>, <c>vlan=</c> and <c>bridge=</c>. The shapes are
/// upstream's: a bond of NICs; a VLAN on a NIC or a bond (kdump_setup_vlan refuses a bridge); a
/// bridge of NICs, bonds and VLANs (kdump_setup_bridge); a bridge is only ever the top.
/// </summary>
public abstract record NetworkLink(string Name, string MacAddress)
{
    /// <summary>This link and every link below it, parents before children.</summary>
    public IEnumerable<NetworkLink> SelfAndBelow()
    {
        yield return this;
        foreach (var child in Children)
        {
            foreach (var l in child.SelfAndBelow()) yield return l;
        }
    }

    /// <summary>The links this one is made of.</summary>
    public abstract IReadOnlyList<NetworkLink> Children { get; }
}

/// <summary>A NIC; a bond's slave carries its permanent MAC (its current one is the bond's).</summary>
public sealed record NicLink(string Name, string MacAddress) : NetworkLink(Name, MacAddress)
{
    public override IReadOnlyList<NetworkLink> Children => [];
}

/// <summary>A bond (upstream's dracut <c>bond=NAME:SLAVES:OPTIONS</c>): its mode, the options set after the mode, and its NIC slaves in order.</summary>
public sealed record BondLink(string Name, string MacAddress, string Mode, IReadOnlyList<BondOption> Options, IReadOnlyList<NicLink> Slaves)
    : NetworkLink(Name, MacAddress)
{
    public override IReadOnlyList<NetworkLink> Children => Slaves;

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
    /// bond of another mode. Enumerated values are sysfs's first word (<c>layer2 0</c>). Options a
    /// kernel lacks (lacp_active before 5.15, arp_missed_max before 5.18) read as their default.
    /// All are set while the bond is down and before its slaves, which the driver asks of some
    /// (ad_actor_system, lacp_rate, tlb_dynamic_lb).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Default)> RecordedOptions =
    [
        ("miimon", "0"), ("updelay", "0"), ("downdelay", "0"), ("arp_interval", "0"), ("arp_validate", "none"),
        ("fail_over_mac", "none"), ("xmit_hash_policy", "layer2"), ("lacp_rate", "slow"), ("ad_select", "stable"), ("primary", ""),
        ("primary_reselect", "always"), ("arp_all_targets", "any"), ("use_carrier", "1"), ("min_links", "0"), ("lacp_active", "on"),
        ("ad_actor_sys_prio", "65535"), ("ad_actor_system", "00:00:00:00:00:00"), ("ad_user_port_key", "0"), ("tlb_dynamic_lb", "1"),
        ("arp_missed_max", "2"), ("all_slaves_active", "0"), ("num_grat_arp", "1"), ("num_unsol_na", "1"), ("packets_per_slave", "1"),
        ("resend_igmp", "1"), ("lp_interval", "1"), ("peer_notif_delay", "0"),
    ];

    /// <summary>An option of <see cref="RecordedOptions"/> or <see cref="ArpIpTarget"/>: never a path, nor mode or slaves, which the record says otherwise.</summary>
    public static bool IsOptionName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name == ArpIpTarget || RecordedOptions.Any(o => o.Name == name);
    }
}

/// <summary>A VLAN (upstream's dracut <c>vlan=NAME:PARENT</c>): its 802.1Q id on a NIC or a bond.</summary>
public sealed record VlanLink(string Name, string MacAddress, int Id, NetworkLink Parent) : NetworkLink(Name, MacAddress)
{
    public const int MinId = 0;     // 0: priority tags only, which the kernel takes too
    public const int MaxId = 4094;

    public override IReadOnlyList<NetworkLink> Children => [Parent];
}

/// <summary>A bridge (upstream's dracut <c>bridge=NAME:PORTS</c>): its ports (NICs, bonds, VLANs) in order.</summary>
public sealed record BridgeLink(string Name, string MacAddress, IReadOnlyList<NetworkLink> Ports) : NetworkLink(Name, MacAddress)
{
    public override IReadOnlyList<NetworkLink> Children => Ports;
}

/// <summary>One bonding option: the sysfs file name under bonding/ and the value written to it.</summary>
public sealed record BondOption(string Name, string Value);

/// <summary>
/// The link lines of <see cref="CaptureNetworkConfig"/>'s record. The top link is the
/// <c>interface</c> line's; every other link is declared once, with its MAC, and named by the link
/// above it:
/// <code>
/// nic eth0 52:54:00:12:34:56              a NIC (not needed for the top when it is one)
/// bond bond0 52:54:00:12:34:56 802.3ad    a bond: name, MAC, mode
/// bond-option bond0 miimon 100            an option of that bond (sysfs bonding/NAME), in order
/// slave bond0 eth0 52:54:00:12:34:56      a slave of that bond: name and permanent MAC, in order
/// vlan bond0.7 52:54:00:12:34:56 7 bond0  a VLAN: name, MAC, id, parent (a nic or bond)
/// bridge br0 52:54:00:12:34:56            a bridge (the top only): name, MAC
/// port br0 bond0.7                        a port of that bridge (a nic, bond or vlan), in order
/// </code>
/// </summary>
public static class NetworkLinkRecord
{
    public const string Nic = "nic";
    public const string Bond = "bond";
    public const string BondOption = "bond-option";
    public const string Slave = "slave";
    public const string Vlan = "vlan";
    public const string Bridge = "bridge";
    public const string Port = "port";

    /// <summary>Whether <paramref name="keyword"/> starts a link line.</summary>
    public static bool IsKeyword(string keyword) => keyword is Nic or Bond or BondOption or Slave or Vlan or Bridge or Port;

    /// <summary>The declarations of <paramref name="top"/> and the links below it (none for a lone NIC), parents first.</summary>
    public static void Format(StringBuilder sb, NetworkLink top)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(top);
        // A bond's slaves are declared by its slave lines; parents come first, so they are known in time.
        var slaves = new HashSet<NetworkLink>();
        foreach (var link in top.SelfAndBelow())
        {
            switch (link)
            {
                case NicLink nic when link != top && !slaves.Contains(nic):
                    sb.Append(Nic).Append(' ').Append(nic.Name).Append(' ').Append(nic.MacAddress).Append('\n');
                    break;
                case BondLink bond:
                    slaves.UnionWith(bond.Slaves);
                    sb.Append(Bond).Append(' ').Append(bond.Name).Append(' ').Append(bond.MacAddress).Append(' ').Append(bond.Mode).Append('\n');
                    foreach (var o in bond.Options) sb.Append(BondOption).Append(' ').Append(bond.Name).Append(' ').Append(o.Name).Append(' ').Append(o.Value).Append('\n');
                    foreach (var s in bond.Slaves) sb.Append(Slave).Append(' ').Append(bond.Name).Append(' ').Append(s.Name).Append(' ').Append(s.MacAddress).Append('\n');
                    break;
                case VlanLink vlan:
                    sb.Append(Vlan).Append(' ').Append(vlan.Name).Append(' ').Append(vlan.MacAddress).Append(' ')
                        .Append(vlan.Id.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(vlan.Parent.Name).Append('\n');
                    break;
                case BridgeLink bridge:
                    sb.Append(Bridge).Append(' ').Append(bridge.Name).Append(' ').Append(bridge.MacAddress).Append('\n');
                    foreach (var p in bridge.Ports) sb.Append(Port).Append(' ').Append(bridge.Name).Append(' ').Append(p.Name).Append('\n');
                    break;
            }
        }
    }

    /// <summary>
    /// Why the interface <paramref name="later"/> cannot be brought up after
    /// <paramref name="earlier"/> in one capture kernel; null when it can. The links they share are
    /// made once, by the earlier, so each must be the same link in both (kind, MAC and what it is
    /// made of) and in the same place: a slave of the same bond, a port of the same bridge, or
    /// neither — a heartbeat VLAN on the dump's NIC or bond, two VLANs of one bond — except that a
    /// bridge port may be a VLAN's parent in the other. So neither interface is a member of a link
    /// in the other (its address would sit on a bond slave or a bridge port), and no link is made a
    /// member of two masters.
    /// </summary>
    public static string? SharingConflict(NetworkLink earlier, NetworkLink later)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        if (earlier.Name == later.Name) return $"{later.Name} is the interface of both";
        var (mastersBefore, mastersAfter) = (Masters(earlier), Masters(later));
        if (mastersBefore.TryGetValue(later.Name, out var m)) return $"{later.Name} is the interface of one and {m} in the other";
        if (mastersAfter.TryGetValue(earlier.Name, out m)) return $"{earlier.Name} is the interface of one and {m} in the other";
        var before = earlier.SelfAndBelow().ToDictionary(l => l.Name, StringComparer.Ordinal);
        // Places first: a bond slave is recorded with its permanent MAC, so a slave in one block
        // and a plain NIC in the other would otherwise read as two links. A bridge port may carry
        // a VLAN of the other block (a hypervisor's bridge beside a tagged heartbeat: the kernel
        // hands tagged frames to the VLAN before the bridge sees them); two masters never.
        foreach (var link in later.SelfAndBelow().Where(l => before.ContainsKey(l.Name)))
        {
            var (was, now) = (mastersBefore.GetValueOrDefault(link.Name), mastersAfter.GetValueOrDefault(link.Name));
            if (was == now || (was ?? now)!.Bridge && (was is null || now is null)) continue;
            return $"{link.Name} is {was?.ToString() ?? "not a slave or port"} in one and {now?.ToString() ?? "not a slave or port"} in the other";
        }
        foreach (var link in later.SelfAndBelow())
        {
            if (before.TryGetValue(link.Name, out var other) && Describe(other) != Describe(link))
                return $"{link.Name} is not the same link in both";
            // NICs are found by MAC: one MAC under two names would be one NIC made twice.
            if (link is NicLink && before.Values.FirstOrDefault(l => l is NicLink && l.MacAddress == link.MacAddress && l.Name != link.Name) is { } twin)
                return $"the NIC {link.MacAddress} is {twin.Name} in one and {link.Name} in the other";
        }
        return null;
    }

    /// <summary>The bond or bridge a link is a member of; reads "a slave of bond0", "a port of br0".</summary>
    private sealed record Master(string Name, bool Bridge)
    {
        public override string ToString() => (Bridge ? "a port of " : "a slave of ") + Name;
    }

    /// <summary>Each bond slave and bridge port of <paramref name="tree"/>, with its master.</summary>
    private static Dictionary<string, Master> Masters(NetworkLink tree)
    {
        var masters = new Dictionary<string, Master>(StringComparer.Ordinal);
        foreach (var link in tree.SelfAndBelow())
        {
            if (link is BondLink bond) foreach (var s in bond.Slaves) masters[s.Name] = new(bond.Name, Bridge: false);
            if (link is BridgeLink bridge) foreach (var p in bridge.Ports) masters[p.Name] = new(bridge.Name, Bridge: true);
        }
        return masters;
    }

    /// <summary>A link and everything below it as record lines, to compare two descriptions of one link.</summary>
    private static string Describe(NetworkLink link)
    {
        var sb = new StringBuilder().Append(link.GetType().Name).Append(' ').Append(link.Name).Append(' ').Append(link.MacAddress).Append('\n');
        Format(sb, link);
        return sb.ToString();
    }

    /// <summary>
    /// Collects link lines (<see cref="Add"/>) and builds the tree under the <c>interface</c> line
    /// (<see cref="Build"/>); every error names the file and, where there is one, the line.
    /// </summary>
    public sealed class Reader(string file)
    {
        private enum Kind { Nic, Bond, Vlan, Bridge, Slave }

        private sealed record Declared(Kind Kind, string Mac, int Line, string? Mode = null, int VlanId = 0, string? Parent = null);

        private readonly Dictionary<string, Declared> _links = new(StringComparer.Ordinal);
        private readonly List<(string Bond, BondOption Option, int Line)> _options = [];
        private readonly List<(string Bond, string Slave, int Line)> _slaves = [];
        private readonly List<(string Bridge, string Port, int Line)> _ports = [];

        /// <summary>Reads one link line (<paramref name="w"/>: its words; <paramref name="n"/>: its number).</summary>
        public void Add(string[] w, int n)
        {
            ArgumentNullException.ThrowIfNull(w);
            switch (w[0])
            {
                case Nic:
                    Arity(w, n, 2);
                    Declare(w[1], new Declared(Kind.Nic, Mac(w[2], n), n), n);
                    break;
                case Bond:
                    Arity(w, n, 3);
                    Declare(w[1], new Declared(Kind.Bond, Mac(w[2], n), n, Mode: BondLink.IsWord(w[3]) ? w[3] : throw KdumpConfigException.At(file, n, $"'{w[3]}' is not a bonding mode")), n);
                    break;
                case BondOption:
                    Arity(w, n, 3);
                    if (!BondLink.IsOptionName(w[2])) throw KdumpConfigException.At(file, n, $"'{w[2]}' is not a bonding option");
                    if (!BondLink.IsWord(w[3])) throw KdumpConfigException.At(file, n, $"'{w[3]}' is not a bonding option value");
                    // Each option once; arp_ip_target once per target.
                    if (_options.Any(o => o.Bond == w[1] && o.Option.Name == w[2] && (w[2] != BondLink.ArpIpTarget || o.Option.Value == w[3])))
                        throw KdumpConfigException.At(file, n, $"bond '{w[1]}': '{w[2]} {w[3]}' repeats an option");
                    _options.Add((Name(w[1], n), new BondOption(w[2], w[3]), n));
                    break;
                case Slave:
                    Arity(w, n, 3);
                    Declare(w[2], new Declared(Kind.Slave, Mac(w[3], n), n), n);
                    _slaves.Add((Name(w[1], n), w[2], n));
                    break;
                case Vlan:
                    Arity(w, n, 4);
                    var id = int.TryParse(w[3], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= VlanLink.MinId and <= VlanLink.MaxId
                        ? v : throw KdumpConfigException.At(file, n, $"'{w[3]}' is not a VLAN id ({VlanLink.MinId}-{VlanLink.MaxId})");
                    Declare(w[1], new Declared(Kind.Vlan, Mac(w[2], n), n, VlanId: id, Parent: Name(w[4], n)), n);
                    break;
                case Bridge:
                    Arity(w, n, 2);
                    Declare(w[1], new Declared(Kind.Bridge, Mac(w[2], n), n), n);
                    break;
                case Port:
                    Arity(w, n, 2);
                    _ports.Add((Name(w[1], n), Name(w[2], n), n));
                    break;
                default:
                    throw new ArgumentException($"'{w[0]}' is not a link keyword", nameof(w));
            }
        }

        /// <summary>The link named by the <c>interface</c> line, with every declared link under it.</summary>
        public NetworkLink Build(string top, string topMac)
        {
            ArgumentNullException.ThrowIfNull(top);
            ArgumentNullException.ThrowIfNull(topMac);
            foreach (var (bond, _, line) in _options) Expect(bond, Kind.Bond, line, BondOption);
            foreach (var (bond, _, line) in _slaves) Expect(bond, Kind.Bond, line, Slave);
            foreach (var (bridge, _, line) in _ports) Expect(bridge, Kind.Bridge, line, Port);
            if (_links.TryGetValue(top, out var declared))
            {
                if (declared.Kind == Kind.Slave) throw KdumpConfigException.At(file, declared.Line, $"'{top}' is the interface and a bond's slave");
                if (declared.Mac != topMac) throw KdumpConfigException.At(file, declared.Line, $"'{top}' has MAC {declared.Mac} here and {topMac} on the 'interface' line");
            }
            // NICs are found by MAC: two with one MAC would be one NIC.
            foreach (var group in _links.Where(l => l.Value.Kind is Kind.Nic or Kind.Slave).GroupBy(l => l.Value.Mac).Where(g => g.Count() > 1))
                throw KdumpConfigException.At(file, group.Max(l => l.Value.Line), $"'{string.Join("' and '", group.Select(l => l.Key).Order(StringComparer.Ordinal))}' have one MAC, {group.Key}");
            var used = new HashSet<string>(StringComparer.Ordinal);
            var link = declared is null ? new NicLink(top, topMac) : Make(top, used);
            used.Add(top);
            if (_links.Keys.FirstOrDefault(k => !used.Contains(k)) is { } stray)
                throw KdumpConfigException.At(file, _links[stray].Line, $"'{stray}' is not part of the interface '{top}'");
            return link;
        }

        private NetworkLink Make(string name, HashSet<string> used)
        {
            var d = _links[name];
            switch (d.Kind)
            {
                case Kind.Nic:
                case Kind.Slave:
                    return new NicLink(name, d.Mac);
                case Kind.Bond:
                    var slaves = _slaves.Where(s => s.Bond == name).Select(s => new NicLink(s.Slave, _links[s.Slave].Mac)).ToList();
                    if (slaves.Count == 0) throw KdumpConfigException.At(file, d.Line, $"bond '{name}' has no '{Slave}' line");
                    foreach (var s in slaves) used.Add(s.Name);     // a slave line declares its NIC: it has no other place
                    return new BondLink(name, d.Mac, d.Mode!, _options.Where(o => o.Bond == name).Select(o => o.Option).ToList(), slaves);
                case Kind.Vlan:
                    // Upstream's kdump_setup_vlan: a VLAN on a NIC or a bond, never on a bridge (nor a VLAN).
                    var parent = d.Parent!;
                    if (!_links.TryGetValue(parent, out var p)) throw KdumpConfigException.At(file, d.Line, $"VLAN parent '{parent}' is not declared");
                    if (p.Kind is not (Kind.Nic or Kind.Bond)) throw KdumpConfigException.At(file, d.Line, $"VLAN parent '{parent}' is a {p.Kind.ToString().ToLowerInvariant()}, not a nic or bond");
                    Use(parent, used, d.Line);
                    return new VlanLink(name, d.Mac, d.VlanId, Make(parent, used));
                default:
                    // A bridge: the top only, as no other link takes one as its child.
                    var ports = new List<NetworkLink>();
                    foreach (var (_, port, line) in _ports.Where(x => x.Bridge == name))
                    {
                        if (!_links.TryGetValue(port, out var pd)) throw KdumpConfigException.At(file, line, $"port '{port}' is not declared");
                        if (pd.Kind is not (Kind.Nic or Kind.Bond or Kind.Vlan)) throw KdumpConfigException.At(file, line, $"port '{port}' is a {pd.Kind.ToString().ToLowerInvariant()}, not a nic, bond or vlan");
                        Use(port, used, line);
                        ports.Add(Make(port, used));
                    }
                    if (ports.Count == 0) throw KdumpConfigException.At(file, d.Line, $"bridge '{name}' has no '{Port}' line");
                    return new BridgeLink(name, d.Mac, ports);
            }
        }

        /// <summary>Each link is part of one other link at most.</summary>
        private void Use(string name, HashSet<string> used, int line)
        {
            if (!used.Add(name)) throw KdumpConfigException.At(file, line, $"'{name}' is part of two links");
        }

        private void Expect(string name, Kind kind, int line, string keyword)
        {
            if (!_links.TryGetValue(name, out var d) || d.Kind != kind)
                throw KdumpConfigException.At(file, line, $"'{keyword}' names '{name}', which no '{kind.ToString().ToLowerInvariant()}' line declares");
        }

        private void Declare(string name, Declared d, int n)
        {
            if (!CaptureNetworkConfig.IsInterfaceName(name)) throw KdumpConfigException.At(file, n, $"'{name}' is not an interface name");
            if (!_links.TryAdd(name, d)) throw KdumpConfigException.At(file, n, $"'{name}' declared twice");
        }

        private string Name(string name, int n) =>
            CaptureNetworkConfig.IsInterfaceName(name) ? name : throw KdumpConfigException.At(file, n, $"'{name}' is not an interface name");

        private string Mac(string mac, int n) =>
            CaptureNetworkConfig.NormalizeUnicastMac(mac) ?? throw KdumpConfigException.At(file, n, $"'{mac}' is not a unicast MAC address");

        private void Arity(string[] w, int n, int count)
        {
            if (w.Length != count + 1) throw KdumpConfigException.At(file, n, $"'{w[0]}' takes {count} value(s), found {w.Length - 1}");
        }
    }
}
