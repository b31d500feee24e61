using Kdump.Config.Network;
using Kdump.Initramfs.Image;
using Kdump.Initramfs.Network;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// fence_kdump nodes in mkdumprd (kdump-reference §5.7, upstream's <c>kdump_configure_fence_kdump</c>):
/// the network is recorded for them even for a local dump, their names are pinned in the image's
/// hosts file, and the image gets fence_kdump_send; a node behind another interface gets that
/// interface recorded too; a node the record cannot reach stops the build with a message instead
/// of a capture that would be fenced.
/// </summary>
public sealed partial class NetworkTests
{
    private const string LocalTarget = "ext4 UUID=0b9c6d1e-1111-2222-3333-444455556666\n";

    private static System.Net.IPAddress? Cluster(string name) => name switch
    {
        "node2.test" => IpA("10.0.2.50"),
        "node3.test" => IpA("172.16.4.3"),     // through the 172.16.0.0/12 gateway route of eth0
        "node4.test" => IpA("192.168.1.4"),
        "node6.test" => IpA("fd00::6"),
        "node7.test" => IpA("fe80::7"),
        "self.test" => IpA("127.0.1.1"),        // Debian's /etc/hosts line for the machine's own name
        "me.test" => IpA("10.0.2.15"),
        _ => null,
    };

    [Fact]
    public void A_local_dump_with_fence_nodes_records_the_network_toward_the_first_and_pins_their_names()
    {
        using var root = new TestRoot("mkdumprd-fence-local");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget + "fence_kdump_args -p 7411\nfence_kdump_nodes node2.test node3.test 10.0.2.51\n",
            resolve: Cluster);

        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.50\ninterface eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\nnameserver fec0::3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
        Assert.Equal("10.0.2.50\tnode2.test\n172.16.4.3\tnode3.test\n", Text(image, CaptureNetworkImage.HostsPath));
        var sender = image.Plan.Get(CaptureImage.FenceKdumpSendPath);
        Assert.Equal((ImageEntryKind.Symlink, CaptureImage.InitPath), (sender?.Kind, sender?.LinkTarget));
        Assert.Contains("virtio_net", image.Modules.Select(m => m.Name));
        Assert.Contains("fence_kdump_nodes node2.test node3.test 10.0.2.51\n", Text(image, "/etc/kdump.conf"), StringComparison.Ordinal);
        Assert.Contains("fence_kdump_args -p 7411\n", Text(image, "/etc/kdump.conf"), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_fence_nodes_a_local_dump_records_no_network()
    {
        using var root = new TestRoot("mkdumprd-fence-none");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget + "fence_kdump_args -p 7411\n", resolve: Cluster);

        Assert.Null(image.Plan.Get(CaptureNetworkConfig.ImagePath));
        Assert.Null(image.Plan.Get(CaptureNetworkImage.HostsPath));
        Assert.Null(image.Plan.Get(CaptureImage.FenceKdumpSendPath));
        Assert.DoesNotContain("virtio_net", image.Modules.Select(m => m.Name));
    }

