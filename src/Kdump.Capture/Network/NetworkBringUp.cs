using System.Globalization;
using System.Net;
using System.Text;
using Kdump.Capture.Network.Dhcp;
using Kdump.Capture.Network.Dhcp6;
using Kdump.Config;
using Kdump.Config.Network;

namespace Kdump.Capture.Network;

/// <summary>
/// Brings up the network mkdumprd recorded (<see cref="CaptureNetworkConfig"/>) before an ssh or
/// nfs dump: the NIC's modules are already loaded from modules.load; its interface is found by
/// MAC under /sys/class/net (waiting for the driver, like upstream's wait for the device), named
/// as in the first kernel, given the same address and routes (static), or set up and given an
/// address, a default route and nameservers leased by DHCP (<see cref="DhcpClient"/>: the first
/// kernel's address was not permanent, as upstream's <c>ip=dhcp</c>); nameservers go to /etc/resolv.conf.
/// An IPv6 record's address is set and waited for through DAD, or (<c>auto6</c>) made by the
/// kernel's own SLAAC from a router advertisement, as upstream's <c>ip=auto6</c>.
/// Once up, the interface is given time to report carrier, as upstream's NetworkManager waits for it.
/// </summary>
public static class NetworkBringUp
{
    /// <summary>Upstream's cloned NetworkManager profile waits this long for the device (connection.wait-device-timeout 60000).</summary>
    public static readonly TimeSpan DeviceWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Upstream's image waits this long for carrier (95-kdump-timeouts.conf: carrier-wait-timeout=30000):
    /// a physical NIC negotiates its link for seconds after it is set up, and what is sent before
    /// that (ARP for the gateway, DHCPDISCOVER) is lost.
    /// </summary>
    public static readonly TimeSpan CarrierWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an IPv6 address may stay tentative: DAD sends one probe after up to 1 s and waits
    /// 1 s (dad_transmits, retrans_time), so this is several times what it takes.
    /// </summary>
    public static readonly TimeSpan DadWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long <c>auto6</c> waits for a router advertisement's address: the kernel solicits one
    /// once the link-local address has passed DAD and again with a growing interval (4 s at first,
    /// rtr_solicit_interval), and routers also advertise unasked every few minutes at most.
    /// </summary>
    public static readonly TimeSpan AutoconfWait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// False (after logging why) when a recorded network cannot be brought up; true with
    /// <paramref name="config"/> null when the image records none. Every interface of the record
    /// is brought up, in order (the dump's first, then those toward fence_kdump nodes);
    /// <paramref name="config"/> is the first, and only its failure makes this false.
    /// <paramref name="firstTried"/> is called once the first has been tried (with whether it came
    /// up) and before the others, which may take long (a lease is given up after a minute and a half).
    /// </summary>
    public static bool TryBringUp(ICaptureSystem system, CapturePaths paths, Action<string> log, out CaptureNetworkConfig? config,
        Action<CaptureNetworkConfig, bool>? firstTried = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(log);
        config = null;
        var file = paths.Host(CaptureNetworkConfig.ImagePath);
        if (!File.Exists(file)) return true;
        IReadOnlyList<CaptureNetworkConfig> interfaces;
        try
        {
            interfaces = CaptureNetworkConfig.ParseAll(File.ReadAllText(file), CaptureNetworkConfig.ImagePath);
            config = interfaces[0];
        }
        catch (Exception e) when (e is KdumpConfigException or IOException)
        {
            log($"cannot read {CaptureNetworkConfig.ImagePath}: {e.Message}");
            return false;
        }
        if (system.NetworkControl is not { } net)
        {
            config = null;      // nothing was tried: no interface of the record is up
            log("this capture system cannot configure a network");
            return false;
        }
        // Every NIC named first: one block's NIC may hold a name another block's wants.
        // Links made so far by recorded name (null: could not be), so a link two blocks share is made once.
        var made = NameNics(net, paths, interfaces.Select(i => i.Link), log).ToDictionary(p => p.Key, string? (p) => p.Value, StringComparer.Ordinal);
        var up = BringUp(net, paths, made, config, log, first: true);
        firstTried?.Invoke(config, up);
        // The others lead to fence_kdump nodes only: the dump goes on without them.
        foreach (var other in interfaces.Skip(1))
        {
            if (!BringUp(net, paths, made, other, log, first: false))
                log($"{other.Interface} is not up: fence_kdump nodes reached through it (as {IpPrefix.FormatAddress(other.Remote)}) may not hear of this capture");
        }
        return up;
    }

