using System.Globalization;
using Kdump.Capture.Network;
using Kdump.Config.Network;
using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// IPv6 records: a static address waited for through DAD before its routes (through the
/// interface, to a link-local gateway), <c>auto6</c> waiting for the kernel's SLAAC address, and
/// the ssh flow naming the dump directory after the capture kernel's IPv6 address. The kernel's
/// /proc/net/if_inet6 is a file of the temp root, rewritten as time passes.
/// </summary>
public sealed partial class NetworkBringUpTests
{
    private const string Mac = "52:54:00:12:34:56";
    private const string Gateway6 = "fe80::5054:ff:fe00:101";
    private const string Static6Record = "remote fd00:2::1\ninterface eth0 52:54:00:12:34:56\nstatic fd00:1::15/64\n"
        + "gateway fe80::5054:ff:fe00:101\nroute fd00:3::/48 fe80::5054:ff:fe00:101\nnameserver fd00:2::53\n";

    /// <summary>A /proc/net/if_inet6 line as if6_seq_show prints it: "%pi6 %02x %02x %02x %02x %8s".</summary>
    private static string Inet6Line(string address, int index, int prefix, int scope, int flags, string name)
    {
        var hex = Convert.ToHexString(System.Net.IPAddress.Parse(address).GetAddressBytes()).ToLowerInvariant();
        return string.Create(CultureInfo.InvariantCulture, $"{hex} {index:x2} {prefix:x2} {scope:x2} {flags:x2} {name,8}\n");
    }

    private static string LinkLocal(int flags = 0x80) => Inet6Line("fe80::5054:ff:fe12:3456", 2, 64, 0x20, flags, "eth0");

    [Fact]
    public void A_static_ipv6_address_passes_dad_before_its_routes_through_the_interface_are_added()
    {
        Write(CaptureNetworkConfig.ImagePath, Static6Record);
        Write("/sys/class/net/eth0/address", Mac + "\n");
        // Tentative (IFA_F_PERMANENT | IFA_F_TENTATIVE) until the kernel's DAD is done 1.5 s later.
        Write("/proc/net/if_inet6", Inet6Line("fd00:1::15", 2, 64, 0, 0xc0, "eth0") + LinkLocal());
        _net.OnDelay = waited =>
        {
            // While DAD runs, no route has been added yet.
            Assert.DoesNotContain(_net.Calls, c => c.StartsWith("route", StringComparison.Ordinal));
            if (waited >= TimeSpan.FromSeconds(1.5)) Write("/proc/net/if_inet6", Inet6Line("fd00:1::15", 2, 64, 0, 0x80, "eth0") + LinkLocal());
        };
        Assert.True(BringUp(out var config));
        Assert.True(config!.IsIpv6);
        Assert.Equal(TimeSpan.FromSeconds(1.5), _net.Waited);
        Assert.Equal(
        [
            "up lo",
            "accept_ra eth0 0",     // a manual profile: no second, autoconfigured address
            "up eth0",
            "addr eth0 fd00:1::15/64",
            $"route ::/0 via {Gateway6} dev eth0",
            $"route fd00:3::/48 via {Gateway6} dev eth0",
        ], _net.Calls);
        Assert.Equal(["fd00:1::15 on eth0 passed duplicate address detection after 1.5s", $"eth0 ({Mac}) is fd00:1::15/64 via {Gateway6}"], _log);

        // accept_ra that cannot be written (a kernel without IPv6 sysctls) is logged, not fatal.
        _net.Fail = "accept_ra";
        _net.OnDelay = _ => { };
        _log.Clear();
        Assert.True(BringUp(out _));
        Assert.Equal("eth0: router advertisements not turned off: accept_ra: Permission denied", _log[0]);
        Assert.Equal("nameserver fd00:2::53\n", File.ReadAllText(Host("/etc/resolv.conf")));
    }

