using Kdump.Config;
using Kdump.Config.Network;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// Routes without a gateway (<c>ip route add 192.168.200.0/24 dev eth0</c>): recorded as
/// <c>route PREFIX</c> and made again on the link, unless they are an address's own prefix route,
/// link-local, multicast or a router advertisement's, which the capture kernel makes itself.
/// </summary>
public sealed partial class NetworkTests
{
    [Fact]
    public void An_on_link_route_of_the_interface_is_recorded_without_a_gateway()
    {
        using var root = new TestRoot("mkdumprd-net-onlink");
        var routes = Header
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)           // the address's own: not recorded
            + RouteLine("eth0", "192.168.200.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)      // by hand, on the link
            + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 0, "0.0.0.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], "nfs 192.168.200.7:/export\n", routes);

        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 192.168.200.7\ninterface eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 192.168.200.0/24\nnameserver 10.0.2.3\nnameserver fec0::3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
    }

    [Fact]
    public void An_ipv6_on_link_route_is_recorded_and_the_kernels_own_are_not()
    {
        using var root = new TestRoot("mkdumprd-net-onlink6");
        // The guest's table (its prefix, fe80::/64 and ff00::/8 routes have no gateway) and fd00:3::/64 dev eth0.
        var routes = GuestIpv6Routes
            + "fd000003000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 00000001     eth0\n";
        var image = BuildIpv6(root, "nfs [fd00:3::9]:/export\n", routes: routes);

        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote fd00:3::9\ninterface eth0 52:54:00:12:34:56\n"
            + "static fd00:1::15/64\ngateway fe80::5054:ff:fe00:101\nroute fd00:3::/64\nnameserver fec0::3\nnameserver 10.0.2.3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
    }

    [Fact]
    public void The_record_reads_routes_with_and_without_a_gateway()
    {
        const string text = "remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\nroute 172.16.0.0/12 10.0.2.1\nroute 192.168.200.0/24\n";
        var config = CaptureNetworkConfig.Parse(text);
        Assert.Equal([new StaticRoute(Net("172.16.0.0/12"), IpA("10.0.2.1")), new StaticRoute(Net("192.168.200.0/24"), null)], config.Routes);
        Assert.True(config.Routes[1].IsOnLink);
        Assert.EndsWith("route 172.16.0.0/12 10.0.2.1\nroute 192.168.200.0/24\n", config.Format(), StringComparison.Ordinal);

        var e = Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.Parse(text + "route\n"));
        Assert.Equal("/etc/kdump/network.conf:6: 'route' takes a destination and an optional gateway, found 0 value(s)", e.Message);
        e = Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.Parse(text + "route 10.1.0.0/16 10.0.2.1 eth0\n"));
        Assert.Equal("/etc/kdump/network.conf:6: 'route' takes a destination and an optional gateway, found 3 value(s)", e.Message);
        // A DHCP lease brings its router: no gateway beside it (routes may be, as a leased
        // interface toward fence_kdump nodes has them).
        e = Assert.Throws<KdumpConfigException>(() => CaptureNetworkConfig.Parse("remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\ngateway 10.0.2.2\n"));
        Assert.Equal("/etc/kdump/network.conf: 'gateway' goes with 'static' only (DHCP gives 'dhcp' its router)", e.Message);
    }

    [Fact]
    public void A_second_addresss_prefix_is_recorded_and_one_route_per_destination_the_lowest_metrics()
    {
        using var root = new TestRoot("mkdumprd-net-onlink-dups");
        var routes = Header
            + RouteLine("eth0", "0.0.0.0", "0.0.0.0", 0x1, 50, "0.0.0.0", true)                   // a default on the link: the gateway line wins
            + RouteLine("eth0", "0.0.0.0", "10.0.2.2", 0x3, 100, "0.0.0.0", true)
            + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
            + RouteLine("eth0", "192.168.7.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)          // the second address's prefix
            + RouteLine("eth0", "172.16.0.0", "10.0.2.9", 0x3, 200, "255.240.0.0", true)          // NetworkManager's copy, higher metric
            + RouteLine("eth0", "172.16.0.0", "10.0.2.1", 0x3, 0, "255.240.0.0", true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(2, "192.168.7.20/24")], "nfs 10.0.2.100:/export\n", routes);

        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nroute 192.168.7.0/24\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\nnameserver fec0::3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
    }

    [Fact]
    public void A_static_ipv6_record_keeps_an_advertised_on_link_prefix_since_it_turns_advertisements_off()
    {
        using var root = new TestRoot("mkdumprd-net-onlink6-ra");
        // fd00:4::/64 from a router advertisement's prefix option (RTF_UP|RTF_ADDRCONF|RTF_PREFIX_RT).
        var routes = GuestIpv6Routes
            + "fd000004000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00440001     eth0\n";
        var image = BuildIpv6(root, "nfs [fd00:2::1]:/export\n", routes: routes);

        Assert.Contains("\nroute fd00:4::/64\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
    }
}