    private static bool BringUp(INetworkControl net, CapturePaths paths, Dictionary<string, string?> made, CaptureNetworkConfig config, Action<string> log, bool first)
    {
        if (Make(net, paths, made, config.Link, log) is not { } name) return false;
        if (first && net.SetUp("lo") is { } loWhy) log($"cannot set lo up: {loWhy}");
        return config.Method switch
        {
            AddressMethod.Dhcp => Lease(net, paths, config, name, log, first),
            AddressMethod.Auto => Autoconfigure(net, paths, config, name, log, first),
            _ when config.IsIpv6 => Configure6(net, paths, config, name, log),
            _ => Configure4(net, paths, config, name, log),
        };
    }

    /// <summary>The recorded IPv4 address, default route and other routes.</summary>
    private static bool Configure4(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, string name, Action<string> log)
    {
        var error = net.SetAddress(name, config.Address!.Value) ?? net.SetUp(name) ?? AddRoutes(net, config, name);
        if (error is not null)
        {
            log($"cannot configure {name}: {error}");
            return false;
        }
        if (config.Nameservers.Count > 0) WriteResolvConf(paths, config.Nameservers);
        // The address the interface has (sysfs), so the log shows what the kernel made of the record.
        log($"{name} ({ReadMac(paths, name) ?? config.MacAddress}) is {config.Address}" + (config.Gateway is { } g ? $" via {g}" : ""));
        WaitForCarrier(net, paths, name, log);
        return true;
    }

    /// <summary>
    /// The recorded IPv6 address (set on the interface once it is up, router advertisements
    /// ignored as for a manual profile: no second, autoconfigured address to be picked as the
    /// source), then, once DAD has passed (routes through it are no use while it is tentative),
    /// the default route and other routes through the interface: their gateway is usually the
    /// router's link-local address.
    /// </summary>
    private static bool Configure6(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, string name, Action<string> log)
    {
        var address = config.Address!.Value;
        if (net.IgnoreRouterAdvertisements(name) is { } raWhy) log($"{name}: router advertisements not turned off: {raWhy}");
        if ((net.SetUp(name) ?? net.SetAddress(name, address)) is { } setWhy)
        {
            log($"cannot configure {name}: {setWhy}");
            return false;
        }
        WaitForCarrier(net, paths, name, log);
        if (!WaitForDad(net, paths, name, address.Address, log)) return false;
        if (AddRoutes(net, config, name) is { } error)
        {
            log($"cannot configure {name}: {error}");
            return false;
        }
        if (config.Nameservers.Count > 0) WriteResolvConf(paths, config.Nameservers);
        log($"{name} ({ReadMac(paths, name) ?? config.MacAddress}) is {address}" + (config.Gateway is { } g ? $" via {g}" : ""));
        return true;
    }

