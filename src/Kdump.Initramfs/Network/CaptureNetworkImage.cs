using System.Net;
using System.Net.Sockets;
using System.Text;
using Kdump.Config;
using Kdump.Config.Conf;
using Kdump.Config.Network;
using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Network;

/// <summary>
/// mkdumprd's network part for ssh and nfs targets (upstream <c>kdump_install_net</c>): the route
/// the first kernel takes to the server (<c>ip route get</c>, IPv4 or IPv6), its interface found
/// again in the capture kernel by MAC, the address copied when it is permanent
/// (<c>kdump_static_ip</c>) or, when it is not, leased again by DHCP (IPv4) or made again by the
/// kernel's SLAAC (IPv6, <c>auto6</c>), the default gateway and other gateway routes of that
/// interface, the nameservers, and the drivers of the NIC and its parent devices. A bond is
/// recorded with its mode, options and slaves (found by their permanent MACs), a VLAN with its id
/// and its parent (a NIC or a bond), a bridge with its ports (NICs, bonds, VLANs), and each is made
/// again.
/// </summary>
public static class CaptureNetworkImage
{
    /// <summary>The server of an ssh or nfs target (or of a dracut <c>--mount</c> of an nfs export); null for local targets.</summary>
    public static string? RemoteHost(string? targetOption, string targetValue, DracutMount? dracutMount)
    {
        ArgumentNullException.ThrowIfNull(targetValue);
        return targetOption switch
        {
            "ssh" or "nfs" => DumpTarget.GetRemoteHost(targetValue),
            null when dracutMount is not null && DracutArguments.MountIsNfs(dracutMount) => DumpTarget.GetRemoteHost(dracutMount.Device),
            _ => null,
        };
    }

    /// <summary>The record for <paramref name="host"/>; upstream's message when there is no route.</summary>
    public static CaptureNetworkConfig Resolve(HostNetwork facts, string host, ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(host);
        return Resolve(facts, host, ResolveUnmapped(facts, host), warnings);
    }

    /// <summary>The record for <paramref name="host"/>, already looked up as <paramref name="address"/>.</summary>
    private static CaptureNetworkConfig Resolve(HostNetwork facts, string host, IPAddress? address, ICollection<string>? warnings)
    {
        var remote = address ?? throw new InitramfsBuildException($"Bad kdump network destination: {host}");
        return remote.AddressFamily == AddressFamily.InterNetworkV6 ? Resolve6(facts, host, remote, warnings) : Resolve4(facts, host, remote, warnings);
    }

    /// <summary>
    /// <paramref name="host"/>'s address now; ::ffff:a.b.c.d is reached over IPv4 (the socket
    /// API's mapping), so it is the IPv4 address it maps.
    /// </summary>
    private static IPAddress? ResolveUnmapped(HostNetwork facts, string host) =>
        facts.Resolve(host) is { } a ? a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a : null;

    private static CaptureNetworkConfig Resolve4(HostNetwork facts, string host, IPAddress remoteAddress, ICollection<string>? warnings)
    {
        var remote = Ipv4Network.FromIPAddress(remoteAddress);
        var routes = facts.Routes();
        var route = RouteLookup.Find(routes, remote) ?? throw new InitramfsBuildException($"Bad kdump network destination: {host}");
        var (name, link, index) = RouteDevice(facts, route.Interface, ProcNetRoute.Path, host, warnings);
        var source = RouteLookup.SourceAddress(facts.Addresses().Where(a => a.InterfaceIndex == index).ToList(), route, remote)
            ?? throw new InitramfsBuildException($"{name} (toward {host}) has no IPv4 address");

        if (!source.IsPermanent)
        {
            // The lease is asked for again: a fence_kdump agent knows the node by its address.
            return new CaptureNetworkConfig(remoteAddress, name, link.MacAddress, AddressMethod.Dhcp, IpPrefix.From(source.Address), null, [],
                Nameservers(facts, remoteAddress)) { Link = link };
        }
        // Lowest metric first (a stable sort keeps the file's order within one): the route the first kernel uses.
        var onDevice = routes.Where(r => r.Interface == name && !r.IsReject).OrderBy(r => r.Metric).ToList();
        var gateway = onDevice.FirstOrDefault(r => r.IsDefault && r.Gateway is not null)?.Gateway is { } g ? Ipv4Network.ToIPAddress(g) : null;
        var own = IpPrefix.From(source.Address);
        // The record has no metrics: one route per destination. A default without a gateway
        // (dev eth0) is recorded only when there is no gateway line, which would be made beside it.
        var extra = onDevice
            .Where(r => r.IsDefault ? r.Gateway is null && gateway is null : r.Gateway is not null || !IsConnected(IpPrefix.From(r.Destination), own))
            .DistinctBy(r => r.Destination)
            .Select(r => new StaticRoute(IpPrefix.From(r.Destination), r.Gateway is { } via ? Ipv4Network.ToIPAddress(via) : null))
            .ToList();
        return new CaptureNetworkConfig(remoteAddress, name, link.MacAddress, AddressMethod.Static, IpPrefix.From(source.Address), gateway, extra, Nameservers(facts, remoteAddress)) { Link = link };
    }