    [Fact]
    public void A_duplicate_address_or_one_that_is_gone_fails_and_one_still_tentative_is_tried_anyway()
    {
        Write(CaptureNetworkConfig.ImagePath, Static6Record);
        Write("/sys/class/net/eth0/address", Mac + "\n");
        Write("/proc/net/if_inet6", Inet6Line("fd00:1::15", 2, 64, 0, 0xc8, "eth0"));   // IFA_F_DADFAILED
        Assert.False(BringUp(out _));
        Assert.Equal("cannot configure eth0: another host answers for fd00:1::15 (duplicate address detection failed)", _log[^1]);
        Assert.DoesNotContain(_net.Calls, c => c.StartsWith("route", StringComparison.Ordinal));

        _log.Clear();
        Write("/proc/net/if_inet6", LinkLocal());
        Assert.False(BringUp(out _));
        Assert.Equal("cannot configure eth0: fd00:1::15 is not on it (/proc/net/if_inet6)", _log[^1]);

        _log.Clear();
        _net.Calls.Clear();
        Write("/proc/net/if_inet6", Inet6Line("fd00:1::15", 2, 64, 0, 0xc0, "eth0"));
        Assert.True(BringUp(out _));
        Assert.Equal(NetworkBringUp.DadWait, _net.Waited);
        Assert.Equal("fd00:1::15 on eth0 is still tentative after 10s; trying anyway", _log[0]);
        Assert.Contains($"route ::/0 via {Gateway6} dev eth0", _net.Calls);

        // No IPv6 table to read (a kernel without IPv6 would also refuse the address): no wait.
        _log.Clear();
        _net.Waited = TimeSpan.Zero;
        File.Delete(Host("/proc/net/if_inet6"));
        Assert.True(BringUp(out _));
        Assert.Equal(TimeSpan.Zero, _net.Waited);
    }

    [Fact]
    public void Auto6_waits_for_a_stable_global_address_from_a_router_advertisement_then_adds_its_own_routes()
    {
        Write(CaptureNetworkConfig.ImagePath, "remote fd00:2::1\ninterface eth0 52:54:00:12:34:56\nauto6\nroute fd00:3::/48 fe80::1\nnameserver fd00:2::53\n");
        Write("/sys/class/net/eth0/address", Mac + "\n");
        Write("/proc/net/if_inet6", LinkLocal());
        _net.OnDelay = waited =>
        {
            // A privacy address first (ignored: it changes), then the EUI-64 one, still tentative, then done.
            var lines = LinkLocal() + Inet6Line("fd00:1::a1b2:c3d4:e5f6:1", 2, 64, 0, 0x01, "eth0");
            if (waited >= TimeSpan.FromSeconds(3)) lines += Inet6Line("fd00:1::5054:ff:fe12:3456", 2, 64, 0, waited >= TimeSpan.FromSeconds(4) ? 0x00 : 0x40, "eth0");
            Write("/proc/net/if_inet6", lines);
        };
        Assert.True(BringUp(out var config));
        Assert.Equal(AddressMethod.Auto, config!.Method);
        Assert.Equal(["up lo", "up eth0", "route fd00:3::/48 via fe80::1 dev eth0"], _net.Calls);
        Assert.Equal(TimeSpan.FromSeconds(4), _net.Waited);
        Assert.Equal(
        [
            $"eth0 ({Mac}): the first kernel's IPv6 address was not permanent (/etc/kdump/network.conf: auto6), waiting for a router advertisement",
            $"eth0 ({Mac}) autoconfigured fd00:1::5054:ff:fe12:3456/64 after 4.0s",
        ], _log);
        Assert.Equal("nameserver fd00:2::53\n", File.ReadAllText(Host("/etc/resolv.conf")));

        _net.OnDelay = _ => { };
        _net.Waited = TimeSpan.Zero;
        _log.Clear();
        Write("/proc/net/if_inet6", LinkLocal());
        Assert.False(BringUp(out _));
        Assert.Equal(NetworkBringUp.AutoconfWait, _net.Waited);
        Assert.Equal("no IPv6 address from a router advertisement on eth0 after 30s", _log[^1]);
    }