    /// <summary>
    /// <c>auto6</c>: the interface set up, and the kernel's SLAAC given <see cref="AutoconfWait"/> to
    /// make a global address from a router advertisement (which also brings the default route);
    /// false, logged, without one, as NetworkManager's <c>ipv6.may-fail no</c> fails the connection.
    /// An advertisement with the Managed flag means addresses come from DHCPv6: then the address is
    /// leased (<see cref="Lease6"/>), as NetworkManager's <c>ipv6.method auto</c> starts DHCPv6 on
    /// that flag; SLAAC may still make one meanwhile, and whichever comes first is taken. An
    /// interface toward fence_kdump nodes (not <paramref name="first"/>) takes no default route
    /// from the advertisements: the dump's traffic would follow it.
    /// </summary>
    private static bool Autoconfigure(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, string name, Action<string> log, bool first)
    {
        log($"{name} ({config.MacAddress}): the first kernel's IPv6 address was not permanent ({CaptureNetworkConfig.ImagePath}: {CaptureNetworkConfig.Keywords.Auto6}), waiting for a router advertisement");
        if (!first && net.IgnoreDefaultRouter(name) is { } defrtrWhy)
        {
            log($"cannot configure {name}: {defrtrWhy}");
            return false;
        }
        if (net.SetUp(name) is { } upWhy)
        {
            log($"cannot configure {name}: {upWhy}");
            return false;
        }
        WaitForCarrier(net, paths, name, log);
        var waited = TimeSpan.Zero;
        var routerRead = true;
        while (true)
        {
            if (SlaacAddress(paths, name) is { } made) return FinishAutoconfigured(net, paths, config, name, $"autoconfigured {made.Address} after {waited.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s", log);
            if (routerRead)
            {
                if (net.ReadRouterAdvertisement(name, out var ra) is { } raWhy)
                {
                    // Without the flags only SLAAC can give the address; said once.
                    routerRead = false;
                    log($"{name}: cannot tell whether its router asks for DHCPv6: {raWhy}");
                }
                // The advertisement may come while the link-local address is still tentative (the
                // router advertises unasked), and DHCPv6 is sent from that address.
                else if (ra.Managed && LinkLocalReady(paths, name))
                {
                    log($"{name}: the router advertisement says addresses are managed (M flag), asking DHCPv6");
                    if (Lease6(net, paths, config, name, log)) return true;
                    // SLAAC's address may have come first (DHCPv6 then stops) or while DHCPv6 was refused.
                    return SlaacAddress(paths, name) is { } late
                        && FinishAutoconfigured(net, paths, config, name, $"autoconfigured {late.Address}", log);
                }
            }
            if (waited >= AutoconfWait)
            {
                log($"no IPv6 address from a router advertisement on {name} after {AutoconfWait.TotalSeconds:0}s");
                return false;
            }
            net.Delay(s_poll);
            waited += s_poll;
        }
    }

    /// <summary>Whether <paramref name="name"/>'s link-local address has passed DAD; a table that cannot be read is not waited on.</summary>
    private static bool LinkLocalReady(CapturePaths paths, string name) =>
        ReadIpv6Addresses(paths) is not { } table || table.Any(a => a.Interface == name && a.IsUsableLinkLocal);

    /// <summary>A stable global address SLAAC made on <paramref name="name"/> (past DAD; a privacy address changes, so it is not one).</summary>
    private static Ipv6InterfaceAddress? SlaacAddress(CapturePaths paths, string name) =>
        ReadIpv6Addresses(paths)?.FirstOrDefault(a => a.Interface == name && a.IsUsableGlobal && !a.IsTemporary);

    /// <summary>The first kernel's own routes on top of the advertised default route, its nameservers, and the log line.</summary>
    private static bool FinishAutoconfigured(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, string name, string how, Action<string> log)
    {
        if (AddRoutes(net, config, name) is { } error)
        {
            log($"cannot configure {name}: {error}");
            return false;
        }
        if (config.Nameservers.Count > 0) WriteResolvConf(paths, config.Nameservers);
        log($"{name} ({ReadMac(paths, name) ?? config.MacAddress}) {how}");
        return true;
    }

    /// <summary>
    /// Leases an address by DHCPv6 (<see cref="Dhcp6Client"/>) and sets it as a /128, as
    /// NetworkManager does: which addresses are on the link is the advertisement's prefix
    /// information to tell (the kernel adds those routes), and the default route is the router's.
    /// The first kernel's own routes come on top once the address has passed DAD.
    /// </summary>
    private static bool Lease6(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, string name, Action<string> log)
    {
        var openWhy = net.OpenDhcp6(name, out var transport);
        if (openWhy is not null || transport is null)
        {
            log($"cannot configure {name}: {openWhy ?? "no DHCPv6 transport"}");
            return false;
        }
        Dhcp6Lease? lease;
        using (transport)
        {
            var client = new Dhcp6Client(transport, name, CaptureNetworkConfig.MacBytes(config.MacAddress), log, giveUp: () => SlaacAddress(paths, name) is not null);
            if (!client.TryLease(out lease, out var failure))
            {
                if (!client.GaveUp) log(failure);
                return false;
            }
        }
        if (net.SetAddress(name, new IpPrefix(lease.Address, 128)) is { } setWhy)
        {
            log($"cannot configure {name}: {setWhy}");
            return false;
        }
        if (!WaitForDad(net, paths, name, lease.Address, log)) return false;
        return FinishAutoconfigured(net, paths, config, name,
            $"leased {lease.Address} by DHCPv6 from server {Dhcp6Client.Hex(lease.ServerDuid)}" + (lease.Server is { } at ? $" at {at}" : "")
            + $" for {lease.ValidLifetime}s", log);
    }