    /// <summary>
    /// The prefix route the kernel makes for the recorded address (10.0.2.0/24 for 10.0.2.15/24):
    /// made again with it, so not a route to record. Other addresses of the interface are not
    /// made again: their prefix routes are recorded, so what they reached stays reachable.
    /// </summary>
    private static bool IsConnected(IpPrefix destination, IpPrefix address) =>
        address.PrefixLength == destination.PrefixLength && destination.Contains(address.Address);

    /// <summary>
    /// The interface's routes without a gateway that the capture kernel would not have: not the
    /// address's own prefix, not link-local or multicast (every IPv6 interface has those), and for
    /// <c>auto6</c> not made by a router advertisement (the capture kernel's SLAAC gets them again;
    /// a static record turns advertisements off, so it keeps them).
    /// </summary>
    private static IEnumerable<StaticRoute> OnLinkRoutes6(IEnumerable<Ipv6Route> routes, string name, IpPrefix address, bool autoconfigured) =>
        routes.Where(r => r.Interface == name && r.Gateway is null && !(autoconfigured && r.IsFromRouterAdvertisement)
                && !r.Destination.Address.IsIPv6LinkLocal && !r.Destination.Address.IsIPv6Multicast && !IsConnected(r.Destination, address))
            .Select(r => new StaticRoute(r.Destination, null));

    /// <summary>resolv.conf's nameservers, those of the server's family first (glibc reads three).</summary>
    private static List<IPAddress> Nameservers(HostNetwork facts, IPAddress remote) =>
        facts.Nameservers().OrderBy(a => a.AddressFamily != remote.AddressFamily).ToList();

    /// <summary>
    /// The IPv6 record: the route <c>ip -6 route get</c> would take, the interface's global source
    /// address copied when it is permanent, with the default gateway and the other gateway routes
    /// of that interface; else <c>auto6</c> (the capture kernel's SLAAC makes one again from the
    /// router's advertisement, which also brings the default route and the routes it announces;
    /// a DHCPv6 lease is not asked for again) with the gateway routes set up by hand.
    /// </summary>
    private static CaptureNetworkConfig Resolve6(HostNetwork facts, string host, IPAddress remote, ICollection<string>? warnings)
    {
        if (remote.IsIPv6LinkLocal || remote.IsIPv6Multicast || remote.Equals(IPAddress.IPv6Loopback) || remote.Equals(IPAddress.IPv6Any))
            throw new InitramfsBuildException($"{host}: not a routable IPv6 unicast address (a link-local server needs a zone the record cannot carry)");
        var addresses = facts.Ipv6Addresses();
        if (addresses.Any(a => a.Address.Address.Equals(remote)))
            throw new InitramfsBuildException($"{host} is this machine (one of its own addresses): not a remote dump target");
        var routes = facts.Ipv6Routes();
        var route = Ipv6RouteLookup.Find(routes, remote) ?? throw new InitramfsBuildException($"Bad kdump network destination: {host}");
        var (name, link, index) = RouteDevice(facts, route.Interface, ProcNetIpv6.RoutePath, host, warnings);
        var source = Ipv6RouteLookup.SourceAddress(addresses.Where(a => a.InterfaceIndex == index).ToList(), remote)
            ?? throw new InitramfsBuildException($"{name} (toward {host}) has no global IPv6 address");
        var nameservers = Nameservers(facts, remote);
        // Lowest metric first; the record has no metrics, so one route per destination.
        var ordered = routes.Where(r => !r.IsReject).OrderBy(r => r.Metric).ToList();
        var onDevice = ordered.Where(r => r.Interface == name && r.Gateway is not null).ToList();
        var onLink = OnLinkRoutes6(ordered, name, source.Address, autoconfigured: !source.IsPermanent).ToList();
        if (!source.IsPermanent)
        {
            var own = onDevice.Where(r => !r.IsDefault && !r.IsFromRouterAdvertisement).Select(r => new StaticRoute(r.Destination, r.Gateway!)).Concat(onLink)
                .DistinctBy(r => r.Destination).ToList();
            return new CaptureNetworkConfig(remote, name, link.MacAddress, AddressMethod.Auto, null, null, own, nameservers) { Link = link };
        }
        var gateway = onDevice.FirstOrDefault(r => r.IsDefault)?.Gateway;
        var extra = onDevice.Where(r => !r.IsDefault).Select(r => new StaticRoute(r.Destination, r.Gateway!)).Concat(onLink).DistinctBy(r => r.Destination).ToList();
        return new CaptureNetworkConfig(remote, name, link.MacAddress, AddressMethod.Static, source.Address, gateway, extra, nameservers) { Link = link };
    }

