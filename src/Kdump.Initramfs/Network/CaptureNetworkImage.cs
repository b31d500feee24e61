using System.Text;
using Kdump.Config.Conf;
using Kdump.Config.Network;
using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Network;

/// <summary>
/// mkdumprd's network part for ssh and nfs targets (upstream <c>kdump_install_net</c>): the route
/// the first kernel takes to the server (<c>ip route get</c>), its interface found again in the
/// capture kernel by MAC, the address copied when it is permanent (<c>kdump_static_ip</c>) or
/// leased again by DHCP when it is not, the default gateway and other gateway routes of that
/// interface, the nameservers, and the drivers of the NIC and its parent devices. A bond is
/// recorded with its mode, options and slaves (found by their permanent MACs), a bridge with its
/// ports, a VLAN with its id and its parent (a NIC or a bond), and each is made again.
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
        if (host.Contains(':', StringComparison.Ordinal))
            throw new InitramfsBuildException($"{host}: IPv6 dump targets are not supported by the minimal backend");
        var remote = facts.Resolve(host) ?? throw new InitramfsBuildException($"Bad kdump network destination: {host}");
        var routes = facts.Routes();
        var route = RouteLookup.Find(routes, remote) ?? throw new InitramfsBuildException($"Bad kdump network destination: {host}");
        var name = route.Interface;
        if (!CaptureNetworkConfig.IsInterfaceName(name)) throw new InitramfsBuildException($"/proc/net/route names an invalid interface '{name}'");
        if (name == "lo") throw new InitramfsBuildException($"{host} is this machine (route via lo): not a remote dump target");
        // A bond or bridge is made again from its NICs (upstream's bond=, bridge=), a VLAN on its NIC
        // or bond (vlan=); other software interfaces are not.
        BondConfig? bond = null;
        IReadOnlyList<SlaveInterface>? ports = null;
        IReadOnlyList<string> skipped = [];
        VlanConfig? vlan = null;
        if (!facts.IsHardware(name))
        {
            if (facts.Vlan(name) is var (id, parent))
            {
                if (!facts.IsHardware(parent) && (bond = facts.Bond(parent)) is null)
                {
                    // Upstream's kdump_setup_vlan refuses a bridge parent with this message.
                    if (facts.IsBridge(parent)) throw new InitramfsBuildException("Vlan over bridge is not supported!");
                    throw new InitramfsBuildException($"{parent} (the parent of {name}) is a software interface (team, vlan, …): not supported by the minimal backend");
                }
                vlan = new VlanConfig(id, parent, facts.MacAddress(parent) ?? throw new InitramfsBuildException($"/sys/class/net/{parent}/address is missing or not a MAC address"));
            }
            else if ((bond = facts.Bond(name)) is null && (ports = facts.BridgePorts(name, out skipped)) is null)
                throw new InitramfsBuildException($"{name} (toward {host}) is a software interface (team, …): not supported by the minimal backend");
        }
        if (skipped.Count > 0) warnings?.Add($"{name}: the capture kernel's bridge gets its NIC ports only, not {string.Join(", ", skipped)}");
        var mac = facts.MacAddress(name) ?? throw new InitramfsBuildException($"/sys/class/net/{name}/address is missing or not a MAC address");
        var index = facts.InterfaceIndex(name) ?? throw new InitramfsBuildException($"/sys/class/net/{name}/ifindex is missing or not a number");
        var source = RouteLookup.SourceAddress(facts.Addresses().Where(a => a.InterfaceIndex == index).ToList(), route, remote)
            ?? throw new InitramfsBuildException($"{name} (toward {host}) has no IPv4 address");

        if (!source.IsPermanent)
            return new CaptureNetworkConfig(remote, name, mac, AddressMethod.Dhcp, null, null, [], facts.Nameservers()) { Bond = bond, BridgePorts = ports, Vlan = vlan };
        var onDevice = routes.Where(r => r.Interface == name && r.Gateway is not null).ToList();
        var gateway = onDevice.FirstOrDefault(r => r.IsDefault)?.Gateway;
        var extra = onDevice.Where(r => !r.IsDefault).Select(r => new StaticRoute(r.Destination, r.Gateway!.Value)).ToList();
        return new CaptureNetworkConfig(remote, name, mac, AddressMethod.Static, source.Address, gateway, extra, facts.Nameservers()) { Bond = bond, BridgePorts = ports, Vlan = vlan };
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
    public static string? HostsLine(string host, uint address)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length is 0 or > 253 || Ipv4Network.TryParseAddress(name) is not null) return null;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return null;
        }
        return $"{Ipv4Network.Format(address)}\t{host}\n";
    }

    /// <summary>The bonding driver (a module on Debian and Fedora).</summary>
    public const string BondingModule = "bonding";

    /// <summary>The 802.1Q VLAN driver (a module on Debian and Fedora).</summary>
    public const string VlanModule = "8021q";

    /// <summary>The bridge driver (a module on Debian and Fedora; it brings stp and llc).</summary>
    public const string BridgeModule = "bridge";

    /// <summary>kdump-capture leases a DHCP address on an AF_PACKET socket: CONFIG_PACKET, a module on some kernels.</summary>
    public const string PacketSocketModule = "af_packet";

    /// <summary>
    /// Records the network at <see cref="CaptureNetworkConfig.ImagePath"/> and returns the NIC's
    /// modules, and those to add only when the kernel has them as modules (af_packet for a DHCP
    /// record; it is built in on Debian and Fedora). Without facts (a caller that knows no network)
    /// the image gets no record and a warning.
    /// </summary>
    public static (IReadOnlyList<string> Modules, IReadOnlyList<string> IfModules) Install(ImagePlan plan, HostNetwork? facts, string host, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(warnings);
        if (facts is null)
        {
            warnings.Add($"the network toward {host} is unknown: the capture kernel will not configure one");
            return ([], []);
        }
        var config = Resolve(facts, host, warnings);
        plan.AddFile(CaptureNetworkConfig.ImagePath, Encoding.UTF8.GetBytes(config.Format()));
        if (HostsLine(host, config.Remote) is { } line) plan.AddFile(HostsPath, Encoding.ASCII.GetBytes(line));
        else if (Ipv4Network.TryParseAddress(host) is null)
            warnings.Add($"{host} is not a name a hosts file can carry: the capture kernel will not find it (give its address in kdump.conf)");
        // A bond's or bridge's modules: bonding or bridge, and the drivers of its NICs; a VLAN's: 8021q and its parent's.
        IReadOnlyList<string> modules = (config.Bond?.Slaves ?? config.BridgePorts) is { } nics
            ? [config.Bond is null ? BridgeModule : BondingModule, .. nics.SelectMany(l => facts.DriverModules(l.Name)).Distinct(StringComparer.Ordinal)]
            : facts.DriverModules(config.Vlan?.Parent ?? config.Interface);
        if (config.Vlan is not null) modules = [VlanModule, .. modules];
        return (modules, config.Method == AddressMethod.Dhcp ? [PacketSocketModule] : []);
    }
}
