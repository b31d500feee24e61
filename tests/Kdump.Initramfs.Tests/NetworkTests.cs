using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Kdump.Config;
using Kdump.Config.IO;
using Kdump.Config.Network;
using Kdump.Initramfs.Network;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// mkdumprd's network part: /proc/net/route and rtnetlink parsing, the route and source-address
/// choice of <c>ip route get</c>, the recorded file, and the image of an nfs target on a prepared
/// root whose sysfs describes a virtio NIC; plus this machine's own answer against <c>ip</c>.
/// </summary>
public sealed partial class NetworkTests
{
    private static uint Ip(string s) => Ipv4Network.TryParseAddress(s) ?? throw new ArgumentException(s);

    private static System.Net.IPAddress IpA(string s) => IpPrefix.TryParseAddress(s) ?? throw new ArgumentException(s);

    private static IpPrefix Net(string s) => IpPrefix.TryParse(s) ?? throw new ArgumentException(s);

    /// <summary>A /proc/net/route line as fib_route_seq_show prints it (addresses as the host reads network-order words).</summary>
    private static string RouteLine(string iface, string dst, string gw, int flags, int metric, string mask, bool littleEndian)
    {
        string W(string ip) => (littleEndian ? BinaryPrimitives.ReverseEndianness(Ip(ip)) : Ip(ip)).ToString("X8", CultureInfo.InvariantCulture);
        return $"{iface}\t{W(dst)}\t{W(gw)}\t{flags:X4}\t0\t0\t{metric}\t{W(mask)}\t0\t0\t0                                                                               \n";
    }