    /// <summary>
    /// The recorded routes through <paramref name="name"/>; the first refusal. Those on the link
    /// come first, since a gateway may be reached only through one of them (a point-to-point
    /// peer, <c>172.31.1.1 dev eth0</c> then <c>default via 172.31.1.1</c>); then the default
    /// route (static only), then the other gateway routes.
    /// </summary>
    private static string? AddRoutes(INetworkControl net, CaptureNetworkConfig config, string name)
    {
        string? error = null;
        foreach (var r in config.Routes.Where(r => r.IsOnLink))
            error ??= net.AddRoute(r.Destination, null, name);
        if (config.Gateway is { } gw) error ??= net.AddRoute(new IpPrefix(config.IsIpv6 ? IPAddress.IPv6Any : IPAddress.Any, 0), gw, name);
        foreach (var r in config.Routes.Where(r => !r.IsOnLink))
            error ??= net.AddRoute(r.Destination, r.Gateway, name);
        return error;
    }

    /// <summary>
    /// Waits up to <see cref="DadWait"/> while <paramref name="address"/> on <paramref name="name"/>
    /// is tentative (<c>/proc/net/if_inet6</c>); false, logged, when DAD failed (another host has
    /// it) or the address went away. A table that cannot be read is not waited on.
    /// </summary>
    private static bool WaitForDad(INetworkControl net, CapturePaths paths, string name, IPAddress address, Action<string> log)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            if (ReadIpv6Addresses(paths) is not { } table) return true;
            var entry = table.FirstOrDefault(a => a.Interface == name && a.Address.Address.Equals(address));
            if (entry is null)
            {
                log($"cannot configure {name}: {address} is not on it (/proc/net/if_inet6)");
                return false;
            }
            if (entry.HasFailedDad)
            {
                log($"cannot configure {name}: another host answers for {address} (duplicate address detection failed)");
                return false;
            }
            if (!entry.IsTentative)
            {
                if (waited > TimeSpan.Zero) log($"{address} on {name} passed duplicate address detection after {waited.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s");
                return true;
            }
            if (waited >= DadWait)
            {
                log($"{address} on {name} is still tentative after {DadWait.TotalSeconds:0}s; trying anyway");
                return true;
            }
            net.Delay(s_poll);
            waited += s_poll;
        }
    }

    /// <summary>The capture kernel's IPv6 addresses; null when the table cannot be read or parsed (no IPv6).</summary>
    private static IReadOnlyList<Ipv6InterfaceAddress>? ReadIpv6Addresses(CapturePaths paths)
    {
        try
        {
            return ProcNetIpv6.ParseAddresses(File.ReadAllText(paths.Host(ProcNetIpv6.AddressPath)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KdumpConfigException)
        {
            return null;
        }
    }

    /// <summary>
    /// The interface of <paramref name="link"/>, made again from the links below it (its NICs
    /// already found and named by <see cref="NameNics"/>); null, logged, when it cannot be. A link
    /// an earlier block made (the dump's NIC or bond below a heartbeat VLAN) is not made again:
    /// <paramref name="made"/> holds each link's current name, or null when it could not be made.
    /// </summary>
    private static string? Make(INetworkControl net, CapturePaths paths, Dictionary<string, string?> made, NetworkLink link, Action<string> log)
    {
        if (made.TryGetValue(link.Name, out var name) || link is NicLink) return name;
        name = link switch
        {
            BondLink bond => MakeBond(net, paths, made, bond, log),
            VlanLink vlan => Make(net, paths, made, vlan.Parent, log) is { } parent ? MakeVlan(net, paths, parent, vlan, log) : null,
            BridgeLink bridge => MakeBridge(net, paths, made, bridge, log),
            _ => null,
        };
        made[link.Name] = name;
        return name;
    }

    /// <summary>
    /// Finds every NIC of the record by MAC (missing ones share one <see cref="DeviceWait"/>) and
    /// names each as in the first kernel (upstream's <c>ifname=NAME:MAC</c>); returns the name
    /// each recorded NIC has now. NICs whose names the capture kernel gave the other way round
    /// (eth0 and eth1 swapped: a bond's <c>primary</c> would name the wrong one) go through a
    /// spare name (<c>kdumpN</c>). A NIC whose own name is refused (held by an interface outside
    /// the record) keeps the kernel's, logged, unless that is another recorded NIC's name: then
    /// it moves to a spare one, so that a recorded name never names the wrong NIC. A NIC not
    /// found is logged and left out.
    /// </summary>
    private static Dictionary<string, string> NameNics(INetworkControl net, CapturePaths paths, IEnumerable<NetworkLink> tops, Action<string> log)
    {
        var budget = new DeviceWaitBudget();
        var now = new Dictionary<string, string>(StringComparer.Ordinal);    // recorded name → current name
        foreach (var nic in tops.SelectMany(t => t.SelfAndBelow()).OfType<NicLink>().DistinctBy(n => n.Name))
        {
            if (FindByMac(net, paths, nic.MacAddress, budget, log) is { } found) now[nic.Name] = found;
            else log($"no network interface with MAC {nic.MacAddress} after {DeviceWait.TotalSeconds:0}s");
        }
        var pending = now.Where(p => p.Key != p.Value).Select(p => p.Key).ToList();
        var spare = 0;
        // Moves the NIC now called wanted's current name aside; false, logged, when no spare name is taken.
        bool MoveAside(string wanted, string reason)
        {
            var from = now[wanted];
            string? why = null;
            for (var tries = 0; tries < MaxSpareNames; tries++)
            {
                var aside = $"kdump{spare++}";
                if ((why = net.Rename(from, aside)) is null)
                {
                    log($"{from} ({wanted} in the first kernel) moved aside to {aside}: {reason}");
                    now[wanted] = aside;
                    return true;
                }
            }
            log($"cannot move {from} aside: {why}");
            return false;
        }
        while (pending.Count > 0)
        {
            // A NIC whose wanted name no other pending NIC holds is renamed at once.
            var free = pending.FirstOrDefault(w => !pending.Any(o => o != w && now[o] == w));
            if (free is not null)
            {
                pending.Remove(free);
                if (net.Rename(now[free], free) is not { } why)
                {
                    now[free] = free;
                    continue;
                }
                log($"cannot rename {now[free]} to {free}: {why}");
                // Keeping a name another NIC of the record wants would make that one fail too.
                if (now.ContainsKey(now[free])) MoveAside(free, $"{now[free]} is another NIC's name in the first kernel");
                continue;
            }
            // Every pending name is held by another pending NIC: a cycle (eth0 ↔ eth1). Move one aside.
            var first = pending[0];
            if (!MoveAside(first, "the names are swapped")) pending.Remove(first);
        }
        return now;
    }

    /// <summary>Spare names tried in turn when one is taken.</summary>
    private const int MaxSpareNames = 4;

    /// <summary>
    /// The bond made again as the first kernel had it (upstream's <c>bond=NAME:SLAVES:OPTIONS</c>):
    /// its slaves (found by their permanent MACs and named by <see cref="NameNics"/>), the bond made, its mode and then its
    /// options set, the slaves added in order. A rejected option is logged and passed over; the
    /// bond is given up (null) without its mode or without any slave.
    /// </summary>
    private static string? MakeBond(INetworkControl net, CapturePaths paths, Dictionary<string, string?> nics, BondLink bond, Action<string> log)
    {
        var (name, mac) = (bond.Name, bond.MacAddress);
        var slaves = bond.Slaves.Select(slave => nics.GetValueOrDefault(slave.Name)).OfType<string>().ToList();
        var error = slaves.Count == 0 ? "none of its slaves is here" : net.AddBond(name) ?? net.SetBondOption(name, "mode", bond.Mode);
        if (error is not null)
        {
            log($"cannot make bond {name} ({bond.Mode}): {error}");
            return null;
        }
        foreach (var o in bond.Options)
        {
            if (net.SetBondOption(name, o.Name, o.Value) is { } why) log($"bond {name}: {o.Name} {o.Value} not set: {why}");
        }
        // The first slave lends the bond its address, unless the first kernel's bond had another
        // (set by udev or NetworkManager): DHCP's chaddr must be the frames' source address. With
        // fail_over_mac the address follows the active slave, as it did there.
        var followsSlave = bond.Options.Any(o => o.Name == "fail_over_mac");
        if (mac != bond.Slaves[0].MacAddress && !followsSlave) SetAddressOf(net, name, mac, log);
        // The driver refuses a slave that is up.
        if (!AddMembers($"bond {name}", $"bond {name} ({bond.Mode})", "slave", slaves, slave => net.SetDown(slave) ?? net.Enslave(name, slave), log)) return null;
        // Without the first slave the bond took another's address: the recorded one again.
        if (!followsSlave) KeepAddress(net, paths, name, mac, log);
        return name;
    }

    /// <summary>Sets <paramref name="mac"/> when sysfs shows <paramref name="name"/> with another address (a member missing or refused).</summary>
    private static void KeepAddress(INetworkControl net, CapturePaths paths, string name, string mac, Action<string> log)
    {
        if (ReadMac(paths, name) is { } now && now != mac) SetAddressOf(net, name, mac, log);
    }

    /// <summary>
    /// Adds each of <paramref name="members"/> (a refusal is logged and the member left out) and
    /// logs what the bond or bridge is made of; false, logged, when none could be added.
    /// </summary>
    private static bool AddMembers(string what, string described, string memberWord, IReadOnlyList<string> members, Func<string, string?> add, Action<string> log)
    {
        var added = new List<string>();
        foreach (var member in members)
        {
            if (add(member) is { } why) log($"{what}: {member} not added: {why}");
            else added.Add(member);
        }
        if (added.Count == 0)
        {
            log($"cannot make {described}: no {memberWord} could be added");
            return false;
        }
        log($"{described} of {string.Join(", ", added)}");
        return true;
    }

    /// <summary>
    /// The bridge made again (upstream's <c>bridge=NAME:PORTS</c>): its ports made (NICs as
    /// <see cref="NameNics"/> named them, bonds and VLANs made again), the bridge made, each port added and set up (a
    /// port forwards only when up; without STP, the kernel's default, at once). A port that is
    /// missing or refused is logged and left out; the bridge is given up (null) when it cannot be
    /// made or has no port.
    /// </summary>
    private static string? MakeBridge(INetworkControl net, CapturePaths paths, Dictionary<string, string?> made, BridgeLink bridge, Action<string> log)
    {
        var (name, mac, ports) = (bridge.Name, bridge.MacAddress, bridge.Ports);
        var found = new List<string>();
        foreach (var port in ports)
        {
            if (Make(net, paths, made, port, log) is { } now) found.Add(now);
        }
        if ((found.Count == 0 ? "none of its ports is here" : net.AddBridge(name)) is { } error)
        {
            log($"cannot make bridge {name}: {error}");
            return null;
        }
        // A bridge takes its ports' lowest address unless the first kernel's had another.
        if (mac != ports.Select(p => p.MacAddress).Min(StringComparer.Ordinal)) SetAddressOf(net, name, mac, log);
        if (!AddMembers($"bridge {name}", $"bridge {name}", "port", found, port => net.AddBridgePort(name, port) ?? net.SetUp(port), log)) return null;
        // Without its lowest port the bridge took another's address: the recorded one again.
        KeepAddress(net, paths, name, mac, log);
        return name;
    }

    /// <summary>
    /// The VLAN made again on <paramref name="parent"/> (upstream's <c>vlan=NAME:PARENT</c>): the
    /// parent set up (tagged frames leave through it), the VLAN added, named as in the first kernel
    /// (a clash leaves the kernel's name, as for a NIC) and given its address when that is not the
    /// one it took from its parent; null, logged, when the kernel refuses it.
    /// </summary>
    private static string? MakeVlan(INetworkControl net, CapturePaths paths, string parent, VlanLink vlan, Action<string> log)
    {
        var mac = vlan.MacAddress;
        var made = "";
        if ((net.SetUp(parent) ?? net.AddVlan(parent, vlan.Id, out made)) is { } error)
        {
            log($"cannot make vlan {vlan.Name} (id {vlan.Id}) on {parent}: {error}");
            return null;
        }
        var name = made;
        if (made != vlan.Name)
        {
            if (net.Rename(made, vlan.Name) is { } why) log($"cannot rename {made} to {vlan.Name}: {why}");
            else name = vlan.Name;
        }
        // A VLAN takes its parent's address as it is now (a bond's may not be the recorded one:
        // a refused SIOCSIFHWADDR, fail_over_mac); DHCP's chaddr must be the frames' source.
        if (mac != (ReadMac(paths, parent) ?? vlan.Parent.MacAddress)) SetAddressOf(net, name, mac, log);
        log($"vlan {name} (id {vlan.Id}) on {parent}");
        return name;
    }

    /// <summary>The address sysfs shows for <paramref name="name"/>; null when it cannot be read.</summary>
    private static string? ReadMac(CapturePaths paths, string name) =>
        ReadNetFact(paths, name, "address") is { } text ? CaptureNetworkConfig.NormalizeMac(text) : null;

    /// <summary>/sys/class/net/NAME/FILE, trimmed; null when it cannot be read (no such file, EINVAL while the interface is down).</summary>
    private static string? ReadNetFact(CapturePaths paths, string name, string file)
    {
        try
        {
            return File.ReadAllText(paths.Host($"/sys/class/net/{name}/{file}")).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gives a bond, bridge or VLAN the first kernel's address; a refusal is logged, the kernel's choice stays.</summary>
    private static void SetAddressOf(INetworkControl net, string name, string mac, Action<string> log)
    {
        if (net.SetHardwareAddress(name, mac) is { } why) log($"{name}: address {mac} not set: {why}");
    }

    /// <summary>
    /// Sets <paramref name="name"/> up, leases an address for it, then sets the address, the
    /// default route, the recorded routes and the nameservers; for an interface after the
    /// <paramref name="first"/> (toward fence_kdump nodes), the address and recorded routes only.
    /// </summary>
    private static bool Lease(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, string name, Action<string> log, bool first)
    {
        // mkdumprd's record, in the log: why this capture kernel asks DHCP rather than reusing an address.
        log($"{name} ({config.MacAddress}): the first kernel's address was leased ({CaptureNetworkConfig.ImagePath}: {CaptureNetworkConfig.Keywords.Dhcp}), asking DHCP");
        if (net.SetUp(name) is { } upWhy)
        {
            log($"cannot configure {name}: {upWhy}");
            return false;
        }
        WaitForCarrier(net, paths, name, log);
        var openWhy = net.OpenDhcp(name, out var transport);
        if (openWhy is not null || transport is null)
        {
            log($"cannot configure {name}: {openWhy ?? "no DHCP transport"}");
            return false;
        }
        DhcpLease? lease;
        string? failure;
        using (transport)
        {
            uint? wanted = config.Address is { IsIpv6: false } had ? Ipv4Network.FromIPAddress(had.Address) : null;
            if (!new DhcpClient(transport, name, CaptureNetworkConfig.MacBytes(config.MacAddress), log, wanted: wanted).TryLease(out lease, out failure))
            {
                log(failure);
                return false;
            }
        }
        // An interface toward fence_kdump nodes takes the address only: the default route and the
        // nameservers stay the dump interface's; its recorded routes lead to the nodes.
        var router = first ? lease.Router : null;
        var error = net.SetAddress(name, IpPrefix.From(lease.Address));
        if (error is null && router is { } via) error = net.AddRoute(new IpPrefix(IPAddress.Any, 0), Ipv4Network.ToIPAddress(via), name);
        if (error is null) error = AddRoutes(net, config, name);
        if (error is not null)
        {
            log($"cannot configure {name}: {error}");
            return false;
        }
        // The server's nameservers are those of this network now; the first kernel's are the fallback.
        var nameservers = lease.Nameservers.Count > 0 ? lease.Nameservers.Select(Ipv4Network.ToIPAddress).ToList() : config.Nameservers;
        if (first && nameservers.Count > 0) WriteResolvConf(paths, nameservers);
        log($"{name} ({ReadMac(paths, name) ?? config.MacAddress}) leased {lease.Address} from {Ipv4Network.Format(lease.Server)}"
            + (router is { } r ? $" via {Ipv4Network.Format(r)}" : "")
            + (lease.LeaseSeconds is { } s ? $" for {s}s" : ""));
        // Another address than the first kernel's: fence_kdump agents know the node by that one.
        if (config.Address is { } before && !before.Address.Equals(lease.Address.IPAddress))
            log($"{name}: the first kernel had {before}; servers and fence_kdump nodes that know this machine by it may not recognise {lease.Address}");
        return true;
    }

    /// <summary>
    /// The time left of one <see cref="DeviceWait"/> shared by every NIC of the record (the slaves
    /// and ports under it): NetworkManager waits for its devices side by side, so missing NICs cost
    /// one wait, not one each.
    /// </summary>
    private sealed class DeviceWaitBudget
    {
        public TimeSpan Waited { get; set; }
    }

    /// <summary>
    /// The interface under /sys/class/net whose <c>address</c> is <paramref name="mac"/>, waiting
    /// while <paramref name="budget"/> has time left.
    /// </summary>
    private static string? FindByMac(INetworkControl net, CapturePaths paths, string mac, DeviceWaitBudget budget, Action<string> log)
    {
        var dir = paths.Host("/sys/class/net");
        var waitedHere = false;
        while (true)
        {
            if (Directory.Exists(dir))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
                {
                    var address = Path.Combine(entry, "address");
                    if (File.Exists(address) && CaptureNetworkConfig.NormalizeMac(File.ReadAllText(address)) == mac) return Path.GetFileName(entry);
                }
            }
            if (budget.Waited >= DeviceWait) return null;
            // Every 10 s of waiting for this NIC (the budget may already have run for another one).
            if (budget.Waited.Ticks % TimeSpan.FromSeconds(10).Ticks == 0 && waitedHere)
                log($"Waiting for the network interface {mac} ({budget.Waited.TotalSeconds:0}s / {DeviceWait.TotalSeconds:0}s)");
            net.Delay(s_poll);
            budget.Waited += s_poll;
            waitedHere = true;
        }
    }

    /// <summary>
    /// Waits up to <see cref="CarrierWait"/> for <paramref name="name"/> (up) to report carrier; then
    /// goes on either way, logged: a driver may not report it, and a link that comes late is still
    /// worth a try. An interface whose carrier cannot be read is not waited for.
    /// </summary>
    private static void WaitForCarrier(INetworkControl net, CapturePaths paths, string name, Action<string> log)
    {
        var waited = TimeSpan.Zero;
        bool? carrier;
        while ((carrier = HasCarrier(paths, name)) == false)
        {
            if (waited == TimeSpan.Zero) log($"Waiting for carrier on {name} (up to {CarrierWait.TotalSeconds:0}s)");
            if (waited >= CarrierWait)
            {
                log($"{name} has no carrier after {CarrierWait.TotalSeconds:0}s; trying anyway");
                return;
            }
            net.Delay(s_poll);
            waited += s_poll;
        }
        var seconds = waited.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        if (waited > TimeSpan.Zero) log(carrier == true ? $"{name} has carrier after {seconds}s" : $"{name}: carrier unreadable after {seconds}s; trying anyway");
    }

    /// <summary>sysfs <c>carrier</c>: "1" or "0"; null when it cannot be read or says anything else.</summary>
    private static bool? HasCarrier(CapturePaths paths, string name) =>
        ReadNetFact(paths, name, "carrier") switch { "1" => true, "0" => false, _ => null };

    private static void WriteResolvConf(CapturePaths paths, IReadOnlyList<IPAddress> nameservers)
    {
        var sb = new StringBuilder();
        foreach (var n in nameservers) sb.Append("nameserver ").Append(IpPrefix.FormatAddress(n)).Append('\n');
        var path = paths.Host("/etc/resolv.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sb.ToString());
    }
}