    private const string Auto6Record = "remote fd00:2::1\ninterface eth0 52:54:00:12:34:56\nauto6\nroute fd00:3::/48 fe80::1\n";

    [Fact]
    public void Auto6_asks_dhcpv6_when_the_router_says_addresses_are_managed_and_sets_the_lease_as_a_128()
    {
        Write(CaptureNetworkConfig.ImagePath, Auto6Record);
        Write("/sys/class/net/eth0/address", Mac + "\n");
        // The link-local address is tentative for 2 s; the advertisement comes after 1 s, with M set
        // and no prefix to autoconfigure. DHCPv6 waits for the link-local address it sends from.
        Write("/proc/net/if_inet6", LinkLocal(0xc0));
        _net.Router = waited => waited >= TimeSpan.FromSeconds(1) ? new RouterAdvertisementState(true, true, false) : default;
        TimeSpan? asked = null;
        // DAD of the leased address: tentative when set, done half a second later.
        _net.Sink = call =>
        {
            if (call == "dhcp6 eth0") asked = _net.Waited;
            if (call == "addr eth0 fd00:1::100/128") Write("/proc/net/if_inet6", LinkLocal() + Inet6Line("fd00:1::100", 2, 128, 0, 0xc0, "eth0"));
        };
        _net.OnDelay = waited =>
        {
            if (waited == TimeSpan.FromSeconds(2)) Write("/proc/net/if_inet6", LinkLocal());
            if (waited >= TimeSpan.FromSeconds(2.5)) Write("/proc/net/if_inet6", LinkLocal() + Inet6Line("fd00:1::100", 2, 128, 0, 0x80, "eth0"));
        };
        Assert.True(BringUp(out var config));
        Assert.Equal(AddressMethod.Auto, config!.Method);
        Assert.Equal(["up lo", "up eth0", "dhcp6 eth0", "addr eth0 fd00:1::100/128", "route fd00:3::/48 via fe80::1 dev eth0"], _net.Calls);
        Assert.True(_net.Dhcp6.Disposed);
        Assert.Equal(TimeSpan.FromSeconds(2), asked);
        Assert.Equal(
        [
            $"eth0 ({Mac}): the first kernel's IPv6 address was not permanent (/etc/kdump/network.conf: auto6), waiting for a router advertisement",
            "eth0: the router advertisement says addresses are managed (M flag), asking DHCPv6",
            "fd00:1::100 on eth0 passed duplicate address detection after 0.5s",
            $"eth0 ({Mac}) leased fd00:1::100 by DHCPv6 from server 00:03:00:01:52:54:00:00:01:01 at fe80::5054:ff:fe00:101 for 3600s",
        ], _log);
        Assert.Equal([Kdump.Capture.Network.Dhcp6.Dhcp6MessageType.Solicit, Kdump.Capture.Network.Dhcp6.Dhcp6MessageType.Request], _net.Dhcp6.Sent.Select(s => s.Message.Type));
    }