    /// <summary>The route's interface: checked, described as links, with its index.</summary>
    private static (string Name, NetworkLink Link, int Index) RouteDevice(HostNetwork facts, string name, string routeFile, string host, ICollection<string>? warnings)
    {
        if (!CaptureNetworkConfig.IsInterfaceName(name)) throw new InitramfsBuildException($"{routeFile} names an invalid interface '{name}'");
        if (name == "lo") throw new InitramfsBuildException($"{host} is this machine (route via lo): not a remote dump target");
        // A bond, VLAN or bridge is made again from the links below it (upstream's bond=, vlan=, bridge=).
        var link = Describe(facts, name, host, warnings);
        // A bridge of eth0 and eth0.7, or of bond0 and bond0.7: each link is made once, for one parent.
        if (link.SelfAndBelow().GroupBy(l => l.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } shared)
            throw new InitramfsBuildException($"{name} (toward {host}): {shared.Key} is below two of its ports: not supported by the minimal backend");
        var index = facts.InterfaceIndex(name) ?? throw new InitramfsBuildException($"/sys/class/net/{name}/ifindex is missing or not a number");
        return (name, link, index);
    }

    /// <summary>
    /// The link <paramref name="name"/> is and those it is made of, as upstream's
    /// <c>kdump_setup_netdev</c> walks them: a NIC; a bond of NICs; a VLAN on a NIC or a bond; a
    /// bridge of NICs, bonds and VLANs, whose other ports (a hypervisor's tap and veth ports of its
    /// guests) are left out with a warning. Anything else (team, a VLAN on a bridge) is refused.
    /// </summary>
    private static NetworkLink Describe(HostNetwork facts, string name, string host, ICollection<string>? warnings)
    {
        if (Port(facts, name) is { } link) return link;
        if (facts.BridgePortNames(name) is not { } portNames)
            throw new InitramfsBuildException($"{name} (toward {host}) is a software interface (team, …): not supported by the minimal backend");
        var ports = new List<NetworkLink>();
        var skipped = new List<string>();
        foreach (var port in portNames)
        {
            if (Port(facts, port) is { } portLink) ports.Add(portLink);
            else skipped.Add(port);
        }
        if (ports.Count == 0)
        {
            throw new InitramfsBuildException(skipped.Count == 0 ? $"{name} (a bridge) has no ports"
                : $"{name} (a bridge) has no NIC, bond or VLAN among its ports ({string.Join(", ", skipped)}): not supported by the minimal backend");
        }
        if (skipped.Count > 0) warnings?.Add($"{name}: the capture kernel's bridge gets its NIC, bond and VLAN ports only, not {string.Join(", ", skipped)}");
        return new BridgeLink(name, facts.RequiredMac(name), ports);
    }

    /// <summary>What a bridge may have as a port, and the top may be besides a bridge: a NIC, a VLAN or a bond; null for anything else.</summary>
    private static NetworkLink? Port(HostNetwork facts, string name)
    {
        if (facts.IsHardware(name)) return new NicLink(name, facts.RequiredMac(name));
        if (facts.Vlan(name) is var (id, parent)) return new VlanLink(name, facts.RequiredMac(name), id, VlanParent(facts, name, parent));
        return facts.Bond(name);
    }

    /// <summary>A VLAN's parent: a NIC or a bond (upstream's kdump_setup_vlan refuses a bridge with this message).</summary>
    private static NetworkLink VlanParent(HostNetwork facts, string vlan, string parent)
    {
        if (facts.IsHardware(parent)) return new NicLink(parent, facts.RequiredMac(parent));
        if (facts.Bond(parent) is { } bond) return bond;
        if (facts.IsBridge(parent)) throw new InitramfsBuildException("Vlan over bridge is not supported!");
        throw new InitramfsBuildException($"{parent} (the parent of {vlan}) is a software interface (team, vlan, …): not supported by the minimal backend");
    }

