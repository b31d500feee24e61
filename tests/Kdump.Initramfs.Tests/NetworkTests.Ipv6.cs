using System.Text;
using Kdump.Config;
using Kdump.Config.IO;
using Kdump.Config.Network;
using Kdump.Initramfs.Network;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// mkdumprd's IPv6 part: /proc/net/ipv6_route and /proc/net/if_inet6 as the kernel prints them,
/// <c>ip -6 route get</c>'s route and source address, and the record of an IPv6 server (static
/// or auto6) on a prepared root; plus this machine's own IPv6 addresses against <c>ip</c>.
/// </summary>
public sealed partial class NetworkTests
{
    // The bookworm guest's tables in `network-vm.sh ssh ipv6` (its NETVM-IPV6ROUTE and
    // NETVM-IFINET6 lines): fd00:1::15/64 on eth0, the default route via the server guest's
    // link-local address, the kernel's own local, multicast and unreachable routes.
    private const string GuestIpv6Routes =
        "fd000001000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n"
        + "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
        + "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000505400fffe000101 00000400 00000001 00000000 00000003     eth0\n"
        + "fd000001000000000000000000000015 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0\n"
        + "fe80000000000000505400fffe123456 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0\n"
        + "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0\n"
        + "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

    private const string GuestIfInet6 =
        "fd000001000000000000000000000015 02 40 00 80     eth0\n"
        + "fe80000000000000505400fffe123456 02 40 20 80     eth0\n";

    [Fact]
    public void The_guests_ipv6_tables_read_as_ip_shows_them()
    {
        var routes = ProcNetIpv6.ParseRoutes(GuestIpv6Routes);
        // Local (RTF_LOCAL) routes are not ways out; the main table's catch-all unreachable route
        // (RTF_REJECT) is, for a destination nothing else holds, a way to nowhere.
        Assert.Equal(["fd00:1::/64 dev eth0 metric 256", "fe80::/64 dev eth0 metric 256", "::/0 via fe80::5054:ff:fe00:101 dev eth0 metric 1024", "ff00::/8 dev eth0 metric 256",
                "reject ::/0 dev lo metric 4294967295"],
            routes.Select(r => r.ToString()));
        var addresses = ProcNetIpv6.ParseAddresses(GuestIfInet6);
        Assert.Equal(["eth0 2 fd00:1::15/64 0 True", "eth0 2 fe80::5054:ff:fe12:3456/64 32 True"],
            addresses.Select(a => $"{a.Interface} {a.InterfaceIndex} {a.Address} {a.Scope} {a.IsPermanent}"));

        var server = IpA("fd00:2::1");
        Assert.Equal("::/0 via fe80::5054:ff:fe00:101 dev eth0 metric 1024", Ipv6RouteLookup.Find(routes, server)?.ToString());
        Assert.Equal("fd00:1::/64 dev eth0 metric 256", Ipv6RouteLookup.Find(routes, IpA("fd00:1::1"))?.ToString());
        Assert.Equal("fd00:1::15/64", Ipv6RouteLookup.SourceAddress(addresses, server)?.Address.ToString());
    }

    [Theory]
    // Global, past DAD, stable before temporary, then the longest common prefix with the destination.
    // Each unusable address is nearer the destination than the one expected, or listed before it.
    [InlineData("2001:db8:1::9", "2001:db8:1::15/64")]
    [InlineData("fd00:9::1", "fd00:1::15/64")]
    public void The_ipv6_source_is_a_stable_global_address_nearest_the_destination(string destination, string expected)
    {
        var addresses = new[]
        {
            new Ipv6InterfaceAddress("eth0", 2, Net("2001:db8:1::9/128"), 0x20, 0x80),     // link scope (a made-up one: the destination itself)
            new Ipv6InterfaceAddress("eth0", 2, Net("fd00:1::99/64"), 0, 0x01),            // temporary
            new Ipv6InterfaceAddress("eth0", 2, Net("2001:db8:1::8/64"), 0, 0xc0),         // tentative
            new Ipv6InterfaceAddress("eth0", 2, Net("2001:db8:1::b/64"), 0, 0x20),         // deprecated
            new Ipv6InterfaceAddress("eth0", 2, Net("2001:db8:1::d/64"), 0, 0x88),         // DAD failed
            new Ipv6InterfaceAddress("eth0", 2, Net("fd00:1::15/64"), 0, 0x80),
            new Ipv6InterfaceAddress("eth0", 2, Net("2001:db8:1::15/64"), 0, 0x00),
        };
        Assert.Equal(expected, Ipv6RouteLookup.SourceAddress(addresses, IpA(destination))?.Address.ToString());
    }