    private const string Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    private static string RouteTable(bool le) => Header
        + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 100, "0.0.0.0", le)
        + RouteLine("eth1", "0.0.0.0", "192.168.1.1", 0x3, 50, "0.0.0.0", le)
        + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", le)
        + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", le)
        + RouteLine("eth0", "172.16.0.0", "10.0.2.1", 0x3, 0, "255.240.0.0", le)
        + RouteLine("eth1", "172.16.5.0", "0.0.0.0", 0x201, 0, "255.255.255.0", le)   // RTF_REJECT: picked, then refused
        + RouteLine("eth1", "172.16.6.0", "0.0.0.0", 0x0, 0, "255.255.255.0", le);    // not RTF_UP

    [Theory]
    [InlineData(true, "10.0.2.100", "10.0.2.0/24 dev eth0 metric 0")]
    [InlineData(false, "10.0.2.100", "10.0.2.0/24 dev eth0 metric 0")]
    [InlineData(true, "8.8.8.8", "0.0.0.0/0 via 192.168.1.1 dev eth1 metric 50")]        // lower metric wins
    [InlineData(true, "172.16.9.9", "172.16.0.0/12 via 10.0.2.1 dev eth0 metric 0")]     // longest prefix
    [InlineData(true, "172.16.5.1", null)]                                               // the kernel's pick is the reject route: no way out
    [InlineData(true, "172.16.6.1", "172.16.0.0/12 via 10.0.2.1 dev eth0 metric 0")]     // a route that is not up is passed over
    [InlineData(true, "192.168.1.7", "192.168.1.0/24 dev eth1 metric 0")]
    public void Route_lookup_takes_longest_prefix_then_lowest_metric(bool littleEndian, string destination, string? expected)
    {
        var routes = ProcNetRoute.Parse(RouteTable(littleEndian), littleEndian);
        Assert.Equal(6, routes.Count);
        Assert.Equal("reject 172.16.5.0/24 dev eth1 metric 0", routes[^1].ToString());
        Assert.Equal(expected, RouteLookup.Find(routes, Ip(destination))?.ToString());
    }

    [Fact]
    public void No_route_at_all_is_null()
    {
        var routes = ProcNetRoute.Parse(Header + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 1, 0, "255.255.255.0", true), true);
        Assert.Null(RouteLookup.Find(routes, Ip("10.0.3.1")));
    }

    [Theory]
    [InlineData("eth0\t0002000A\n", "/proc/net/route:2: 2 fields, expected 11")]
    [InlineData("eth0\t0002000A\t00000000\t00G1\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", "/proc/net/route:2: Flags '00G1' is not a 32-bit hex number")]
    [InlineData("eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0\n", "/proc/net/route:2: Mask 00FF00FF is not a contiguous netmask")]
    [InlineData("eth0\t0002000A\t00000000\t0001\t0\t0\t-1\t00FFFFFF\t0\t0\t0\n", "/proc/net/route:2: Metric '-1' is not a number")]
    [InlineData("eth0\t1002000A0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n", "/proc/net/route:2: Destination '1002000A0' is not a 32-bit hex number")]
    public void Malformed_route_lines_are_named(string line, string message)
    {
        var e = Assert.Throws<KdumpConfigException>(() => ProcNetRoute.Parse(Header + line, true));
        Assert.Equal(message, e.Message);
    }

    private static InterfaceAddress Addr(int index, string cidr, uint flags = 0x80, byte scope = 0) =>
        new(index, Ipv4Network.TryParse(cidr)!.Value, flags, scope);

    [Theory]
    [InlineData("10.0.2.100", null, "10.0.2.15/24")]               // on-link: the address whose subnet holds it
    [InlineData("8.8.8.8", "192.168.7.1", "192.168.7.20/24")]      // via a gateway: the subnet of the gateway
    [InlineData("8.8.8.8", "172.31.0.1", "10.0.2.15/24")]          // no subnet holds the next hop: the first primary
    public void Source_address_is_the_kernels_inet_select_addr(string destination, string? gateway, string expected)
    {
        var addresses = new[]
        {
            Addr(2, "127.0.0.2/8", scope: 254),                       // host scope: never a source
            Addr(2, "10.0.2.15/24"),
            Addr(2, "10.0.2.16/24", flags: 0x81),                     // secondary
            Addr(2, "192.168.7.20/24"),
        };
        var route = new Ipv4Route("eth0", new Ipv4Network(0, 0), gateway is null ? null : Ip(gateway), 0);
        Assert.Equal(expected, RouteLookup.SourceAddress(addresses, route, Ip(destination))?.Address.ToString());
    }

    [Fact]
    public void Record_round_trips_and_reads_its_own_format()
    {
        var config = new CaptureNetworkConfig(IpA("10.0.2.100"), "eth0", "52:54:00:12:34:56", AddressMethod.Static,
            Net("10.0.2.15/24"), IpA("10.0.2.2"),
            [new StaticRoute(Net("172.16.0.0/12"), IpA("10.0.2.1"))], [IpA("10.0.2.3")]);
        var text = config.Format();
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\n", text);
        var back = CaptureNetworkConfig.Parse(text);
        Assert.Equal(text, back.Format());
        Assert.Equal(config.Address, back.Address);
        var dhcp = CaptureNetworkConfig.Parse("remote 10.0.2.100\ninterface enp1s0 52:54:00:AB:CD:EF\ndhcp\n");
        Assert.Equal(AddressMethod.Dhcp, dhcp.Method);
        Assert.Equal("52:54:00:ab:cd:ef", dhcp.MacAddress);
        Assert.IsType<NicLink>(dhcp.Link);

        var bondLink = new BondLink("bond0", "52:54:00:12:34:56", "802.3ad", [new BondOption("miimon", "100"), new BondOption("lacp_rate", "fast")],
            [new NicLink("eth0", "52:54:00:12:34:56"), new NicLink("eth1", "52:54:00:12:34:57")]);
        var bond = config with { Interface = "bond0", Link = bondLink };
        text = bond.Format();
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\n"
            + "bond bond0 52:54:00:12:34:56 802.3ad\nbond-option bond0 miimon 100\nbond-option bond0 lacp_rate fast\n"
            + "slave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\n", text);
        Assert.Equal(text, CaptureNetworkConfig.Parse(text).Format());

        var bridge = config with { Interface = "br0", Link = new BridgeLink("br0", "52:54:00:12:34:56", [new NicLink("eth0", "52:54:00:12:34:56")]) };
        text = bridge.Format();
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface br0 52:54:00:12:34:56\n"
            + "bridge br0 52:54:00:12:34:56\nport br0 eth0\nnic eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\n", text);
        Assert.Equal(text, CaptureNetworkConfig.Parse(text).Format());

        // A hypervisor's stack: a bridge on a VLAN of a bond, declared parents first and read back whole.
        var stack = config with
        {
            Interface = "br0",
            Link = new BridgeLink("br0", "52:54:00:12:34:56", [new VlanLink("bond0.7", "52:54:00:12:34:56", 7, bondLink), new NicLink("eth2", "52:54:00:12:34:58")]),
        };
        text = stack.Format();
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface br0 52:54:00:12:34:56\n"
            + "bridge br0 52:54:00:12:34:56\nport br0 bond0.7\nport br0 eth2\nvlan bond0.7 52:54:00:12:34:56 7 bond0\n"
            + "bond bond0 52:54:00:12:34:56 802.3ad\nbond-option bond0 miimon 100\nbond-option bond0 lacp_rate fast\n"
            + "slave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\nnic eth2 52:54:00:12:34:58\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\n", text);
        var back2 = CaptureNetworkConfig.Parse(text);
        Assert.Equal(text, back2.Format());
        Assert.Equal(["br0", "bond0.7", "bond0", "eth0", "eth1", "eth2"], back2.Link.SelfAndBelow().Select(l => l.Name));
        // Declarations in any order read the same; only lines of one keyword keep their order (ports, slaves, options).
        var shuffled = string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderByDescending(l => l.Split(' ')[0], StringComparer.Ordinal)) + "\n";
        Assert.Equal(text, CaptureNetworkConfig.Parse(shuffled).Format());
        // The link and the interface line must agree.
        Assert.Throws<ArgumentException>(() => config with { Link = bondLink });
    }

    [Theory]
    [InlineData("interface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\n", "/etc/kdump/network.conf: no 'remote' line")]
    [InlineData("remote 10.0.2.100\nstatic 10.0.2.15/24\n", "/etc/kdump/network.conf: no 'interface' line")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\n", "/etc/kdump/network.conf: no 'static', 'dhcp' or 'auto6' line")]
    [InlineData("remote fd00::1\ninterface eth0 52:54:00:12:34:56\ndhcp\n", "/etc/kdump/network.conf: 'dhcp' leases IPv4 addresses, but 'remote' is IPv6 ('auto6' or 'static')")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\nauto6\n", "/etc/kdump/network.conf: 'auto6' configures IPv6, but 'remote' is IPv4")]
    [InlineData("remote fd00::1\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\n", "/etc/kdump/network.conf:3: '10.0.2.15/24' is not of the family of 'remote' (fd00::1)")]
    [InlineData("remote fd00::1\ninterface eth0 52:54:00:12:34:56\nstatic fd00::15/64\ngateway 10.0.2.2\n", "/etc/kdump/network.conf:4: '10.0.2.2' is not of the family of 'remote' (fd00::1)")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\nroute fd00:5::/48 fe80::1\n", "/etc/kdump/network.conf:4: 'fd00:5::/48' is not of the family of 'remote' (10.0.2.100)")]
    [InlineData("remote fd00::1\ninterface eth0 52:54:00:12:34:56\nauto6\ngateway fe80::1\n", "/etc/kdump/network.conf: 'gateway' goes with 'static' only (a router's advertisement gives 'auto6' its default route)")]
    [InlineData("remote fe80::1%eth0\n", "/etc/kdump/network.conf:1: 'fe80::1%eth0' is not an IP address")]
    [InlineData("remote [fd00::1]\n", "/etc/kdump/network.conf:1: '[fd00::1]' is not an IP address")]
    [InlineData("static fd00::15/129\n", "/etc/kdump/network.conf:1: 'fd00::15/129' is not an IP address/prefix")]
    [InlineData("auto6\ndhcp\n", "/etc/kdump/network.conf:2: 'dhcp': the address method is given twice (static, dhcp or auto6, once)")]
    [InlineData("remote 10.0.2.100\nremote 10.0.2.101\n", "/etc/kdump/network.conf:2: 'remote' given twice")]
    [InlineData("remote 10.0.2.300\n", "/etc/kdump/network.conf:1: '10.0.2.300' is not an IP address")]
    [InlineData("remote 10.0.2.1 x\n", "/etc/kdump/network.conf:1: 'remote' takes 1 value(s), found 2")]
    [InlineData("interface eth0/1 52:54:00:12:34:56\n", "/etc/kdump/network.conf:1: 'eth0/1' is not an interface name")]
    [InlineData("interface averyveryverylongname 52:54:00:12:34:56\n", "/etc/kdump/network.conf:1: 'averyveryverylongname' is not an interface name")]
    [InlineData("interface eth0 52:54:00:12:34\n", "/etc/kdump/network.conf:1: '52:54:00:12:34' is not a unicast MAC address")]
    [InlineData("interface eth0 00:00:00:00:00:00\n", "/etc/kdump/network.conf:1: '00:00:00:00:00:00' is not a unicast MAC address")]
    [InlineData("nic eth0 01:00:5e:00:00:01\n", "/etc/kdump/network.conf:1: '01:00:5e:00:00:01' is not a unicast MAC address")]
    [InlineData("nic eth0 ff:ff:ff:ff:ff:ff\n", "/etc/kdump/network.conf:1: 'ff:ff:ff:ff:ff:ff' is not a unicast MAC address")]
    [InlineData("remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\ndhcp\nbridge br0 52:54:00:12:34:56\nport br0 eth0\nport br0 eth1\nnic eth0 52:54:00:12:34:57\nnic eth1 52:54:00:12:34:57\n", "/etc/kdump/network.conf:8: 'eth0' and 'eth1' have one MAC, 52:54:00:12:34:57")]
    [InlineData("bond-option bond0 miimon 100\nbond-option bond0 miimon 0\n", "/etc/kdump/network.conf:2: bond 'bond0': 'miimon 0' repeats an option")]
    [InlineData("bond-option bond0 arp_ip_target +10.0.2.2\nbond-option bond0 arp_ip_target +10.0.2.2\n", "/etc/kdump/network.conf:2: bond 'bond0': 'arp_ip_target +10.0.2.2' repeats an option")]
    [InlineData("static 10.0.2.15/33\n", "/etc/kdump/network.conf:1: '10.0.2.15/33' is not an IP address/prefix")]
    [InlineData("static 10.0.2.15\n", "/etc/kdump/network.conf:1: '10.0.2.15' is not an IP address/prefix")]
    [InlineData("ip=dhcp\n", "/etc/kdump/network.conf:1: unknown keyword 'ip=dhcp'")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\ngateway 10.0.2.2\n", "/etc/kdump/network.conf: 'gateway' goes with 'static' only (DHCP gives 'dhcp' its router)")]
    [InlineData("dhcp\nstatic 10.0.2.15/24\n", "/etc/kdump/network.conf:2: 'static': the address method is given twice (static, dhcp or auto6, once)")]
    [InlineData("bond bond0 52:54:00:12:34:56 active-backup\nbond bond0 52:54:00:12:34:56 balance-rr\n", "/etc/kdump/network.conf:2: 'bond0' declared twice")]
    [InlineData("bond-option bond0 Miimon 100\n", "/etc/kdump/network.conf:1: 'Miimon' is not a bonding option")]
    [InlineData("bond-option bond0 ../../x 1\n", "/etc/kdump/network.conf:1: '../../x' is not a bonding option")]
    [InlineData("bond-option bond0 slaves +eth0\n", "/etc/kdump/network.conf:1: 'slaves' is not a bonding option")]
    [InlineData("bond-option bond0 mode balance-rr\n", "/etc/kdump/network.conf:1: 'mode' is not a bonding option")]
    [InlineData("bond-option ../x miimon 100\n", "/etc/kdump/network.conf:1: '../x' is not an interface name")]
    [InlineData("slave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth0 52:54:00:12:34:57\n", "/etc/kdump/network.conf:2: 'eth0' declared twice")]
    [InlineData("slave bond0 eth0 52:54:00:12:34\n", "/etc/kdump/network.conf:1: '52:54:00:12:34' is not a unicast MAC address")]
    [InlineData("bond bond0 52:54:00:12:34:56 active\tbackup\n", "/etc/kdump/network.conf:1: 'bond' takes 3 value(s), found 4")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\nslave bond0 eth1 52:54:00:12:34:57\n", "/etc/kdump/network.conf:4: 'slave' names 'bond0', which no 'bond' line declares")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\nbond-option bond0 miimon 100\n", "/etc/kdump/network.conf:4: 'bond-option' names 'bond0', which no 'bond' line declares")]
    [InlineData("remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\ndhcp\nbridge br0 52:54:00:12:34:56\n", "/etc/kdump/network.conf:4: bridge 'br0' has no 'port' line")]
    [InlineData("remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\ndhcp\nbridge br0 52:54:00:12:34:56\nport br0 eth0\n", "/etc/kdump/network.conf:5: port 'eth0' is not declared")]
    [InlineData("remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\ndhcp\nbridge br0 52:54:00:12:34:56\nport br0 eth0\nbond bond0 52:54:00:12:34:56 active-backup\nslave bond0 eth0 52:54:00:12:34:56\n", "/etc/kdump/network.conf:5: port 'eth0' is a slave, not a nic, bond or vlan")]
    [InlineData("bridge x\n", "/etc/kdump/network.conf:1: 'bridge' takes 2 value(s), found 1")]
    [InlineData("remote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\ndhcp\nbond bond0 52:54:00:12:34:56 active-backup\n", "/etc/kdump/network.conf:4: bond 'bond0' has no 'slave' line")]
    [InlineData("remote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\ndhcp\nbond bond0 52:54:00:12:34:56 active-backup\nslave bond0 bond0 52:54:00:12:34:57\n", "/etc/kdump/network.conf:5: 'bond0' declared twice")]
    [InlineData("remote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\ndhcp\nbond bond0 02:00:00:00:00:01 active-backup\nslave bond0 eth0 52:54:00:12:34:57\n", "/etc/kdump/network.conf:4: 'bond0' has MAC 02:00:00:00:00:01 here and 52:54:00:12:34:56 on the 'interface' line")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\nnic eth1 52:54:00:12:34:57\n", "/etc/kdump/network.conf:4: 'eth1' is not part of the interface 'eth0'")]
    [InlineData("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\nbond bond0 52:54:00:12:34:56 active-backup\nslave bond0 eth0 52:54:00:12:34:56\n", "/etc/kdump/network.conf:5: 'eth0' is the interface and a bond's slave")]
    [InlineData("vlan eth0.7 52:54:00:12:34:56 -1 eth0\n", "/etc/kdump/network.conf:1: '-1' is not a VLAN id (0-4094)")]
    [InlineData("vlan eth0.7 52:54:00:12:34:56 4095 eth0\n", "/etc/kdump/network.conf:1: '4095' is not a VLAN id (0-4094)")]
    [InlineData("vlan eth0.7 52:54:00:12:34:56 +7 eth0\n", "/etc/kdump/network.conf:1: '+7' is not a VLAN id (0-4094)")]
    [InlineData("vlan eth0.7 52:54:00:12:34:56 7 eth0/x\n", "/etc/kdump/network.conf:1: 'eth0/x' is not an interface name")]
    [InlineData("vlan eth0.7 52:54:00:12:34:56 7\n", "/etc/kdump/network.conf:1: 'vlan' takes 4 value(s), found 3")]
    [InlineData("remote 10.0.2.100\ninterface v7 52:54:00:12:34:56\ndhcp\nvlan v7 52:54:00:12:34:56 7 eth0\n", "/etc/kdump/network.conf:4: VLAN parent 'eth0' is not declared")]
    [InlineData("remote 10.0.2.100\ninterface v7 52:54:00:12:34:56\ndhcp\nvlan v7 52:54:00:12:34:56 7 v7\n", "/etc/kdump/network.conf:4: VLAN parent 'v7' is a vlan, not a nic or bond")]
    [InlineData("remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\ndhcp\nbridge br0 52:54:00:12:34:56\nport br0 v7\nvlan v7 52:54:00:12:34:56 7 br0\n", "/etc/kdump/network.conf:6: VLAN parent 'br0' is a bridge, not a nic or bond")]
    [InlineData("remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\ndhcp\nbridge br0 52:54:00:12:34:56\nport br0 eth0\nport br0 eth0\nnic eth0 52:54:00:12:34:56\n", "/etc/kdump/network.conf:6: 'eth0' is part of two links")]
    [InlineData("remote 10.0.2.100\ninterface v7 52:54:00:12:34:56\ndhcp\nvlan v7 52:54:00:12:34:56 7 eth0\nslave bond0 eth0 52:54:00:12:34:56\nbond bond0 52:54:00:12:34:56 active-backup\n", "/etc/kdump/network.conf:4: VLAN parent 'eth0' is a slave, not a nic or bond")]
    public void Malformed_records_are_named(string text, string message)
    {
        var e = Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.Parse(text));
        Assert.Equal(message, e.Message);
    }

    private const string TwoBlocks = "# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\ngateway 10.0.2.2\n"
        + "# kdump-capture network, written by mkdumprd\nremote 192.168.200.2\ninterface eth1 52:54:00:12:34:57\nstatic 192.168.1.15/24\nroute 192.168.200.0/24\n";

    [Fact]
    public void A_record_of_two_interfaces_reads_back_as_two_blocks_in_order()
    {
        // A leased heartbeat interface, with its routes to the nodes.
        var leased = TwoBlocks.Replace("static 192.168.1.15/24\n", "dhcp\n", StringComparison.Ordinal);
        Assert.Equal(AddressMethod.Dhcp, CaptureNetworkConfig.ParseAll(leased)[1].Method);
        Assert.Equal(leased, CaptureNetworkConfig.FormatAll(CaptureNetworkConfig.ParseAll(leased)));

        var blocks = CaptureNetworkConfig.ParseAll(TwoBlocks);

        Assert.Equal(["eth0", "eth1"], blocks.Select(b => b.Interface));
        Assert.Equal(IpPrefix.TryParseAddress("192.168.200.2"), blocks[1].Remote);
        Assert.Null(blocks[1].Gateway);
        Assert.Equal(TwoBlocks, CaptureNetworkConfig.FormatAll(blocks));
        // One block is what Parse reads.
        Assert.Equal(CaptureNetworkConfig.Parse(TwoBlocks[..TwoBlocks.IndexOf("# kdump", 1, StringComparison.Ordinal)]).Format(),
            Assert.Single(CaptureNetworkConfig.ParseAll(blocks[0].Format())).Format());
    }

    [Theory]
    [InlineData("static 192.168.1.15/24\n", "static 192.168.1.15/24\ngateway fd00::1\n", "/etc/kdump/network.conf:10: 'fd00::1' is not of the family of 'remote' (192.168.200.2)")]
    [InlineData("static 192.168.1.15/24\n", "", "/etc/kdump/network.conf:7: no 'static', 'dhcp' or 'auto6' line")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "interface eth0 52:54:00:12:34:57\n", "/etc/kdump/network.conf:7: eth0 is the interface of both (this block and that of line 2)")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "interface eth1 52:54:00:12:34:56\n", "/etc/kdump/network.conf:7: the NIC 52:54:00:12:34:56 is eth0 in one and eth1 in the other (this block and that of line 2)")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "interface eth0.7 52:54:00:12:34:56\nvlan eth0.7 52:54:00:12:34:56 7 eth0\nnic eth0 52:54:00:12:34:99\n",
        "/etc/kdump/network.conf:7: eth0 is not the same link in both (this block and that of line 2)")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "interface eth0.7 52:54:00:12:34:56\nvlan eth0.7 52:54:00:12:34:56 7 eth0\nbond eth0 52:54:00:12:34:56 active-backup\nslave eth0 eth2 52:54:00:12:34:58\n",
        "/etc/kdump/network.conf:7: eth0 is not the same link in both (this block and that of line 2)")]
    [InlineData("route 192.168.200.0/24\n", "route 192.168.200.0/24\nnameserver 10.0.2.3\n", "/etc/kdump/network.conf:7: a block after the first (an interface toward fence_kdump nodes) takes 'static', 'dhcp' or 'auto6' and 'route' lines only, no 'gateway', 'nameserver' or default route")]
    [InlineData("static 192.168.1.15/24\nroute 192.168.200.0/24\n", "dhcp\ngateway 192.168.1.1\n", "/etc/kdump/network.conf:7: 'gateway' goes with 'static' only (DHCP gives 'dhcp' its router)")]
    [InlineData("static 192.168.1.15/24\n", "static 192.168.1.15/24\ngateway 192.168.1.1\n", "/etc/kdump/network.conf:7: a block after the first (an interface toward fence_kdump nodes) takes 'static', 'dhcp' or 'auto6' and 'route' lines only, no 'gateway', 'nameserver' or default route")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "", "/etc/kdump/network.conf:7: no 'interface' line")]
    [InlineData("route 192.168.200.0/24\n", "route 0.0.0.0/0 192.168.1.1\n", "/etc/kdump/network.conf:7: a block after the first (an interface toward fence_kdump nodes) takes 'static', 'dhcp' or 'auto6' and 'route' lines only, no 'gateway', 'nameserver' or default route")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "interface bond1 52:54:00:12:34:57\nbond bond1 52:54:00:12:34:57 active-backup\nslave bond1 eth0 52:54:00:12:34:56\n",
        "/etc/kdump/network.conf:7: eth0 is the interface of one and a slave of bond1 in the other (this block and that of line 2)")]
    [InlineData("interface eth1 52:54:00:12:34:57\n", "interface br1 52:54:00:12:34:57\nbridge br1 52:54:00:12:34:57\nport br1 eth0\nnic eth0 52:54:00:12:34:56\n",
        "/etc/kdump/network.conf:7: eth0 is the interface of one and a port of br1 in the other (this block and that of line 2)")]
    public void A_bad_second_block_is_named_by_the_files_line(string replaced, string by, string message)
    {
        var e = Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.ParseAll(TwoBlocks.Replace(replaced, by, StringComparison.Ordinal)));
        Assert.Equal(message, e.Message);
    }

    /// <summary>Two blocks of one trunk: the dump through bond0.100 (or eth0.100), the heartbeat through another VLAN or the NIC itself.</summary>
    private static string Trunk(string first, string second) =>
        "remote 10.0.2.100\n" + first + "static 10.0.2.15/24\ngateway 10.0.2.2\nremote 192.168.200.2\n" + second + "static 192.168.1.15/24\nroute 192.168.200.0/24\n";

    private const string Bond0 = "bond bond0 52:54:00:12:34:56 active-backup\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n";

    /// <summary>
    /// A link two blocks share is accepted where the capture kernel can make it once and build on
    /// it: the same link in the same place (a slave of the same bond, or no member at all).
    /// </summary>
    [Fact]
    public void Links_two_blocks_share_are_accepted_in_the_same_place_only()
    {
        const string vlan100 = "interface bond0.100 52:54:00:12:34:56\nvlan bond0.100 52:54:00:12:34:56 100 bond0\n" + Bond0;
        Assert.Equal(["bond0.100", "bond0.200"], CaptureNetworkConfig.ParseAll(Trunk(vlan100,
            "interface bond0.200 52:54:00:12:34:56\nvlan bond0.200 52:54:00:12:34:56 200 bond0\n" + Bond0)).Select(b => b.Interface));
        // The heartbeat on the untagged NIC below the dump's VLAN.
        Assert.Equal(["eth0.100", "eth0"], CaptureNetworkConfig.ParseAll(Trunk(
            "interface eth0.100 52:54:00:12:34:56\nvlan eth0.100 52:54:00:12:34:56 100 eth0\nnic eth0 52:54:00:12:34:56\n",
            "interface eth0 52:54:00:12:34:56\n")).Select(b => b.Interface));

        // A hypervisor's bridge on eth0 beside a tagged heartbeat on the same NIC, either way round.
        const string bridge = "interface br0 52:54:00:12:34:56\nbridge br0 52:54:00:12:34:56\nport br0 eth0\nnic eth0 52:54:00:12:34:56\n";
        const string tagged = "interface eth0.100 52:54:00:12:34:56\nvlan eth0.100 52:54:00:12:34:56 100 eth0\nnic eth0 52:54:00:12:34:56\n";
        Assert.Equal(2, CaptureNetworkConfig.ParseAll(Trunk(bridge, tagged)).Count);
        Assert.Equal(2, CaptureNetworkConfig.ParseAll(Trunk(tagged, bridge)).Count);
        // A port of one bridge is no port of another bridge, nor a bond's slave.
        Assert.Equal("/etc/kdump/network.conf:8: eth0 is a port of br0 in one and a port of br1 in the other (this block and that of line 1)",
            Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.ParseAll(Trunk(bridge, bridge.Replace("br0", "br1", StringComparison.Ordinal)))).Message);
        Assert.Equal("/etc/kdump/network.conf:8: eth0 is a port of br0 in one and a slave of bond1 in the other (this block and that of line 1)",
            Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.ParseAll(Trunk(bridge,
                "interface bond1 52:54:00:12:34:58\nbond bond1 52:54:00:12:34:58 active-backup\nslave bond1 eth0 52:54:00:12:34:56\n"))).Message);
        // An IPv6 lease on a dhcp line of an IPv4 record.
        Assert.Equal("/etc/kdump/network.conf:3: 'fd00::15/64' is not of the family of 'remote' (10.0.2.100)",
            Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.Parse("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp fd00::15/64\n")).Message);

        string Refused(string second) => Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.ParseAll(Trunk(vlan100, second))).Message;
        // A VLAN on a slave of the dump's bond: the slave is no plain NIC there.
        Assert.Equal("/etc/kdump/network.conf:9: eth1 is a slave of bond0 in one and not a slave or port in the other (this block and that of line 1)",
            Refused("interface eth1.200 52:54:00:12:34:57\nvlan eth1.200 52:54:00:12:34:57 200 eth1\nnic eth1 52:54:00:12:34:57\n"));
        // One slave in two bonds: making the second would take it from the dump's.
        Assert.Equal("/etc/kdump/network.conf:9: eth1 is a slave of bond0 in one and a slave of bond1 in the other (this block and that of line 1)",
            Refused("interface bond1 52:54:00:12:34:58\nbond bond1 52:54:00:12:34:58 active-backup\nslave bond1 eth1 52:54:00:12:34:57\n"));
        // The dump's bond as the heartbeat interface's own, with its address: the interface of both is bond0.100's parent.
        Assert.Equal("/etc/kdump/network.conf:9: bond0 is not the same link in both (this block and that of line 1)",
            Refused("interface bond0 52:54:00:12:34:56\nbond bond0 52:54:00:12:34:56 802.3ad\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n"));
    }

    // --- rtnetlink ---------------------------------------------------------------------------

    /// <summary>A generated RTM_NEWADDR message (the layout of if_addr.h), in either byte order.</summary>
    private static byte[] NewAddr(bool le, int index, string cidr, byte flags, byte scope, uint? extendedFlags = null, bool padLast = true)
    {
        var net = Ipv4Network.TryParse(cidr)!.Value;
        var attrs = new List<(ushort Type, byte[] Payload)>();
        var ip = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(ip, net.Address);
        attrs.Add((RtnetlinkAddresses.IFA_ADDRESS, ip));
        attrs.Add((RtnetlinkAddresses.IFA_LOCAL, ip));
        attrs.Add((3 /* IFA_LABEL */, Encoding.ASCII.GetBytes("eth0\0")));
        if (extendedFlags is { } x)
        {
            var b = new byte[4];
            if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, x); else BinaryPrimitives.WriteUInt32BigEndian(b, x);
            attrs.Add((RtnetlinkAddresses.IFA_FLAGS, b));
        }
        var body = new List<byte> { RtnetlinkAddresses.AF_INET, (byte)net.PrefixLength, flags, scope };
        body.AddRange(U32(le, (uint)index));
        foreach (var (type, payload) in attrs)
        {
            body.AddRange(U16(le, (ushort)(4 + payload.Length)));
            body.AddRange(U16(le, type));
            body.AddRange(payload);
            while (body.Count % 4 != 0) body.Add(0);
        }
        return Message(le, RtnetlinkAddresses.RTM_NEWADDR, [.. body]);
    }

    private static byte[] Message(bool le, ushort type, byte[] body)
    {
        var m = new List<byte>();
        m.AddRange(U32(le, (uint)(16 + body.Length)));
        m.AddRange(U16(le, type));
        m.AddRange(U16(le, 2 /* NLM_F_MULTI */));
        m.AddRange(U32(le, 1));
        m.AddRange(U32(le, 0));
        m.AddRange(body);
        return [.. m];
    }

    private static byte[] U32(bool le, uint v) { var b = new byte[4]; if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, v); else BinaryPrimitives.WriteUInt32BigEndian(b, v); return b; }

    private static byte[] U16(bool le, ushort v) { var b = new byte[2]; if (le) BinaryPrimitives.WriteUInt16LittleEndian(b, v); else BinaryPrimitives.WriteUInt16BigEndian(b, v); return b; }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rtm_newaddr_dump_is_read_in_either_byte_order(bool le)
    {
        var datagram = NewAddr(le, 1, "127.0.0.1/8", 0x80, 254)
            .Concat(NewAddr(le, 2, "10.0.2.15/24", 0x00, 0))                       // leased: not permanent
            .Concat(NewAddr(le, 2, "10.0.2.16/24", 0x01, 0, extendedFlags: 0x81))  // IFA_FLAGS widens ifa_flags
            .ToArray();
        var into = new List<InterfaceAddress>();
        Assert.False(RtnetlinkAddresses.ParseDatagram(datagram, le, into));
        Assert.True(RtnetlinkAddresses.ParseDatagram(Message(le, RtnetlinkAddresses.NLMSG_DONE, U32(le, 0)), le, into));
        Assert.Equal(["1 127.0.0.1/8 True 254", "2 10.0.2.15/24 False 0", "2 10.0.2.16/24 True 0"],
            into.Select(a => $"{a.InterfaceIndex} {a.Address} {a.IsPermanent} {a.Scope}"));
        Assert.True(into[2].IsSecondary);

        var request = RtnetlinkAddresses.GetAddrRequest(7, le);
        Assert.Equal(24, request.Length);
        Assert.Equal(U32(le, 24), request[..4]);
        Assert.Equal(U16(le, 22), request[4..6]);
        Assert.Equal(U16(le, 0x301), request[6..8]);
    }

    [Fact]
    public void Malformed_rtnetlink_replies_are_errors_with_offsets()
    {
        var good = NewAddr(true, 2, "10.0.2.15/24", 0x80, 0);
        var shortLen = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(shortLen, 8);
        Assert.Equal("rtnetlink RTM_GETADDR reply: nlmsg_len 8 at offset 0 (datagram 52 bytes)",
            Assert.Throws<KdumpConfigException>(() => RtnetlinkAddresses.ParseDatagram(shortLen, true, [])).Message);
        var longLen = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(longLen, 4096);
        Assert.Contains("nlmsg_len 4096 at offset 0", Assert.Throws<KdumpConfigException>(() => RtnetlinkAddresses.ParseDatagram(longLen, true, [])).Message, StringComparison.Ordinal);
        var badAttr = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(badAttr.AsSpan(24), 200);   // first rtattr's rta_len
        Assert.Equal("rtnetlink RTM_GETADDR reply: rta_len 200 at offset 24",
            Assert.Throws<KdumpConfigException>(() => RtnetlinkAddresses.ParseDatagram(badAttr, true, [])).Message);
        var prefix = (byte[])good.Clone();
        prefix[17] = 40;
        Assert.Equal("rtnetlink RTM_GETADDR reply: ifa_prefixlen 40 at offset 17",
            Assert.Throws<KdumpConfigException>(() => RtnetlinkAddresses.ParseDatagram(prefix, true, [])).Message);
        var error = Message(true, RtnetlinkAddresses.NLMSG_ERROR, U32(true, unchecked((uint)-13)));
        Assert.Equal("rtnetlink RTM_GETADDR reply: NLMSG_ERROR errno 13 at offset 0",
            Assert.Throws<KdumpConfigException>(() => RtnetlinkAddresses.ParseDatagram(error, true, [])).Message);
        Assert.Contains("3 trailing bytes", Assert.Throws<KdumpConfigException>(() => RtnetlinkAddresses.ParseDatagram(good.Concat(new byte[3]).ToArray(), true, [])).Message, StringComparison.Ordinal);
    }

    // --- this machine, against ip(8) -----------------------------------------------------------

    [Fact]
    public void This_machines_addresses_and_routes_read_as_ip_prints_them()
    {
        // `ip -o -4 addr show`: "N: IF    inet A/P ... scope S ...", and the permanent subset.
        string Ip4(params string[] extra) => Encoding.UTF8.GetString(ExternalProcess.Run("ip", ["-o", "-4", "addr", "show", .. extra]).Stdout);
        static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(w => $"{w[0].TrimEnd(':')} {w[3]}").Order(StringComparer.Ordinal);
        var ours = LiveAddresses.Read();
        Assert.NotEmpty(ours);
        Assert.Equal(Lines(Ip4()), ours.Select(a => $"{a.InterfaceIndex} {a.Address}").Order(StringComparer.Ordinal));
        Assert.Equal(Lines(Ip4("permanent")), ours.Where(a => a.IsPermanent).Select(a => $"{a.InterfaceIndex} {a.Address}").Order(StringComparer.Ordinal));

        // The default gateway (ip route get sends nothing): same device and source as ip's answer.
        var facts = HostNetwork.Live("/");
        var gateway = facts.Routes().FirstOrDefault(r => r.IsDefault)?.Gateway;
        Assert.True(gateway is not null, "this machine has no default route in /proc/net/route");
        var target = Ipv4Network.Format(gateway.Value);
        var ip = Encoding.UTF8.GetString(ExternalProcess.Run("ip", ["-o", "-4", "route", "get", target]).Stdout).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var config = CaptureNetworkImage.Resolve(facts, target);
        Assert.Equal(ip[ip.IndexOf("dev") + 1], config.Interface);
        Assert.Equal(ip[ip.IndexOf("src") + 1], config.Address?.Address.ToString());
        Assert.Equal(File.ReadAllText($"/sys/class/net/{config.Interface}/address").Trim(), config.MacAddress);
    }

    // --- the image of an nfs target on a prepared root ------------------------------------------

    /// <summary>sysfs of a virtio NIC at 0000:00:02.0 as the bookworm guest has it: relative links, as the kernel makes them.</summary>
    private static void VirtioNic(TestRoot root, string name, string mac, int index)
    {
        const string dev = "/sys/devices/pci0000:00/0000:00:02.0";
        root.Write($"{dev}/virtio0/net/{name}/address", mac + "\n");
        root.Write($"{dev}/virtio0/net/{name}/ifindex", index + "\n");
        root.MakeDirectory("/sys/class/net");
        root.MakeDirectory("/sys/bus/virtio/drivers/virtio_net");
        root.MakeDirectory("/sys/bus/pci/drivers/virtio-pci");
        root.MakeDirectory("/sys/module/virtio_net");
        root.MakeDirectory("/sys/module/virtio_pci");
        void Link(string at, string target) => File.CreateSymbolicLink(root.Host(at), target);
        Link($"/sys/class/net/{name}", $"../../devices/pci0000:00/0000:00:02.0/virtio0/net/{name}");
        Link($"{dev}/virtio0/net/{name}/device", "../../../virtio0");
        Link($"{dev}/virtio0/driver", "../../../../bus/virtio/drivers/virtio_net");
        Link($"{dev}/driver", "../../../bus/pci/drivers/virtio-pci");
        Link("/sys/bus/virtio/drivers/virtio_net/module", "../../../../module/virtio_net");
        Link("/sys/bus/pci/drivers/virtio-pci/module", "../../../../module/virtio_pci");
    }

    /// <summary>bond0 over two virtio NICs as the bonding driver shows it in sysfs (eth1 at 0000:00:03.0).</summary>
    private static void Bond(TestRoot root, string mode, params (string File, string Value)[] options)
    {
        VirtioNic(root, "eth0", "52:54:00:12:34:56", 2);
        SecondNic(root, "52:54:00:12:34:56");   // a slave takes the bond's address
        root.Write("/sys/class/net/eth0/bonding_slave/perm_hwaddr", "52:54:00:12:34:56\n");
        root.Write("/sys/class/net/eth1/bonding_slave/perm_hwaddr", "52:54:00:12:34:57\n");
        root.Write("/sys/devices/virtual/net/bond0/address", "52:54:00:12:34:56\n");
        root.Write("/sys/devices/virtual/net/bond0/ifindex", "4\n");
        root.Write("/sys/devices/virtual/net/bond0/bonding/mode", mode + "\n");
        root.Write("/sys/devices/virtual/net/bond0/bonding/slaves", "eth0 eth1\n");
        // What a new bond shows: left out of the record.
        foreach (var (file, value) in new[]
        {
            ("miimon", "0"), ("updelay", "0"), ("xmit_hash_policy", "layer2 0"), ("lacp_rate", "slow 0"), ("primary", ""), ("arp_ip_target", ""),
            ("primary_reselect", "always 0"), ("lacp_active", "on 1"), ("use_carrier", "1"), ("tlb_dynamic_lb", "1"),
            ("ad_actor_system", ""), ("ad_actor_sys_prio", ""), ("ad_user_port_key", ""),   // outside 802.3ad the driver shows nothing
        })
            root.Write($"/sys/devices/virtual/net/bond0/bonding/{file}", value + "\n");
        foreach (var (file, value) in options) root.Write($"/sys/devices/virtual/net/bond0/bonding/{file}", value + "\n");
        File.CreateSymbolicLink(root.Host("/sys/class/net/bond0"), "../../devices/virtual/net/bond0");
    }

    [Fact]
    public void A_bond_is_recorded_with_its_mode_changed_options_and_slaves_permanent_macs()
    {
        using var root = new TestRoot("mkdumprd-net-bond");
        Bond(root, "active-backup 1", ("miimon", "100"), ("primary", "eth1"), ("arp_ip_target", "10.0.2.2 10.0.2.3"), ("primary_reselect", "failure 2"), ("min_links", "1"));
        var image = BuildNfs(root, [Addr(4, "10.0.2.15/24")], nic: false,
            routes: Header + RouteLine("bond0", "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true) + RouteLine("bond0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true));
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\n"
            + "bond bond0 52:54:00:12:34:56 active-backup\nbond-option bond0 miimon 100\nbond-option bond0 primary eth1\n"
            + "bond-option bond0 primary_reselect failure\nbond-option bond0 min_links 1\nbond-option bond0 arp_ip_target +10.0.2.2\nbond-option bond0 arp_ip_target +10.0.2.3\n"
            + "slave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\nstatic 10.0.2.15/24\ngateway 10.0.2.2\nnameserver 10.0.2.3\nnameserver fec0::3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
        var modules = image.Modules.Select(m => m.Name).ToList();
        foreach (var m in new[] { "bonding", "virtio_net", "virtio_pci" }) Assert.Contains(m, modules);
    }

    [Theory]
    // A team has no device link, no /proc/net/vlan file and neither a bonding nor a bridge directory.
    [InlineData(null, "bond0 (toward 10.0.2.100) is a software interface (team, …): not supported by the minimal backend")]
    [InlineData("", "bond0 (a bond) has no slaves")]
    public void Software_interfaces_other_than_a_bond_with_slaves_stop_the_build(string? slaves, string message)
    {
        using var root = new TestRoot("mkdumprd-net-bridge");
        Bond(root, "balance-rr 0");
        if (slaves is null) Directory.Delete(root.Host("/sys/devices/virtual/net/bond0/bonding"), recursive: true);
        else root.Write("/sys/devices/virtual/net/bond0/bonding/slaves", slaves + "\n");
        var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(4, "10.0.2.15/24")], nic: false,
            routes: Header + RouteLine("bond0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)));
        Assert.Equal(message, e.Message);
    }

    /// <summary>
    /// VLAN NAME with id ID on PARENT as the 8021q driver shows it: a virtual interface in sysfs and
    /// /proc/net/vlan/NAME, whose text is what the bookworm guest of network-vm.sh ssh vlan prints.
    /// </summary>
    private static void Vlan(TestRoot root, string name, int id, string parent, string mac, int index)
    {
        root.Write($"/sys/devices/virtual/net/{name}/address", mac + "\n");
        root.Write($"/sys/devices/virtual/net/{name}/ifindex", index + "\n");
        File.CreateSymbolicLink(root.Host($"/sys/class/net/{name}"), $"../../devices/virtual/net/{name}");
        root.Write($"/proc/net/vlan/{name}", $"{name}  VID: {id}\t REORDER_HDR: 1  dev->priv_flags: 81021\n"
            + "         total frames received            0\n          total bytes received            0\n      Broadcast/Multicast Rcvd            0\n\n"
            + "      total frames transmitted            1\n       total bytes transmitted           90\n"
            + $"Device: {parent}\nINGRESS priority mappings: 0:0  1:0  2:0  3:0  4:0  5:0  6:0 7:0\n EGRESS priority mappings: \n");
    }

    [Fact]
    public void A_vlan_is_recorded_with_its_id_and_its_nic_or_bond_parent_and_one_on_a_bridge_is_refused()
    {
        using (var root = new TestRoot("mkdumprd-net-vlan"))
        {
            VirtioNic(root, "eth0", "52:54:00:12:34:56", 2);
            Vlan(root, "eth0.100", 100, "eth0", "52:54:00:12:34:56", 6);
            var image = BuildNfs(root, [Addr(6, "192.168.100.15/24")], "nfs 192.168.100.1:/export\n", nic: false,
                routes: Header + RouteLine("eth0.100", "192.168.100.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true));
            Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 192.168.100.1\ninterface eth0.100 52:54:00:12:34:56\n"
                + "vlan eth0.100 52:54:00:12:34:56 100 eth0\nnic eth0 52:54:00:12:34:56\nstatic 192.168.100.15/24\nnameserver 10.0.2.3\nnameserver fec0::3\n", Text(image, CaptureNetworkConfig.ImagePath));
            var modules = image.Modules.Select(m => m.Name).ToList();
            foreach (var m in new[] { "8021q", "virtio_net", "virtio_pci" }) Assert.Contains(m, modules);
        }
        using (var root = new TestRoot("mkdumprd-net-vlan-bond"))
        {
            Bond(root, "active-backup 1", ("miimon", "100"));
            Vlan(root, "bond0.7", 7, "bond0", "52:54:00:12:34:56", 6);
            var image = BuildNfs(root, [Addr(6, "10.0.7.15/24")], "nfs 10.0.7.1:/export\n", nic: false,
                routes: Header + RouteLine("bond0.7", "10.0.7.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true));
            Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.7.1\ninterface bond0.7 52:54:00:12:34:56\n"
                + "vlan bond0.7 52:54:00:12:34:56 7 bond0\nbond bond0 52:54:00:12:34:56 active-backup\nbond-option bond0 miimon 100\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n"
                + "static 10.0.7.15/24\nnameserver 10.0.2.3\nnameserver fec0::3\n", Text(image, CaptureNetworkConfig.ImagePath));
            var modules = image.Modules.Select(m => m.Name).ToList();
            foreach (var m in new[] { "8021q", "bonding", "virtio_net" }) Assert.Contains(m, modules);
        }
        using (var root = new TestRoot("mkdumprd-net-vlan-bridge"))
        {
            Bridge(root, withPort: true);
            Vlan(root, "br0.7", 7, "br0", "52:54:00:12:34:56", 6);
            var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(6, "10.0.7.15/24")], "nfs 10.0.7.1:/export\n", nic: false,
                routes: Header + RouteLine("br0.7", "10.0.7.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)));
            Assert.Equal("Vlan over bridge is not supported!", e.Message);
        }
        using (var root = new TestRoot("mkdumprd-net-vlan-bad"))
        {
            Bridge(root, withPort: true);
            Vlan(root, "br0.7", 7, "br0", "52:54:00:12:34:56", 6);
            root.Write("/proc/net/vlan/br0.7", "br0.7  VID: x\nDevice: br0\n");
            var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(6, "10.0.7.15/24")], "nfs 10.0.7.1:/export\n", nic: false,
                routes: Header + RouteLine("br0.7", "10.0.7.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)));
            Assert.Equal("/proc/net/vlan/br0.7: no VLAN id (VID:)", e.Message);
        }
    }

    /// <summary>br0 (52:54:00:12:34:56) as the bridge driver shows it, its brif/ links to the given ports' brport directories.</summary>
    private static void VirtualBridge(TestRoot root, int index, params (string Port, string Target)[] ports)
    {
        root.Write("/sys/devices/virtual/net/br0/address", "52:54:00:12:34:56\n");
        root.Write("/sys/devices/virtual/net/br0/ifindex", index + "\n");
        root.MakeDirectory("/sys/devices/virtual/net/br0/bridge");
        root.MakeDirectory("/sys/devices/virtual/net/br0/brif");
        File.CreateSymbolicLink(root.Host("/sys/class/net/br0"), "../../devices/virtual/net/br0");
        foreach (var (port, target) in ports) File.CreateSymbolicLink(root.Host($"/sys/devices/virtual/net/br0/brif/{port}"), target);
    }

    [Fact]
    public void A_bridge_of_a_nic_and_a_vlan_on_it_is_refused_when_the_image_is_built()
    {
        using var root = new TestRoot("mkdumprd-net-shared");
        VirtioNic(root, "eth0", "52:54:00:12:34:56", 2);
        Vlan(root, "eth0.7", 7, "eth0", "52:54:00:12:34:56", 6);
        VirtualBridge(root, 7, ("eth0", "../../../../pci0000:00/0000:00:02.0/virtio0/net/eth0/brport"), ("eth0.7", "../../eth0.7/brport"));
        var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(7, "10.0.7.15/24")], "nfs 10.0.7.1:/export\n", nic: false,
            routes: Header + RouteLine("br0", "10.0.7.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)));
        Assert.Equal("br0 (toward 10.0.7.1): eth0 is below two of its ports: not supported by the minimal backend", e.Message);
    }

    [Fact]
    public void A_hypervisors_bridge_on_a_vlan_of_a_bond_is_recorded_whole_and_its_guests_ports_left_out()
    {
        using var root = new TestRoot("mkdumprd-net-stack");
        Bond(root, "802.3ad 4", ("miimon", "100"));
        Vlan(root, "bond0.7", 7, "bond0", "52:54:00:12:34:56", 6);
        root.Write("/sys/devices/virtual/net/vnet3/address", "fe:54:00:aa:bb:cc\n");
        File.CreateSymbolicLink(root.Host("/sys/class/net/vnet3"), "../../devices/virtual/net/vnet3");
        VirtualBridge(root, 7, ("bond0.7", "../../bond0.7/brport"), ("vnet3", "../../vnet3/brport"));
        var image = BuildNfs(root, [Addr(7, "10.0.7.15/24")], "nfs 10.0.7.1:/export\n", nic: false,
            routes: Header + RouteLine("br0", "10.0.7.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true));
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.7.1\ninterface br0 52:54:00:12:34:56\n"
            + "bridge br0 52:54:00:12:34:56\nport br0 bond0.7\nvlan bond0.7 52:54:00:12:34:56 7 bond0\n"
            + "bond bond0 52:54:00:12:34:56 802.3ad\nbond-option bond0 miimon 100\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n"
            + "static 10.0.7.15/24\nnameserver 10.0.2.3\nnameserver fec0::3\n", Text(image, CaptureNetworkConfig.ImagePath));
        Assert.Contains("br0: the capture kernel's bridge gets its NIC, bond and VLAN ports only, not vnet3", image.Warnings);
        var modules = image.Modules.Select(m => m.Name).ToList();
        foreach (var m in new[] { "bridge", "8021q", "bonding", "virtio_net", "virtio_pci" }) Assert.Contains(m, modules);
    }

    /// <summary>br0 with eth0 as its port (or none), as the bridge driver shows it in sysfs.</summary>
    private static void Bridge(TestRoot root, bool withPort)
    {
        VirtioNic(root, "eth0", "52:54:00:12:34:56", 2);
        root.Write("/sys/devices/virtual/net/br0/address", "52:54:00:12:34:56\n");
        root.Write("/sys/devices/virtual/net/br0/ifindex", "5\n");
        root.MakeDirectory("/sys/devices/virtual/net/br0/bridge");
        root.MakeDirectory("/sys/devices/virtual/net/br0/brif");
        if (withPort) File.CreateSymbolicLink(root.Host("/sys/devices/virtual/net/br0/brif/eth0"), "../../../../pci0000:00/0000:00:02.0/virtio0/net/eth0/brport");
        File.CreateSymbolicLink(root.Host("/sys/class/net/br0"), "../../devices/virtual/net/br0");
    }

    [Fact]
    public void The_dracut_stage_carries_the_hosts_pin_for_the_module_to_append()
    {
        using var root = new TestRoot("mkdumprd-net-name-dracut");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], "nfs nfs-server.test:/export\n", resolve: _ => IpA("10.0.2.100"));
        var stage = Path.Combine(root.Scratch, "stage");
        Directory.CreateDirectory(stage);
        Kdump.Initramfs.Dracut.DracutStage.Write(image.Plan, stage);
        // Not as /etc/hosts, which a hostonly dracut may already have installed from the host.
        Assert.False(File.Exists(Path.Combine(stage, "root", "etc", "hosts")));
        Assert.Equal("10.0.2.100\tnfs-server.test\n", File.ReadAllText(Path.Combine(stage, Kdump.Initramfs.Dracut.DracutStage.HostsAppendFile)));

        // Our module's install() with dracut's helpers stood in for, into an image where a hostonly
        // dracut already put the host's /etc/hosts: the pin is appended to it.
        var initdir = Path.Combine(root.Scratch, "initdir");
        Directory.CreateDirectory(Path.Combine(initdir, "etc"));
        File.WriteAllText(Path.Combine(initdir, "etc", "hosts"), "127.0.0.1\tlocalhost\n");
        const string script = """
            set -e
            inst_simple() { [[ -e $initdir$2 ]] && return 0; mkdir -p "$(dirname "$initdir$2")"; cp -- "$1" "$initdir$2"; }
            ln_r() { ln -s -- "$1" "$initdir$2"; }
            inst_hook() { :; }
            dfatal() { echo "$*" >&2; exit 1; }
            . "$moddir/module-setup.sh"
            install
            """;
        var moddir = Path.Combine(Lab.RepoRoot, "dist", "dracut", "99kdump-cs");
        var run = ExternalProcess.Run("env", ["initdir=" + initdir, "KDUMP_CS_STAGE=" + stage, "moddir=" + moddir, "bash", "-c", script]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("127.0.0.1\tlocalhost\n10.0.2.100\tnfs-server.test\n", File.ReadAllText(Path.Combine(initdir, "etc", "hosts")));
        Assert.True(File.Exists(Path.Combine(initdir, "etc", "kdump", "network.conf")));
    }

    [Fact]
    public void A_bridge_is_recorded_with_its_ports_and_their_own_macs_and_one_without_ports_is_refused()
    {
        using (var root = new TestRoot("mkdumprd-net-bridge-ports"))
        {
            Bridge(root, withPort: true);
            var image = BuildNfs(root, [Addr(5, "10.0.2.15/24", flags: 0)], nic: false,
                routes: Header + RouteLine("br0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true));
            Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface br0 52:54:00:12:34:56\n"
                + "bridge br0 52:54:00:12:34:56\nport br0 eth0\nnic eth0 52:54:00:12:34:56\ndhcp 10.0.2.15/24\nnameserver 10.0.2.3\nnameserver fec0::3\n", Text(image, CaptureNetworkConfig.ImagePath));
            var modules = image.Modules.Select(m => m.Name).ToList();
            foreach (var m in new[] { "bridge", "stp", "llc", "virtio_net", "virtio_pci" }) Assert.Contains(m, modules);
        }
        // A hypervisor's bridge: the guests' tap ports are left out, with a warning; the NIC is the port.
        using (var root = new TestRoot("mkdumprd-net-bridge-tap"))
        {
            Bridge(root, withPort: true);
            root.Write("/sys/devices/virtual/net/vnet3/address", "fe:54:00:aa:bb:cc\n");
            File.CreateSymbolicLink(root.Host("/sys/class/net/vnet3"), "../../devices/virtual/net/vnet3");
            File.CreateSymbolicLink(root.Host("/sys/devices/virtual/net/br0/brif/vnet3"), "../../vnet3/brport");
            var image = BuildNfs(root, [Addr(5, "10.0.2.15/24")], nic: false,
                routes: Header + RouteLine("br0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true));
            Assert.Contains("bridge br0 52:54:00:12:34:56\nport br0 eth0\nnic eth0 52:54:00:12:34:56\nstatic", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
            Assert.Contains("br0: the capture kernel's bridge gets its NIC, bond and VLAN ports only, not vnet3", image.Warnings);
            File.Delete(root.Host("/sys/devices/virtual/net/br0/brif/eth0"));
        }
        using (var root = new TestRoot("mkdumprd-net-bridge-empty"))
        {
            Bridge(root, withPort: false);
            var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(5, "10.0.2.15/24")], nic: false,
                routes: Header + RouteLine("br0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)));
            Assert.Equal("br0 (a bridge) has no ports", e.Message);
        }
    }

    private static CaptureImage BuildNfs(TestRoot root, IReadOnlyList<InterfaceAddress> addresses, string conf = "nfs 10.0.2.100:/export\npath /crash\n", string? routes = null,
        Func<string, System.Net.IPAddress?>? resolve = null, bool nic = true, Func<Kdump.Config.Cluster.PacemakerCib?>? pacemaker = null)
    {
        var kernelRoot = Path.Combine(Lab.Dir, "kernels", "bookworm", "root");
        Assert.True(Directory.Exists(kernelRoot), $"lab kernel missing at {kernelRoot}: run eng/lab/fetch-kernel.sh bookworm");
        var kver = File.ReadAllText(Path.Combine(Lab.Dir, "kernels", "bookworm", "kernel-release")).Trim();
        root.LinkOutside("/lib/modules", Path.Combine(kernelRoot, "lib", "modules"));
        root.Write("/etc/kdump.conf", conf);
        // Both families are recorded; a zoned one cannot be (the record has no zones).
        root.Write("/etc/resolv.conf", "# generated\nnameserver 10.0.2.3\nnameserver fec0::3\nnameserver fe80::1%eth0\nnameserver 10.0.2.3\n");
        root.Write("/proc/net/route", routes ?? Header
            + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true)
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth0", "172.16.0.0", "10.0.2.1", 0x3, 0, "255.240.0.0", true));
        if (nic) VirtioNic(root, "eth0", "52:54:00:12:34:56", 2);
        var request = new CaptureImageRequest
        {
            Root = root.Dir,
            KernelVersion = kver,
            CaptureProgram = root.CaptureProgram(),
            Network = new HostNetwork(new DirectoryRootFileSystem(root.Dir), () => addresses, resolve ?? (_ => null), littleEndianKernel: true),
            Pacemaker = pacemaker,
        };
        return new CaptureImageBuilder(request).Build();
    }

    private static string Text(CaptureImage image, string path) =>
        Encoding.UTF8.GetString(image.Plan.Get(path)?.Content ?? throw new InvalidOperationException($"{path} not in the image"));

    [Fact]
    public void Nfs_target_records_the_static_network_and_carries_the_nic_drivers()
    {
        using var root = new TestRoot("mkdumprd-net-static");
        var image = BuildNfs(root, [Addr(1, "127.0.0.1/8", scope: 254), Addr(2, "10.0.2.15/24")]);
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\nnameserver fec0::3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
        var modules = image.Modules.Select(m => m.Name).ToList();
        foreach (var m in new[] { "virtio_net", "net_failover", "failover", "virtio_pci", "nfs", "nfsv4" }) Assert.Contains(m, modules);
        // Dependencies load first.
        Assert.True(modules.IndexOf("failover") < modules.IndexOf("virtio_net"));
        Assert.Contains("/virtio_net.ko\n", Text(image, CaptureImage.ModuleListPath), StringComparison.Ordinal);
        // An address needs no name lookup: the image gets no hosts file.
        Assert.Null(image.Plan.Get(CaptureNetworkImage.HostsPath));
    }

    [Fact]
    public void A_server_named_by_name_is_recorded_with_the_address_it_resolves_to_now()
    {
        using var root = new TestRoot("mkdumprd-net-name");
        var asked = new List<string>();
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], "nfs nfs-server.test:/export\n",
            resolve: name => { asked.Add(name); return IpA("10.0.2.100"); });
        Assert.Equal(["nfs-server.test"], asked.Distinct());
        Assert.StartsWith("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
        // kdump-capture asks no DNS server: the image's hosts file names the server.
        Assert.Equal("10.0.2.100\tnfs-server.test\n", Text(image, CaptureNetworkImage.HostsPath));
    }

    [Theory]
    [InlineData("nfs-server.test", "10.0.2.100\tnfs-server.test\n")]
    [InlineData("NAS01", "10.0.2.100\tNAS01\n")]
    [InlineData("10.0.2.100", null)]
    [InlineData("server.example.", "10.0.2.100\tserver.example.\n")]
    [InlineData("a..b", null)]
    [InlineData(".", null)]
    [InlineData("-a.b", null)]
    [InlineData("a-.b", "10.0.2.100\ta-.b\n")]
    [InlineData("under_score", "10.0.2.100\tunder_score\n")]
    [InlineData("s\u00e9rver", null)]
    [InlineData("x#comment", null)]
    public void Only_plain_dns_names_go_into_the_images_hosts_file(string host, string? line)
    {
        Assert.Equal(line, CaptureNetworkImage.HostsLine(host, IpA("10.0.2.100")));
        Assert.Null(CaptureNetworkImage.HostsLine(new string('a', 64) + ".b", IpA("10.0.0.1")));
        Assert.Null(CaptureNetworkImage.HostsLine(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)), IpA("10.0.0.1")));
    }

    [Fact]
    public void A_leased_address_is_recorded_as_dhcp()
    {
        using var root = new TestRoot("mkdumprd-net-dhcp");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24", flags: 0)]);
        // The lease is recorded, to be asked for again (DHCPDISCOVER's option 50).
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp 10.0.2.15/24\nnameserver 10.0.2.3\nnameserver fec0::3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
        var record = CaptureNetworkConfig.Parse(Text(image, CaptureNetworkConfig.ImagePath));
        Assert.Equal((AddressMethod.Dhcp, IpPrefix.TryParse("10.0.2.15/24")), (record.Method, record.Address));
        Assert.Equal(AddressMethod.Dhcp, CaptureNetworkConfig.Parse("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\n").Method);
        var e = Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.Parse("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp 10.0.2.15/24 x\n"));
        Assert.Equal("/etc/kdump/network.conf:3: 'dhcp' takes 1 value(s), found 2", e.Message);
        // The DHCP client's packet socket: af_packet only if the kernel has it as a module. Debian
        // builds it in (modules.builtin), so neither a module nor a "not found" warning here.
        Assert.DoesNotContain(CaptureNetworkImage.PacketSocketModule, image.Modules.Select(m => m.Name));
        Assert.DoesNotContain(image.Warnings, w => w.Contains(CaptureNetworkImage.PacketSocketModule, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nfs 10.0.2.100:/export\n", false, "eth0 (toward 10.0.2.100) has no IPv4 address")]
    [InlineData("nfs server.example:/export\n", true, "Bad kdump network destination: server.example")]   // unresolvable
    public void Servers_without_an_address_or_a_name_stop_the_build(string conf, bool withAddress, string message)
    {
        using var root = new TestRoot("mkdumprd-net-bad");
        var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, withAddress ? [Addr(2, "10.0.2.15/24")] : [], conf));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_server_without_a_route_stops_the_build_with_upstreams_message()
    {
        using var root = new TestRoot("mkdumprd-net-noroute");
        var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(2, "10.0.2.15/24")], "nfs 10.9.9.9:/export\n",
            Header + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)));
        Assert.Equal("Bad kdump network destination: 10.9.9.9", e.Message);
    }
}