    /// <summary>
    /// A name or address of this machine (upstream's <c>is_localhost</c>: its host names and aliases,
    /// its addresses): one that resolves to a loopback address (Debian's <c>127.0.1.1 HOSTNAME</c>)
    /// or to an address of one of its interfaces.
    /// </summary>
    private static bool IsThisMachine(HostNetwork facts, IPAddress? address)
    {
        if (address is null) return false;
        if (IPAddress.IsLoopback(address)) return true;
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? facts.Ipv6Addresses().Any(a => a.Address.Address.Equals(address))
            : facts.Addresses().Any(a => a.Address.IPAddress.Equals(address));
    }

    /// <summary>
    /// A fence_kdump node's address, the interface the first kernel reaches it through and that
    /// route's gateway (null: on the link), its route checked as the server's is.
    /// </summary>
    private static (IPAddress Address, string Device, IPAddress? Gateway) FenceNode(HostNetwork facts, string node, IPAddress? resolved)
    {
        var address = resolved ?? throw new InitramfsBuildException($"Bad kdump network destination: {node}");
        if (address.IsIPv6LinkLocal || address.IsIPv6Multicast)
            throw new InitramfsBuildException($"fence_kdump node {node} ({IpPrefix.FormatAddress(address)}): not a routable IPv6 unicast address (a link-local node needs a zone the image cannot carry)");
        var (device, gateway) = address.AddressFamily == AddressFamily.InterNetworkV6
            ? Ipv6RouteLookup.Find(facts.Ipv6Routes(), address) is { } r6 ? (r6.Interface, r6.Gateway) : (null, null)
            : RouteLookup.Find(facts.Routes(), Ipv4Network.FromIPAddress(address)) is { } r4
                ? (r4.Interface, r4.Gateway is { } g ? Ipv4Network.ToIPAddress(g) : null) : (null, null);
        if (device is null) throw new InitramfsBuildException($"Bad kdump network destination: {node}");
        if (device == "lo") throw new InitramfsBuildException($"fence_kdump node {node} is this machine (route via lo)");
        return (address, device, gateway);
    }

    /// <summary>
    /// The block of another interface, toward the fence_kdump node <paramref name="node"/> (the
    /// first reached through it): its permanent address and its routes, less default routes and
    /// nameservers, which stay the dump interface's (a default route added later is the one the
    /// kernel takes), and less destinations an earlier block has (adding one again meets EEXIST and
    /// the earlier route stays). Each node behind it gets a host route of its own (the caller's).
    /// Links an earlier block has (the dump's NIC below a heartbeat VLAN) are made once, by it. A
    /// leased address is leased again in the capture kernel, an autoconfigured one (SLAAC or
    /// DHCPv6) autoconfigured again. An address on a member of an earlier block's bond or bridge is refused.
    /// </summary>
    private static CaptureNetworkConfig FenceInterface(HostNetwork facts, string node, IPAddress address, string host,
        IReadOnlyList<CaptureNetworkConfig> earlier, ICollection<string> warnings)
    {
        // A leased interface is leased again (its router and nameservers left out); an autoconfigured
        // one is autoconfigured again with the advertisements' default route turned off
        // (accept_ra_defrtr 0), which the dump's traffic would otherwise take.
        var config = Resolve(facts, node, address, warnings);
        foreach (var block in earlier)
        {
            // A link both need (a heartbeat VLAN on the dump's NIC) is made once, by the earlier block.
            if (NetworkLinkRecord.SharingConflict(block.Link, config.Link) is { } why)
            {
                throw new InitramfsBuildException($"fence_kdump node {node} is reached through {config.Interface}, which cannot be brought up beside {block.Interface}"
                    + $" (toward {IpPrefix.FormatAddress(block.Remote)}): {why}");
            }
        }
        var taken = earlier.SelectMany(b => b.Routes).Select(r => r.Destination).ToHashSet();
        var routes = config.Routes.Where(r => r.Destination.PrefixLength > 0 && !taken.Contains(r.Destination)).ToList();
        var made = config with { Gateway = null, Routes = routes, Nameservers = [] };
        foreach (var via in routes.Select(r => r.Gateway).Distinct().ToList()) made = WithGatewayReachable(made, via);
        return made;
    }