    [Theory]
    [InlineData("fd00 40 0 00 0 00000100 1 0 1 eth0\n", "/proc/net/ipv6_route:1: destination 'fd00' is not 32 hex digits")]
    [InlineData("fd000001000000000000000000000000 81 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001 eth0\n", "/proc/net/ipv6_route:1: destination length 129 is over 128")]
    [InlineData("fd000001000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 0000010g 00000002 00000000 00000001 eth0\n", "/proc/net/ipv6_route:1: metric '0000010g' is not a 32-bit hex number")]
    [InlineData("fd000001000000000000000000000000 40 00 eth0\n", "/proc/net/ipv6_route:1: 4 fields, expected 10")]
    public void Malformed_ipv6_route_lines_are_named(string line, string message)
    {
        var e = Assert.Throws<KdumpConfigException>(() => ProcNetIpv6.ParseRoutes(line));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("fd000001000000000000000000000015 02 40 00 80\n", "/proc/net/if_inet6:1: 5 fields, expected 6")]
    [InlineData("fd000001000000000000000000000015 02 81 00 80 eth0\n", "/proc/net/if_inet6:1: a value out of range in 'fd000001000000000000000000000015 02 81 00 80 eth0'")]
    [InlineData("fd00000100000000000000000000001x 02 40 00 80 eth0\n", "/proc/net/if_inet6:1: address 'fd00000100000000000000000000001x' is not 32 hex digits")]
    public void Malformed_if_inet6_lines_are_named(string line, string message)
    {
        var e = Assert.Throws<KdumpConfigException>(() => ProcNetIpv6.ParseAddresses(line));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void This_machines_ipv6_addresses_read_as_ip_prints_them()
    {
        // `ip -o -6 addr show`: "N: IF    inet6 A/P scope S ..." (this machine has at least lo's ::1).
        var ip = Encoding.UTF8.GetString(ExternalProcess.Run("ip", ["-o", "-6", "addr", "show"]).Stdout)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(w => $"{w[0].TrimEnd(':')} {w[1]} {w[3]}").Order(StringComparer.Ordinal).ToList();
        var ours = HostNetwork.Live("/").Ipv6Addresses().Select(a => $"{a.InterfaceIndex} {a.Interface} {a.Address}").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(ours);
        Assert.Equal(ip, ours);
        Assert.NotEmpty(HostNetwork.Live("/").Ipv6Routes());
    }

    private static CaptureImage BuildIpv6(TestRoot root, string conf, string ifInet6 = GuestIfInet6, string routes = GuestIpv6Routes,
        Func<string, System.Net.IPAddress?>? resolve = null)
    {
        root.Write(ProcNetIpv6.RoutePath, routes);
        root.Write(ProcNetIpv6.AddressPath, ifInet6);
        return BuildNfs(root, [], conf, resolve: resolve);
    }

    [Fact]
    public void An_ipv6_server_is_recorded_with_the_permanent_address_and_the_link_local_gateway()
    {
        using var root = new TestRoot("mkdumprd-net-ipv6");
        var image = BuildIpv6(root, "nfs [fd00:2::1]:/export\npath /crash\n");
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote fd00:2::1\ninterface eth0 52:54:00:12:34:56\n"
            + "static fd00:1::15/64\ngateway fe80::5054:ff:fe00:101\nnameserver fec0::3\nnameserver 10.0.2.3\n",
            Text(image, CaptureNetworkConfig.ImagePath));
        // ipv6 is built into Debian's kernel (modules.builtin): no module, no warning.
        Assert.DoesNotContain(CaptureNetworkImage.Ipv6Module, image.Modules.Select(m => m.Name));
        Assert.DoesNotContain(image.Warnings, w => w.Contains(CaptureNetworkImage.Ipv6Module, StringComparison.Ordinal));
        Assert.Null(image.Plan.Get(CaptureNetworkImage.HostsPath));

        // A name that resolves to IPv6 only: pinned in the image's hosts file as for IPv4.
        using var named = new TestRoot("mkdumprd-net-ipv6-name");
        image = BuildIpv6(named, "nfs nfs6.test:/export\npath /crash\n", resolve: _ => IpA("fd00:2::1"));
        Assert.StartsWith("# kdump-capture network, written by mkdumprd\nremote fd00:2::1\n", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
        Assert.Equal("fd00:2::1\tnfs6.test\n", Text(image, CaptureNetworkImage.HostsPath));
    }

    [Fact]
    public void An_ipv6_address_that_is_not_permanent_is_recorded_as_auto6_with_the_routes_set_up_by_hand()
    {
        using var root = new TestRoot("mkdumprd-net-auto6");
        // The bookworm guest's tables in `network-vm.sh ssh auto6` (SLAAC from the server guest's
        // advertisements: the address without IFA_F_PERMANENT, the prefix route and the default
        // router with RTF_ADDRCONF), and two lines added here in the same format: a route
        // information option's route (RTF_ROUTEINFO|ADDRCONF|…), which the capture kernel's SLAAC
        // hears again, and a route added by hand (RTF_UP|GATEWAY), which it would not.
        const string routes =
            "fd000001000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 004c0001     eth0\n"
            + "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n"
            + "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000505400fffe000101 00000400 00000001 00000000 00450003     eth0\n"
            + "fd00000100000000505400fffe123456 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0\n"
            + "fe80000000000000505400fffe123456 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0\n"
            + "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000004 00000000 00000001     eth0\n"
            + "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
            + "fd000004000000000000000000000000 30 00000000000000000000000000000000 00 fe80000000000000505400fffe000101 00000400 00000001 00000000 00c40003     eth0\n"
            + "fd000003000000000000000000000000 30 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n";
        const string addresses =
            "fd00000100000000505400fffe123456 02 40 00 00     eth0\n"
            + "fe80000000000000505400fffe123456 02 40 20 80     eth0\n";
        var image = BuildIpv6(root, "nfs [fd00:2::1]:/export\npath /crash\n", ifInet6: addresses, routes: routes);
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote fd00:2::1\ninterface eth0 52:54:00:12:34:56\n"
            + "auto6\nroute fd00:3::/48 fe80::1\nnameserver fec0::3\nnameserver 10.0.2.3\n", Text(image, CaptureNetworkConfig.ImagePath));
    }