    [Fact]
    public void An_nfs_dump_keeps_its_servers_record_and_pins_the_fence_nodes_beside_the_server()
    {
        using var root = new TestRoot("mkdumprd-fence-nfs");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], "nfs 10.0.2.100:/export\nfence_kdump_nodes node2.test\n", resolve: Cluster);

        Assert.StartsWith("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
        Assert.Equal("10.0.2.50\tnode2.test\n", Text(image, CaptureNetworkImage.HostsPath));
    }

    /// <summary>A second virtio NIC, eth1 (index 3) at 0000:00:03.0, with <paramref name="mac"/> as sysfs shows it (a bond's slave shows the bond's).</summary>
    private static void SecondNic(TestRoot root, string mac = "52:54:00:12:34:57")
    {
        const string dev = "/sys/devices/pci0000:00/0000:00:03.0";
        root.Write($"{dev}/virtio1/net/eth1/address", mac + "\n");
        root.Write($"{dev}/virtio1/net/eth1/ifindex", "3\n");
        root.MakeDirectory("/sys/class/net");
        File.CreateSymbolicLink(root.Host("/sys/class/net/eth1"), "../../devices/pci0000:00/0000:00:03.0/virtio1/net/eth1");
        File.CreateSymbolicLink(root.Host($"{dev}/virtio1/net/eth1/device"), "../../../virtio1");
        File.CreateSymbolicLink(root.Host($"{dev}/virtio1/driver"), "../../../../bus/virtio/drivers/virtio_net");
        File.CreateSymbolicLink(root.Host($"{dev}/driver"), "../../../bus/pci/drivers/virtio-pci");
    }

    /// <summary>
    /// A cluster's usual layout: the dump goes out through eth0, the heartbeat network is eth1. The
    /// record gets a second block for eth1 (upstream brings up every interface a node is reached
    /// through): its address and routes, not its default route or nameservers, and a host route for
    /// each node behind it (more specific than any route of eth0). kdump-capture reads it back.
    /// </summary>
    [Fact]
    public void A_fence_node_behind_another_interface_gets_that_interface_recorded_as_a_second_block()
    {
        using var root = new TestRoot("mkdumprd-fence-eth1");
        SecondNic(root);
        var routes = Header
            + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true)
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "0.0.0.0", "192.168.1.1", 0x3, 100, "0.0.0.0", true)     // picked for nothing: eth0's metric is lower
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "192.168.5.0", "192.168.1.1", 0x3, 0, "255.255.255.0", true)
            + RouteLine("eth1", "192.168.200.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node4.test node8.test 10.0.2.51\n", routes,
            n => n switch { "node8.test" => IpA("192.168.200.8"), _ => Cluster(n) });

        var record = Text(image, CaptureNetworkConfig.ImagePath);
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nnameserver 10.0.2.3\nnameserver fec0::3\n"
            + "# kdump-capture network, written by mkdumprd\nremote 192.168.1.4\ninterface eth1 52:54:00:12:34:57\n"
            + "static 192.168.1.15/24\nroute 192.168.5.0/24 192.168.1.1\nroute 192.168.200.0/24\nroute 192.168.1.4/32\nroute 192.168.200.8/32\n", record);
        var read = CaptureNetworkConfig.ParseAll(record);
        Assert.Equal(["eth0", "eth1"], read.Select(b => b.Interface));
        Assert.Equal("192.168.1.4\tnode4.test\n192.168.200.8\tnode8.test\n", Text(image, CaptureNetworkImage.HostsPath));
    }

    /// <summary>
    /// eth1's default route is the kernel's pick for the node (eth0 has none): the block gets a host
    /// route through eth1's gateway, not a default route that would take the dump's traffic.
    /// </summary>
    [Fact]
    public void A_fence_node_behind_another_interfaces_default_route_gets_a_host_route()
    {
        using var root = new TestRoot("mkdumprd-fence-eth1-default");
        SecondNic(root);
        var routes = Header
            + RouteLine("eth0", "10.0.0.0", "10.0.2.2", 0x3, 0, "255.0.0.0", true)
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "0.0.0.0", "192.168.1.1", 0x3, 0, "0.0.0.0", true)
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node3.test node9.test\n", routes,
            n => n switch { "node9.test" => IpA("172.20.0.9"), _ => Cluster(n) });

        Assert.EndsWith("remote 172.16.4.3\ninterface eth1 52:54:00:12:34:57\nstatic 192.168.1.15/24\n"
            + "route 172.16.4.3/32 192.168.1.1\nroute 172.20.0.9/32 192.168.1.1\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
    }

    /// <summary>
    /// eth1's default route without a gateway (a point-to-point link) and a destination eth0 has too:
    /// neither goes into eth1's block (the default would take the dump's traffic; the second
    /// 172.16.0.0/12 would meet EEXIST and eth0's would stay), the node's on-link host route does.
    /// </summary>
    [Fact]
    public void A_second_block_takes_no_default_route_and_no_destination_of_the_first()
    {
        using var root = new TestRoot("mkdumprd-fence-eth1-onlink");
        SecondNic(root);
        var routes = Header
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth0", "172.16.0.0", "10.0.2.1", 0x3, 100, "255.240.0.0", true)
            + RouteLine("eth1", "172.16.0.0", "192.168.1.1", 0x3, 0, "255.240.0.0", true)
            + RouteLine("eth1", "0.0.0.0", "0.0.0.0", 0x1, 0, "0.0.0.0", true)
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node3.test node9.test\n", routes,
            n => n switch { "node9.test" => IpA("198.51.100.9"), _ => Cluster(n) });

        Assert.EndsWith("remote 172.16.4.3\ninterface eth1 52:54:00:12:34:57\nstatic 192.168.1.15/24\n"
            + "route 172.16.4.3/32 192.168.1.1\nroute 198.51.100.9/32\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
    }

    /// <summary>
    /// eth1 reaches its gateway 192.168.200.1 through an on-link route whose destination eth0 has
    /// too (through a gateway): that route is left to eth0's block, so eth1's gets an on-link host
    /// route to its gateway, without which the kernel refuses the routes through it.
    /// </summary>
    [Fact]
    public void A_gateway_reached_through_a_route_left_to_the_first_block_gets_its_own_on_link_route()
    {
        using var root = new TestRoot("mkdumprd-fence-eth1-gateway");
        SecondNic(root);
        var routes = Header
            + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true)
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth0", "192.168.200.0", "10.0.2.1", 0x3, 100, "255.255.255.0", true)
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "192.168.200.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "172.20.0.0", "192.168.200.1", 0x3, 0, "255.255.0.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node9.test\n", routes,
            n => n switch { "node9.test" => IpA("172.20.0.9"), _ => Cluster(n) });

        Assert.EndsWith("remote 172.20.0.9\ninterface eth1 52:54:00:12:34:57\nstatic 192.168.1.15/24\n"
            + "route 172.20.0.0/16 192.168.200.1\nroute 192.168.200.1/32\nroute 172.20.0.9/32 192.168.200.1\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
    }

    /// <summary>
    /// One trunk NIC carries both networks: the dump goes out through eth0 and the heartbeat is
    /// VLAN 100 on it, or the other way round. The heartbeat's block declares what it shares with
    /// the dump's (eth0 below the VLAN, or eth0 itself), which kdump-capture makes once, for the
    /// dump's block; the record reads back.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fence_node_across_a_vlan_of_the_dumps_nic_shares_that_nic(bool dumpOnVlan)
    {
        using var root = new TestRoot($"mkdumprd-fence-vlan-{dumpOnVlan}");
        root.MakeDirectory("/sys/class/net");
        Vlan(root, "eth0.100", 100, "eth0", "52:54:00:12:34:56", 5);
        var (dump, dumpIndex, heartbeat, heartbeatIndex) = dumpOnVlan ? ("eth0.100", 5, "eth0", 2) : ("eth0", 2, "eth0.100", 5);
        var routes = Header
            + RouteLine(dump, "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true)
            + RouteLine(dump, "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine(heartbeat, "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
        var image = BuildNfs(root, [Addr(dumpIndex, "10.0.2.15/24"), Addr(heartbeatIndex, "192.168.1.15/24")],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node4.test\n", routes, Cluster);

        var record = Text(image, CaptureNetworkConfig.ImagePath);
        var links = dumpOnVlan ? "" : "vlan eth0.100 52:54:00:12:34:56 100 eth0\nnic eth0 52:54:00:12:34:56\n";
        Assert.EndsWith($"# kdump-capture network, written by mkdumprd\nremote 192.168.1.4\ninterface {heartbeat} 52:54:00:12:34:56\n"
            + links + "static 192.168.1.15/24\nroute 192.168.1.4/32\n", record, StringComparison.Ordinal);
        Assert.Equal([dump, heartbeat], CaptureNetworkConfig.ParseAll(record).Select(b => b.Interface));
        Assert.Contains("8021q", image.Modules.Select(m => m.Name));
    }

    /// <summary>
    /// A node whose route leaves through a NIC the dump's bond has as a slave: an address on a bond
    /// slave the capture kernel cannot bring up beside the bond, so the build stops.
    /// </summary>
    [Fact]
    public void A_fence_node_behind_a_slave_of_the_dumps_bond_stops_the_build()
    {
        using var root = new TestRoot("mkdumprd-fence-slave");
        Bond(root, "active-backup 1");
        var routes = Header
            + RouteLine("bond0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
        var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(4, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node4.test\n", routes, Cluster, nic: false));
        Assert.Equal("fence_kdump node node4.test is reached through eth1, which cannot be brought up beside bond0 (toward 10.0.2.100):"
            + " eth1 is the interface of one and a slave of bond0 in the other", e.Message);
    }

    /// <summary>
    /// A heartbeat NIC whose address is leased (a cloud cluster's second NIC): recorded as
    /// <c>dhcp</c> with its lease (asked for again) and the nodes' routes, and leased again in the
    /// capture kernel without its router or nameservers. A node behind a gateway gets its host
    /// route through it, and the gateway an on-link one of its own: the next lease may be on
    /// another subnet than the recorded one.
    /// </summary>
    [Fact]
    public void A_fence_node_behind_a_leased_interface_records_that_interface_as_leased()
    {
        using var root = new TestRoot("mkdumprd-fence-eth1-dhcp");
        SecondNic(root);
        var routes = Header
            + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true)
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth1", "172.20.0.0", "192.168.1.1", 0x3, 0, "255.255.0.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24", flags: 0)],
            "nfs 10.0.2.100:/export\nfence_kdump_nodes node4.test node9.test\n", routes,
            n => n switch { "node9.test" => IpA("172.20.0.9"), _ => Cluster(n) });

        var record = Text(image, CaptureNetworkConfig.ImagePath);
        Assert.EndsWith("# kdump-capture network, written by mkdumprd\nremote 192.168.1.4\ninterface eth1 52:54:00:12:34:57\ndhcp 192.168.1.15/24\n"
            + "route 192.168.1.4/32\nroute 172.20.0.9/32 192.168.1.1\nroute 192.168.1.1/32\n", record, StringComparison.Ordinal);
        Assert.Equal([AddressMethod.Static, AddressMethod.Dhcp], CaptureNetworkConfig.ParseAll(record).Select(b => b.Method));
    }

    /// <summary>
    /// A heartbeat NIC whose IPv6 address SLAAC (or DHCPv6) made is recorded as auto6, with the
    /// route to the node and without the advertised default route, which the capture kernel
    /// keeps off that interface (accept_ra_defrtr 0).
    /// </summary>
    [Fact]
    public void A_fence_node_behind_an_autoconfigured_interface_records_that_interface_as_auto6()
    {
        using var root = new TestRoot("mkdumprd-fence-eth1-auto6");
        SecondNic(root);
        var image = BuildIpv6(root, "nfs [fd00:2::1]:/export\nfence_kdump_nodes fd00:5::9\n",
            ifInet6: GuestIfInet6 + "fd000005000000000000000000000015 03 40 00 00     eth1\n",
            routes: GuestIpv6Routes + "fd000005000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1\n");
        var record = Text(image, CaptureNetworkConfig.ImagePath);
        Assert.EndsWith("\nremote fd00:5::9\ninterface eth1 52:54:00:12:34:57\nauto6\nroute fd00:5::9/128\n", record, StringComparison.Ordinal);
        Assert.Equal([AddressMethod.Static, AddressMethod.Auto], CaptureNetworkConfig.ParseAll(record).Select(b => b.Method));
    }

    [Theory]
    [InlineData("node4.test", "eth1 (toward node4.test) is a software interface (team, …): not supported by the minimal backend")]
    [InlineData("node6.test", "fence_kdump node node6.test (fd00::6) is not of the family of 10.0.2.100, also reached through eth0: the minimal backend configures an interface in one family")]
    [InlineData("node5.test", "Bad kdump network destination: node5.test")]
    [InlineData("node7.test", "fence_kdump node node7.test (fe80::7): not a routable IPv6 unicast address (a link-local node needs a zone the image cannot carry)")]
    [InlineData("10.9.9.9", "Bad kdump network destination: 10.9.9.9")]
    public void A_fence_node_that_cannot_be_recorded_stops_the_build(string node, string message)
    {
        using var root = new TestRoot("mkdumprd-fence-bad");
        // fd00::/64 on eth0 (RTF_UP), so node6.test leaves through the IPv4 server's interface.
        root.Write(ProcNetIpv6.RoutePath, "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n");
        var routes = Header
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth0", "172.16.0.0", "10.0.2.1", 0x3, 0, "255.240.0.0", true)
            + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
        var e = Assert.Throws<InitramfsBuildException>(() =>
            BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")], $"nfs 10.0.2.100:/export\nfence_kdump_nodes {node}\n", routes, Cluster));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void This_machine_among_the_nodes_is_left_out_as_upstreams_is_localhost_does()
    {
        using var root = new TestRoot("mkdumprd-fence-self");
        // The whole cluster listed, this node first under two of its names.
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget + "fence_kdump_nodes self.test me.test 10.0.2.15 node2.test\n", resolve: Cluster);

        Assert.StartsWith("# kdump-capture network, written by mkdumprd\nremote 10.0.2.50\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
        Assert.Equal("10.0.2.50\tnode2.test\n", Text(image, CaptureNetworkImage.HostsPath));

        // Only this machine: nothing to reach, no network.
        using var alone = new TestRoot("mkdumprd-fence-alone");
        image = BuildNfs(alone, [Addr(2, "10.0.2.15/24")], LocalTarget + "fence_kdump_nodes self.test me.test\n", resolve: Cluster);
        Assert.Null(image.Plan.Get(CaptureNetworkConfig.ImagePath));
    }
}