    /// <summary>The /32 or /128 of <paramref name="address"/>.</summary>
    private static IpPrefix Host(IPAddress address) => new(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);

    /// <summary>
    /// <paramref name="block"/> with an on-link host route to <paramref name="gateway"/> when
    /// neither its address's prefix nor one of its on-link routes reaches it: a route through a
    /// gateway is refused ("Nexthop has invalid gateway") unless the gateway is on the link, and the
    /// on-link route that made it so may be one <see cref="FenceInterface"/> left to an earlier block.
    /// </summary>
    private static CaptureNetworkConfig WithGatewayReachable(CaptureNetworkConfig block, IPAddress? gateway)
    {
        // A leased block's address is only the lease asked for: the next may be on another subnet.
        if (gateway is null || gateway.IsIPv6LinkLocal || block.Method == AddressMethod.Static && block.Address is { } own && own.Contains(gateway)
            || block.Routes.Any(r => r.IsOnLink && r.Destination.Contains(gateway))) return block;
        return block with { Routes = [.. block.Routes, new StaticRoute(Host(gateway), null)] };
    }

    /// <summary>The image's hosts file: kdump-capture, a static program, looks names up there only.</summary>
    public const string HostsPath = "/etc/hosts";

    /// <summary>
    /// The server's name with the address it has now (upstream pins it as <c>kdump_remote_ip</c>),
    /// so the capture kernel, which asks no DNS server, mounts the server the route was recorded
    /// for; null for an address, or a name that is no DNS name: labels of letters, digits, '-' and
    /// '_' (which hosts files carry), not starting with '-', a root dot allowed. The name is
    /// written as kdump.conf gives it, which is how the capture program looks it up.
    /// </summary>
    public static string? HostsLine(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length is 0 or > 253 || IpPrefix.TryParseAddress(name) is not null) return null;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return null;
        }
        return $"{IpPrefix.FormatAddress(address)}\t{host}\n";
    }

    /// <summary>The bonding driver (a module on Debian and Fedora).</summary>
    public const string BondingModule = "bonding";

    /// <summary>The 802.1Q VLAN driver (a module on Debian and Fedora).</summary>
    public const string VlanModule = "8021q";

    /// <summary>The bridge driver (a module on Debian and Fedora; it brings stp and llc).</summary>
    public const string BridgeModule = "bridge";

    /// <summary>kdump-capture leases a DHCP address on an AF_PACKET socket: CONFIG_PACKET, a module on some kernels.</summary>
    public const string PacketSocketModule = "af_packet";

    /// <summary>IPv6 (CONFIG_IPV6): built in on Debian and Fedora, a module on some kernels.</summary>
    public const string Ipv6Module = "ipv6";

    /// <summary>
    /// Records the network at <see cref="CaptureNetworkConfig.ImagePath"/> and returns the NIC's
    /// modules, the modules to add only when the kernel has them as modules (af_packet for a DHCP
    /// record; it is built in on Debian and Fedora), and the fence_kdump nodes that are not this
    /// machine. The record is the route to the dump server
    /// <paramref name="server"/> (null for a local target: to the first fence_kdump node), then a
    /// block for each other interface a fence_kdump node is reached through (upstream's
    /// <c>kdump_collect_netif_usage</c> for each node; <see cref="FenceInterface"/>); the nodes of
    /// one interface share its family. Each name is pinned in the image's hosts file. Without facts (a caller that knows no network) the image gets no record and a warning.
    /// An IPv6 record adds ipv6 when the kernel has it as a module.
    /// </summary>
    public static NetworkImage Install(ImagePlan plan, HostNetwork? facts, string? server,
        IReadOnlyList<string> fenceNodes, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(fenceNodes);
        ArgumentNullException.ThrowIfNull(warnings);
        var hosts = (server is null ? fenceNodes : [server, .. fenceNodes]).Distinct(StringComparer.Ordinal).ToList();
        if (hosts.Count == 0) return new([], [], []);
        if (facts is null)
        {
            warnings.Add($"the network toward {string.Join(", ", hosts)} is unknown: the capture kernel will not configure one");
            return new([], [], [.. fenceNodes.Distinct(StringComparer.Ordinal)]);
        }
        // Each name looked up once (a round-robin answer must not change between the checks below).
        var addresses = hosts.ToDictionary(h => h, h => ResolveUnmapped(facts, h), StringComparer.Ordinal);
        // Upstream's is_localhost: one kdump.conf may list every node of the cluster, this one too.
        hosts.RemoveAll(h => h != server && IsThisMachine(facts, addresses[h]));
        var others = fenceNodes.Distinct(StringComparer.Ordinal).Where(hosts.Contains).ToList();
        if (hosts.Count == 0) return new([], [], []);
        var host = hosts[0];
        var config = Resolve(facts, host, addresses[host], warnings);
        // The interfaces the capture kernel brings up: the dump's first, then those toward fence
        // nodes reached through another (upstream's kdump_collect_netif_usage for each node).
        var blocks = new List<CaptureNetworkConfig> { config };
        var pins = new StringBuilder();
        foreach (var name in hosts)
        {
            var address = config.Remote;
            if (name != host)
            {
                (address, var device, var via) = FenceNode(facts, name, addresses[name]);
                var index = blocks.FindIndex(b => b.Interface == device);
                if (index >= 0 && address.AddressFamily != blocks[index].Remote.AddressFamily)
                {
                    throw new InitramfsBuildException($"fence_kdump node {name} ({IpPrefix.FormatAddress(address)}) is not of the family of {IpPrefix.FormatAddress(blocks[index].Remote)}, also reached through {device}:"
                        + " the minimal backend configures an interface in one family");
                }
                if (index < 0)
                {
                    blocks.Add(FenceInterface(facts, name, address, host, blocks, warnings));
                    index = blocks.Count - 1;
                }
                // Behind another interface: a host route through the route the first kernel takes,
                // more specific than any route of the dump's interface.
                var own = new StaticRoute(Host(address), via);
                if (index > 0 && !blocks[index].Routes.Contains(own))
                {
                    if (blocks.Take(index).Any(b => b.Routes.Any(r => r.Destination == own.Destination)))
                        warnings.Add($"fence_kdump node {name}: {blocks[index].Interface} and an earlier interface both have a route to {own.Destination}; the capture kernel keeps the earlier one's");
                    else blocks[index] = WithGatewayReachable(blocks[index] with { Routes = [.. blocks[index].Routes, own] }, via);
                }
            }
            if (HostsLine(name, address) is { } line) pins.Append(line);
            else if (IpPrefix.TryParseAddress(name) is null)
                warnings.Add($"{name} is not a name a hosts file can carry: the capture kernel will not find it (give its address in kdump.conf)");
        }
        var record = CaptureNetworkConfig.FormatAll(blocks);
        // What kdump-capture will read: a record it refuses would only show after a crash.
        try
        {
            _ = CaptureNetworkConfig.ParseAll(record);
        }
        catch (KdumpConfigException e)
        {
            throw new InitramfsBuildException($"the network toward {string.Join(", ", hosts)} makes a record kdump-capture cannot read ({e.Message}): not supported by the minimal backend");
        }
        plan.AddFile(CaptureNetworkConfig.ImagePath, Encoding.UTF8.GetBytes(record));
        if (pins.Length > 0) plan.AddFile(HostsPath, Encoding.ASCII.GetBytes(pins.ToString()));
        // The drivers of every NIC, and those of the links made of them: bonding, 8021q, bridge.
        var links = blocks.SelectMany(b => b.Link.SelfAndBelow()).ToList();
        var modules = new List<string>();
        if (links.OfType<BondLink>().Any()) modules.Add(BondingModule);
        if (links.OfType<VlanLink>().Any()) modules.Add(VlanModule);
        if (links.OfType<BridgeLink>().Any()) modules.Add(BridgeModule);
        modules.AddRange(links.OfType<NicLink>().SelectMany(n => facts.DriverModules(n.Name)).Distinct(StringComparer.Ordinal));
        List<string> ifModules = [];
        if (blocks.Any(b => b.Method == AddressMethod.Dhcp)) ifModules.Add(PacketSocketModule);
        if (blocks.Any(b => b.IsIpv6)) ifModules.Add(Ipv6Module);
        return new(modules, ifModules, others);
    }
}

/// <summary>What <see cref="CaptureNetworkImage.Install"/> put in the image.</summary>
/// <param name="Modules">The NIC's drivers and those of the links made of it.</param>
/// <param name="IfModules">Modules to add only when the kernel has them as modules.</param>
/// <param name="FenceNodes">The fence_kdump nodes other than this machine, each once, in the given order.</param>
public sealed record NetworkImage(IReadOnlyList<string> Modules, IReadOnlyList<string> IfModules, IReadOnlyList<string> FenceNodes);
