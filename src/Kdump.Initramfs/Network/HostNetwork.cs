using System.Net;
using Kdump.Config;
using Kdump.Config.IO;
using Kdump.Config.Network;
using Kdump.Initramfs.Devices;

namespace Kdump.Initramfs.Network;

/// <summary>
/// What mkdumprd asks the first kernel about its network, as upstream asks <c>ip</c> and sysfs:
/// routes from <c>/proc/net/route</c> and <c>/proc/net/ipv6_route</c>, IPv6 addresses from
/// <c>/proc/net/if_inet6</c>, interface facts from <c>/sys/class/net</c> and nameservers
/// from <c>/etc/resolv.conf</c>, all read through the root (so a prepared tree answers them), and
/// the addresses from an address source (rtnetlink on a live system, see <see cref="LiveAddresses"/>).
/// </summary>
public sealed class HostNetwork(IRootFileSystem root, Func<IReadOnlyList<InterfaceAddress>> addresses, Func<string, IPAddress?> resolveHost, bool littleEndianKernel)
{
    private const int MaxTextBytes = 1 << 20;
    private const int MaxDepth = 32;

    /// <summary>The running system: files under <paramref name="rootDirectory"/>, addresses and name resolution of the running kernel.</summary>
    public static HostNetwork Live(string rootDirectory) =>
        new(new DirectoryRootFileSystem(rootDirectory), LiveAddresses.Read, LiveAddresses.Resolve, BitConverter.IsLittleEndian);

    public IReadOnlyList<Ipv4Route> Routes()
    {
        var text = root.ReadAllText(ProcNetRoute.Path, MaxTextBytes);
        return text is null ? [] : ProcNetRoute.Parse(text, littleEndianKernel);
    }

    public IReadOnlyList<InterfaceAddress> Addresses() => addresses();

    /// <summary>The IPv6 routes of every table (<c>/proc/net/ipv6_route</c>; none without IPv6).</summary>
    public IReadOnlyList<Ipv6Route> Ipv6Routes() =>
        root.ReadAllText(ProcNetIpv6.RoutePath, MaxTextBytes) is { } text ? ProcNetIpv6.ParseRoutes(text) : [];

    /// <summary>Every interface's IPv6 addresses (<c>/proc/net/if_inet6</c>; none without IPv6).</summary>
    public IReadOnlyList<Ipv6InterfaceAddress> Ipv6Addresses() =>
        root.ReadAllText(ProcNetIpv6.AddressPath, MaxTextBytes) is { } text ? ProcNetIpv6.ParseAddresses(text) : [];

    /// <summary>
    /// An IPv4 or IPv6 literal as is, else what the name resolves to (<c>getent ahosts</c>): its
    /// first IPv4 address, or its first IPv6 one when it has none.
    /// </summary>
    public IPAddress? Resolve(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return IpPrefix.TryParseAddress(host) ?? resolveHost(host);
    }