    [Fact]
    public void Auto6_without_a_dhcpv6_lease_takes_slaacs_address_if_one_came_else_fails()
    {
        Write(CaptureNetworkConfig.ImagePath, Auto6Record);
        Write("/sys/class/net/eth0/address", Mac + "\n");
        Write("/proc/net/if_inet6", LinkLocal());
        _net.Router = _ => new RouterAdvertisementState(true, true, true);
        _net.Dhcp6.Respond = (_, _) => [];
        Assert.False(BringUp(out _));
        Assert.Equal("eth0: no DHCPv6 lease within 90s (7 Solicit, 0 Advertise, 0 Request, 0 refused)", _log[^1]);
        Assert.DoesNotContain(_net.Calls, c => c.StartsWith("route", StringComparison.Ordinal));

        // The same, with an address SLAAC made meanwhile (M and A both set): that one carries the dump.
        _log.Clear();
        _net.Dhcp6 = new Dhcp6FakeServer { Respond = (_, _) => [] };
        _net.Dhcp6.Respond = (_, n) =>
        {
            if (n == 1) Write("/proc/net/if_inet6", LinkLocal() + Inet6Line("fd00:1::5054:ff:fe12:3456", 2, 64, 0, 0x00, "eth0"));
            return [];
        };
        Assert.True(BringUp(out _));
        Assert.Equal($"eth0 ({Mac}) autoconfigured fd00:1::5054:ff:fe12:3456/64", _log[^1]);
        // DHCPv6 stopped as soon as SLAAC's address was there, not at the end of its 90 s.
        Assert.Equal(2, _net.Dhcp6.Sent.Count);
        Assert.InRange(_net.Dhcp6.Now, TimeSpan.FromSeconds(1.1), TimeSpan.FromSeconds(1.4));
        Assert.DoesNotContain(_log, l => l.Contains("no DHCPv6 lease", StringComparison.Ordinal));
        Assert.Contains("route fd00:3::/48 via fe80::1 dev eth0", _net.Calls);

        // A DHCPv6 socket that cannot be opened, and router flags that cannot be read.
        _log.Clear();
        Write("/proc/net/if_inet6", LinkLocal());
        _net.Fail = "dhcp6";
        Assert.False(BringUp(out _));
        Assert.Equal("cannot configure eth0: UDP socket on eth0 port 546: AccessDenied", _log[^1]);

        _log.Clear();
        _net.Fail = "ra";
        _net.Waited = TimeSpan.Zero;
        Assert.False(BringUp(out _));
        Assert.Equal(
        [
            $"eth0 ({Mac}): the first kernel's IPv6 address was not permanent (/etc/kdump/network.conf: auto6), waiting for a router advertisement",
            "eth0: cannot tell whether its router asks for DHCPv6: rtnetlink socket: EAFNOSUPPORT",
            "no IPv6 address from a router advertisement on eth0 after 30s",
        ], _log);
    }

    [Fact]
    public void Ssh_flow_with_an_ipv6_record_names_the_directory_after_the_capture_kernels_ipv6_address()
    {
        Write("/etc/kdump.conf", "ssh root@fd00:2::1\npath /var/crash-test\nsshkey /root/.ssh/kdump_id_rsa\ncore_collector scp\n");
        Write("/proc/cmdline", "console=ttyS0 irqpoll nr_cpus=1\n");
        Write(CaptureNetworkConfig.ImagePath, Static6Record);
        Write("/sys/class/net/eth0/address", Mac + "\n");
        Write("/proc/net/if_inet6", Inet6Line("fd00:1::15", 2, 64, 0, 0x80, "eth0"));
        var fake = new FakeCaptureSystem { HostIp = "fd00:1::15" };
        _net.Sink = fake.Events.Add;
        var rc = new CaptureFlow(new NetworkedSystem(fake, _net), new CapturePaths(_root.Path, Lab.Fixture("bookworm", "proc-vmcore.elf"))).Run();

        Assert.Equal(0, rc);
        // The route to the server is looked up once the interface has its address and routes.
        Assert.Equal(["up lo", "accept_ra eth0 0", "up eth0", "addr eth0 fd00:1::15/64", $"route ::/0 via {Gateway6} dev eth0", $"route fd00:3::/48 via {Gateway6} dev eth0",
            $"kdump: eth0 ({Mac}) is fd00:1::15/64 via {Gateway6}", "route fd00:2::1"], fake.Events.Take(8));
        Assert.Contains(fake.Events, e => e.StartsWith("run ssh -q -i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes root@fd00:2::1 mkdir -p /var/crash-test/fd00:1::15-", StringComparison.Ordinal));
        // scp needs the address in brackets (upstream's dump_ssh).
        Assert.Contains(fake.Events, e => e.StartsWith("run scp -q -i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes", StringComparison.Ordinal)
            && e.Contains(" root@[fd00:2::1]:/var/crash-test/fd00:1::15-", StringComparison.Ordinal));
    }
}