    [Fact]
    public void An_ipv4_mapped_server_is_the_ipv4_server_it_maps()
    {
        using var root = new TestRoot("mkdumprd-net-mapped");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], "nfs [::ffff:10.0.2.100]:/export\n");
        Assert.StartsWith("# kdump-capture network, written by mkdumprd\nremote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\n",
            Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_record_asks_for_the_ipv6_module_where_the_kernel_has_it_as_one()
    {
        using var root = new TestRoot("mkdumprd-net-ipv6-module");
        root.Write(ProcNetIpv6.RoutePath, GuestIpv6Routes);
        root.Write(ProcNetIpv6.AddressPath, GuestIfInet6);
        root.Write("/etc/resolv.conf", "");
        VirtioNic(root, "eth0", "52:54:00:12:34:56", 2);
        var facts = new HostNetwork(new DirectoryRootFileSystem(root.Dir), () => [], _ => null, littleEndianKernel: true);
        var warnings = new List<string>();
        // Whether it is built in is the caller's question (modules.builtin); an IPv4 record does not ask.
        var ifModules = CaptureNetworkImage.Install(new Kdump.Initramfs.Image.ImagePlan(), facts, "fd00:2::1", [], warnings).IfModules;
        Assert.Equal([CaptureNetworkImage.Ipv6Module], ifModules);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("nfs [fe80::1]:/export\n", GuestIfInet6, "fe80::1: not a routable IPv6 unicast address (a link-local server needs a zone the record cannot carry)")]
    [InlineData("nfs [fd00:1::15]:/export\n", GuestIfInet6, "fd00:1::15 is this machine (one of its own addresses): not a remote dump target")]
    [InlineData("nfs [fd00:2::1]:/export\n", "fe80000000000000505400fffe123456 02 40 20 80     eth0\n", "eth0 (toward fd00:2::1) has no global IPv6 address")]
    public void Ipv6_servers_the_capture_kernel_cannot_reach_stop_the_build(string conf, string ifInet6, string message)
    {
        using var root = new TestRoot("mkdumprd-net-ipv6-bad");
        var e = Assert.Throws<InitramfsBuildException>(() => BuildIpv6(root, conf, ifInet6));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_ipv6_server_without_a_route_gets_upstreams_message()
    {
        using var root = new TestRoot("mkdumprd-net-ipv6-noroute");
        var onlyLinks = string.Join('\n', GuestIpv6Routes.Split('\n').Where(l => !l.StartsWith("00000000000000000000000000000000 00 ", StringComparison.Ordinal)));
        var e = Assert.Throws<InitramfsBuildException>(() => BuildIpv6(root, "nfs [fd00:2::1]:/export\n", routes: onlyLinks));
        Assert.Equal("Bad kdump network destination: fd00:2::1", e.Message);
    }

    [Fact]
    public void Ipv6_records_round_trip_and_prefixes_compare_by_their_bits()
    {
        var config = new CaptureNetworkConfig(IpA("2001:db8:2::1"), "eth0", "52:54:00:12:34:56", AddressMethod.Static, Net("2001:db8:1::15/64"),
            IpA("fe80::1"), [new StaticRoute(Net("2001:db8:5::/48"), IpA("2001:db8:1::1"))], [IpA("2001:db8::53"), IpA("10.0.2.3")]);
        var text = config.Format();
        Assert.Equal("# kdump-capture network, written by mkdumprd\nremote 2001:db8:2::1\ninterface eth0 52:54:00:12:34:56\nstatic 2001:db8:1::15/64\n"
            + "gateway fe80::1\nroute 2001:db8:5::/48 2001:db8:1::1\nnameserver 2001:db8::53\nnameserver 10.0.2.3\n", text);
        Assert.Equal(text, CaptureNetworkConfig.Parse(text).Format());
        // Addresses are written as ip prints them, whatever kdump.conf's spelling.
        Assert.Equal("remote 2001:db8:2::1", CaptureNetworkConfig.Parse("remote 2001:0DB8:0002:0000::0001\ninterface eth0 52:54:00:12:34:56\nauto6\n").Format().Split('\n')[1]);

        Assert.True(Net("fd00:1::/64").Contains(IpA("fd00:1::ffff")));
        Assert.False(Net("fd00:1::/64").Contains(IpA("fd00:2::1")));
        Assert.True(Net("fd00::/63").Contains(IpA("fd00:0:0:1::1")));
        Assert.False(Net("fd00::/64").Contains(IpA("fd00:0:0:1::1")));
        Assert.False(Net("fd00:1::/65").Contains(IpA("fd00:1:0:0:8000::1")));
        Assert.True(Net("::/0").Contains(IpA("2001:db8::1")));
        Assert.False(Net("::/0").Contains(IpA("10.0.0.1")));   // another family
        Assert.True(Net("10.0.2.0/23").Contains(IpA("10.0.3.9")));
        Assert.Null(IpPrefix.TryParse("fd00::1/129"));
        Assert.Null(IpPrefix.TryParseAddress("10.0.2"));
        Assert.Null(IpPrefix.TryParseAddress("fe80::1%eth0"));
        Assert.Null(IpPrefix.TryParseAddress("::ffff:10.0.2.1x"));
    }
}