    /// <summary><c>/sys/class/net/NAME/ifindex</c>.</summary>
    public int? InterfaceIndex(string name) =>
        int.TryParse(Read($"/sys/class/net/{name}/ifindex"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary><c>/sys/class/net/NAME/address</c> (upstream's <c>kdump_get_mac_addr</c>).</summary>
    public string? MacAddress(string name) => Read($"/sys/class/net/{name}/address") is { } t ? CaptureNetworkConfig.NormalizeMac(t) : null;

    /// <summary>A software interface (bond, bridge, vlan, team, …) has no <c>device</c> link.</summary>
    public bool IsHardware(string name) => root.ResolveLink($"/sys/class/net/{name}/device") is not null;

    /// <summary>
    /// The bond <paramref name="name"/> is (<c>/sys/class/net/NAME/bonding</c>): its mode, the options
    /// that differ from a new bond's, <c>arp_ip_target</c>s as <c>+ADDRESS</c>, and its slaves in
    /// order with their permanent MACs (<c>bonding_slave/perm_hwaddr</c>: a slave's own address
    /// is the bond's). Null when it is not a bond; an error naming the file when a fact is missing.
    /// </summary>
    public BondLink? Bond(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dir = $"/sys/class/net/{name}/bonding";
        if (!root.DirectoryExists(dir)) return null;
        string Fact(string file) => Read($"{dir}/{file}") ?? throw new InitramfsBuildException($"{dir}/{file} is missing");
        var mode = FirstWord(Fact("mode"));
        if (!BondLink.IsWord(mode)) throw new InitramfsBuildException($"{dir}/mode: '{mode}' is not a bonding mode");
        var options = new List<BondOption>();
        foreach (var (option, initial) in BondLink.RecordedOptions)
        {
            // The driver shows nothing for an option of another mode (ad_actor_system outside
            // 802.3ad): only primary has an empty value that means something.
            var value = Read($"{dir}/{option}") is { } text ? FirstWord(text) : initial;
            if (value == initial || value.Length == 0) continue;
            if (!BondLink.IsWord(value)) throw new InitramfsBuildException($"{dir}/{option}: '{value}' is not one word");
            options.Add(new BondOption(option, value));
        }
        foreach (var target in (Read($"{dir}/arp_ip_target") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Ipv4Network.TryParseAddress(target) is null) throw new InitramfsBuildException($"{dir}/arp_ip_target: '{target}' is not an IPv4 address");
            options.Add(new BondOption(BondLink.ArpIpTarget, "+" + target));
        }
        var slaves = new List<NicLink>();
        foreach (var slave in Fact("slaves").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!CaptureNetworkConfig.IsInterfaceName(slave)) throw new InitramfsBuildException($"{dir}/slaves names an invalid interface '{slave}'");
            if (!IsHardware(slave)) throw new InitramfsBuildException($"{slave} (a slave of {name}) is a software interface: not supported by the minimal backend");
            var perm = $"/sys/class/net/{slave}/bonding_slave/perm_hwaddr";
            var mac = Read(perm) is { } t ? CaptureNetworkConfig.NormalizeMac(t) : null;
            slaves.Add(new NicLink(slave, mac ?? throw new InitramfsBuildException($"{perm} is missing or not a MAC address")));
        }
        if (slaves.Count == 0) throw new InitramfsBuildException($"{name} (a bond) has no slaves");
        return new BondLink(name, RequiredMac(name), mode, options, slaves);
    }

    /// <summary>A bridge has <c>/sys/class/net/NAME/bridge</c>.</summary>
    public bool IsBridge(string name) => root.DirectoryExists($"/sys/class/net/{name}/bridge");

    /// <summary>
    /// The ports of the bridge <paramref name="name"/> is (<c>/sys/class/net/NAME/brif</c>), in name
    /// order; null when it is not a bridge.
    /// </summary>
    public IReadOnlyList<string>? BridgePortNames(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsBridge(name)) return null;
        var ports = new List<string>();
        foreach (var port in root.ListDirectory($"/sys/class/net/{name}/brif"))
        {
            if (!CaptureNetworkConfig.IsInterfaceName(port)) throw new InitramfsBuildException($"/sys/class/net/{name}/brif names an invalid interface '{port}'");
            ports.Add(port);
        }
        return ports;
    }

    /// <summary><see cref="MacAddress"/>, or an error naming the file.</summary>
    public string RequiredMac(string name) =>
        MacAddress(name) ?? throw new InitramfsBuildException($"/sys/class/net/{name}/address is missing or not a MAC address");

    /// <summary>
    /// The VLAN <paramref name="name"/> is, from <c>/proc/net/vlan/NAME</c> (upstream's
    /// <c>kdump_setup_vlan</c> reads its <c>Device:</c> line): the id after <c>VID:</c> on the first
    /// line and the parent after <c>Device:</c>. Null when it is not a VLAN (no such file); an error
    /// naming the file when either is missing or malformed.
    /// </summary>
    public (int Id, string Parent)? Vlan(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var file = $"/proc/net/vlan/{name}";
        string? text;
        try { text = root.ReadAllText(file, 64 * 1024); }
        catch (KdumpConfigException) { text = null; }
        if (text is null) return null;
        int? id = null;
        string? parent = null;
        foreach (var line in text.Split('\n'))
        {
            var w = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var vid = Array.IndexOf(w, "VID:");
            if (id is null && vid >= 0 && vid + 1 < w.Length
                && int.TryParse(w[vid + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
                && v is >= VlanLink.MinId and <= VlanLink.MaxId) id = v;
            if (parent is null && w is ["Device:", var dev, ..]) parent = dev;
        }
        if (id is null) throw new InitramfsBuildException($"{file}: no VLAN id (VID:)");
        if (parent is null || !CaptureNetworkConfig.IsInterfaceName(parent)) throw new InitramfsBuildException($"{file}: no parent interface (Device:)");
        return (id.Value, parent);
    }

    private static string FirstWord(string text) => text.Split([' ', '\t', '\n'], 2, StringSplitOptions.RemoveEmptyEntries) is [var w, ..] ? w : "";

    /// <summary>
    /// The modules behind the interface's device and every parent device up the sysfs tree
    /// (<c>driver/module</c> links; built-in drivers have none): e.g. virtio_net, then virtio_pci.
    /// </summary>
    public IReadOnlyList<string> DriverModules(string name)
    {
        var modules = new List<string>();
        var devices = new BlockDevices(root);
        var device = devices.Canonicalize($"/sys/class/net/{name}/device");
        var depth = 0;
        for (var p = device; p.StartsWith("/sys/devices/", StringComparison.Ordinal) && depth++ < MaxDepth; p = SystemPath.Directory(p))
        {
            if (root.ResolveLink(p + "/driver/module") is { } module && !modules.Contains(SystemPath.FileName(module), StringComparer.Ordinal))
                modules.Add(SystemPath.FileName(module));
        }
        return modules;
    }

    /// <summary>
    /// The <c>nameserver</c> lines of /etc/resolv.conf (upstream's <c>kdump_setup_dns</c>), IPv4 and
    /// IPv6; a zoned one (<c>fe80::1%eth0</c>) is passed over, since the record has no zones.
    /// </summary>
    public IReadOnlyList<IPAddress> Nameservers()
    {
        var result = new List<IPAddress>();
        foreach (var line in (root.ReadAllText("/etc/resolv.conf", MaxTextBytes) ?? "").Split('\n'))
        {
            var w = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 2 && w[0] == "nameserver" && IpPrefix.TryParseAddress(w[1]) is { } a && !result.Contains(a)) result.Add(a);
        }
        return result;
    }

    private string? Read(string path)
    {
        try { return root.ReadAllText(path, 4096)?.Trim(); }
        catch (KdumpConfigException) { return null; }
    }
}
