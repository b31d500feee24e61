using Kdump.Config.Network;
using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// fence_kdump in the capture flow (kdump-reference §5.7, upstream's <c>fence_kdump_notify</c>):
/// the network is brought up for the nodes even when the dump is local, and the sender starts
/// in the background with kdump.conf's arguments before anything is dumped.
/// </summary>
public sealed partial class NetworkBringUpTests
{
    private (int Rc, List<string> Events) RunFlow(string conf, string? record = StaticRecord)
    {
        Write("/etc/kdump.conf", conf);
        Write("/etc/fstab", "UUID=0b9c /kdumproot ext4 defaults 0 0\n");
        Write("/proc/cmdline", "console=ttyS0 irqpoll nr_cpus=1\n");
        if (record is not null) Write(CaptureNetworkConfig.ImagePath, record);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        var fake = new FakeCaptureSystem { HostIp = "10.0.2.15" };
        // The collector writes its output (the flow renames vmcore-incomplete only when it exists).
        fake.Programs["makedumpfile"] = (argv, stdout) =>
        {
            if (stdout is not null || !argv[^1].StartsWith(_root.Path, StringComparison.Ordinal)) return 0;
            File.WriteAllText(argv[^1], "dump");
            return 0;
        };
        _net.Sink = fake.Events.Add;
        var rc = new CaptureFlow(new NetworkedSystem(fake, _net), new CapturePaths(_root.Path, Lab.Fixture("bookworm", "proc-vmcore.elf"))).Run();
        return (rc, fake.Events);
    }

    [Fact]
    public void A_local_dump_with_fence_kdump_nodes_brings_the_network_up_and_notifies_before_dumping()
    {
        var (rc, events) = RunFlow("ext4 UUID=0b9c\nfence_kdump_args -p 7411  -i 1\nfence_kdump_nodes node2.test 10.0.2.51\n");

        Assert.Equal(0, rc);
        Assert.Equal(
        [
            "up lo", "addr eth0 10.0.2.15/24", "up eth0", "route 0.0.0.0/0 via 10.0.2.2", "route 172.16.0.0/12 via 10.0.2.1",
            "kdump: eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
            "kdump: fence_kdump: notifying node2.test 10.0.2.51 (-p 7411 -i 1)",
            "fence_kdump_send -p 7411 -i 1 node2.test 10.0.2.51",
            "mount UUID=0b9c ext4 defaults",
        ], events.Take(9));
        // A local dump looks up no route to a server: its directory is named after 127.0.0.1, as upstream's.
        Assert.DoesNotContain(events, e => e.StartsWith("route 10.", StringComparison.Ordinal));
        Assert.Contains(events, e => e.StartsWith("kdump: saving to /kdumproot/var/crash/127.0.0.1-", StringComparison.Ordinal));
        Assert.Contains("kdump: saving vmcore complete", events);
    }

    [Fact]
    public void Without_fence_kdump_nodes_a_local_dump_leaves_the_recorded_network_alone()
    {
        var (rc, events) = RunFlow("ext4 UUID=0b9c\nfence_kdump_args -p 7411\n");

        Assert.Equal(0, rc);
        Assert.Empty(_net.Calls);
        Assert.DoesNotContain(events, e => e.Contains("fence_kdump", StringComparison.Ordinal));
    }

    [Fact]
    public void A_local_dump_goes_on_when_the_network_for_the_fence_nodes_fails_and_the_sender_still_starts()
    {
        _net.Fail = "addr";
        var (rc, events) = RunFlow("ext4 UUID=0b9c\nfence_kdump_nodes 10.0.2.50\nfailure_action poweroff\n");

        Assert.Equal(0, rc);
        // As upstream's, which starts it whatever the network did: part of it may work.
        var warned = events.IndexOf("kdump: fence_kdump: eth0 is not up, the cluster nodes reached through it may not hear of this capture");
        Assert.True(warned >= 0, string.Join('\n', events));
        Assert.Equal(warned + 2, events.IndexOf("fence_kdump_send 10.0.2.50"));
        Assert.Single(events, e => e.StartsWith("fence_kdump_send", StringComparison.Ordinal));
        Assert.Contains("kdump: saving vmcore complete", events);
        Assert.DoesNotContain("kdump: Executing failure action systemctl poweroff -f", events);
    }

    [Fact]
    public void A_record_that_cannot_be_read_is_warned_of_as_no_network_at_all()
    {
        var (rc, events) = RunFlow("ext4 UUID=0b9c\nfence_kdump_nodes 10.0.2.50\n", "remote 10.0.2.100\n");

        Assert.Equal(0, rc);
        Assert.Contains("kdump: fence_kdump: the network is not up, the cluster nodes may not hear of this capture", events);
        Assert.Single(events, e => e.StartsWith("fence_kdump_send", StringComparison.Ordinal));
    }

    [Fact]
    public void An_ssh_dump_whose_network_fails_notifies_the_nodes_before_its_failure_action()
    {
        _net.Fail = "addr";
        var (rc, events) = RunFlow("ssh root@10.0.2.100\nsshkey /root/.ssh/kdump_id_rsa\nfence_kdump_nodes 10.0.2.50\nfailure_action poweroff\n");

        Assert.NotEqual(0, rc);
        var notify = events.IndexOf("fence_kdump_send 10.0.2.50");
        Assert.True(notify >= 0 && notify < events.IndexOf("kdump: Executing failure action systemctl poweroff -f"), string.Join('\n', events));
        Assert.DoesNotContain(events, e => e.StartsWith("route 10.0.2.100", StringComparison.Ordinal));
    }

    [Fact]
    public void An_ssh_dump_notifies_the_nodes_once_the_network_is_up_and_before_it_asks_for_the_route()
    {
        var (rc, events) = RunFlow("ssh root@10.0.2.100\npath /var/crash-test\nsshkey /root/.ssh/kdump_id_rsa\nfence_kdump_nodes 10.0.2.50\n");

        Assert.Equal(0, rc);
        var notify = events.IndexOf("fence_kdump_send 10.0.2.50");
        Assert.True(notify > events.IndexOf("kdump: eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2"), string.Join('\n', events));
        Assert.True(notify < events.IndexOf("route 10.0.2.100"), string.Join('\n', events));
        Assert.Contains("kdump: fence_kdump: notifying 10.0.2.50", events);
    }

    /// <summary>The record of a node behind eth1 (mkdumprd's second block): its address and on-link route, no gateway.</summary>
    private const string HeartbeatBlock = "remote 192.168.200.2\ninterface eth1 52:54:00:12:34:57\nstatic 192.168.1.15/24\nroute 192.168.200.0/24\n";

    /// <summary>
    /// The sender starts once the dump's interface is up and before the heartbeat interface is
    /// tried: bringing that one up may take long (a lease), longer than the agents wait.
    /// </summary>
    [Fact]
    public void An_ssh_dump_brings_up_the_interface_toward_the_fence_node_after_the_dumps_and_notifies_through_it()
    {
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        var (rc, events) = RunFlow("ssh root@10.0.2.100\npath /var/crash-test\nsshkey /root/.ssh/kdump_id_rsa\nfence_kdump_nodes node2.test\n",
            StaticRecord + HeartbeatBlock);

        Assert.Equal(0, rc);
        Assert.Equal(
        [
            "up lo", "addr eth0 10.0.2.15/24", "up eth0", "route 0.0.0.0/0 via 10.0.2.2", "route 172.16.0.0/12 via 10.0.2.1",
            "kdump: eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
            "kdump: fence_kdump: notifying node2.test",
            "fence_kdump_send node2.test",
            "addr eth1 192.168.1.15/24", "up eth1", "route 192.168.200.0/24 dev eth1",
            "kdump: eth1 (52:54:00:12:34:57) is 192.168.1.15/24",
        ], events.Take(12));
        Assert.Single(events, e => e.StartsWith("fence_kdump_send", StringComparison.Ordinal));
        // The dump's route and directory are the first block's.
        Assert.Contains("route 10.0.2.100", events);
        Assert.Contains("kdump: saving vmcore complete", events);
    }

    [Fact]
    public void An_interface_toward_fence_nodes_that_fails_is_logged_and_the_dump_goes_on()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord + HeartbeatBlock);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        // eth0 comes up; from its last route on, setting an address fails.
        _net.Sink = call => { if (call == "route 172.16.0.0/12 via 10.0.2.1") _net.Fail = "addr"; };

        Assert.True(BringUp(out var config));

        Assert.Equal("eth0", config!.Interface);
        Assert.Equal(
        [
            "eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
            "cannot configure eth1: SIOCSIFADDR failed",
            "eth1 is not up: fence_kdump nodes reached through it (as 192.168.200.2) may not hear of this capture",
        ], _log);
    }

    /// <summary>
    /// A heartbeat interface whose address SLAAC (or DHCPv6) made is autoconfigured again, but
    /// told to take no default route from the advertisements first: the dump's traffic would follow it.
    /// </summary>
    [Fact]
    public void An_autoconfigured_heartbeat_interface_takes_no_default_route_from_the_router()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord + "remote fd00:5::9\ninterface eth1 52:54:00:12:34:57\nauto6\nroute fd00:5::9/128 fe80::1\n");
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        Write("/proc/net/if_inet6", Inet6Line("fd00:5::5054:ff:fe12:3457", 3, 64, 0, 0x00, "eth1"));

        Assert.True(BringUp(out _));
        Assert.Equal(["up lo", "addr eth0 10.0.2.15/24", "up eth0", "route 0.0.0.0/0 via 10.0.2.2", "route 172.16.0.0/12 via 10.0.2.1",
            "accept_ra_defrtr eth1 0", "up eth1", "route fd00:5::9/128 via fe80::1 dev eth1"], _net.Calls);
        Assert.Equal("eth1 (52:54:00:12:34:57) autoconfigured fd00:5::5054:ff:fe12:3457/64 after 0.0s", _log[^1]);

        // Without that setting the interface is not brought up: the dump goes on without it.
        _log.Clear();
        _net.Calls.Clear();
        _net.Fail = "defrtr";
        Assert.True(BringUp(out _));
        Assert.DoesNotContain("up eth1", _net.Calls);
        Assert.Equal(
        [
            "cannot configure eth1: write 0 to /proc/sys/net/ipv6/conf/eth1/accept_ra_defrtr: Permission denied",
            "eth1 is not up: fence_kdump nodes reached through it (as fd00:5::9) may not hear of this capture",
        ], _log.Skip(2));
    }

    [Fact]
    public void The_dump_interface_failing_fails_the_bring_up_though_the_fence_interface_comes_up()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord + HeartbeatBlock);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        // Setting an address fails until eth1's.
        _net.Fail = "addr";
        _net.Sink = call => { if (call == "addr eth1 192.168.1.15/24") _net.Fail = null; };

        Assert.False(BringUp(out _));

        Assert.Equal(["cannot configure eth0: SIOCSIFADDR failed", "eth1 (52:54:00:12:34:57) is 192.168.1.15/24"], _log);
    }

    /// <summary>
    /// A heartbeat VLAN on the dump's NIC (one trunk carries both): the second block declares eth0
    /// too, and eth0, found by MAC and renamed once, is configured by the first block and gets the
    /// VLAN of the second; nothing is made twice.
    /// </summary>
    [Fact]
    public void A_heartbeat_vlan_on_the_dumps_nic_is_made_on_the_nic_the_first_block_brought_up()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord + "remote 192.168.200.2\ninterface eth0.200 52:54:00:12:34:56\n"
            + "vlan eth0.200 52:54:00:12:34:56 200 eth0\nnic eth0 52:54:00:12:34:56\nstatic 192.168.201.15/24\nroute 192.168.200.0/24\n");
        Write("/sys/class/net/ens3/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out var config));

        Assert.Equal("eth0", config!.Interface);
        Assert.Equal(
        [
            "rename ens3 eth0", "up lo", "addr eth0 10.0.2.15/24", "up eth0", "route 0.0.0.0/0 via 10.0.2.2", "route 172.16.0.0/12 via 10.0.2.1",
            "up eth0", "vlan eth0 200", "addr eth0.200 192.168.201.15/24", "up eth0.200", "route 192.168.200.0/24 dev eth0.200",
        ], _net.Calls);
        Assert.Equal(["eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2", "vlan eth0.200 (id 200) on eth0", "eth0.200 (52:54:00:12:34:56) is 192.168.201.15/24"], _log);
    }

    /// <summary>
    /// The dump through VLAN 100 of eth0, the fence node through eth0 untagged: the second block's
    /// interface is the NIC the first made its VLAN on; it gets its address, and is not renamed or
    /// looked for again.
    /// </summary>
    [Fact]
    public void A_heartbeat_on_the_untagged_nic_below_the_dumps_vlan_gets_its_address_on_that_nic()
    {
        Write(CaptureNetworkConfig.ImagePath, "remote 10.0.2.100\ninterface eth0.100 52:54:00:12:34:56\nvlan eth0.100 52:54:00:12:34:56 100 eth0\nnic eth0 52:54:00:12:34:56\n"
            + "static 10.0.2.15/24\ngateway 10.0.2.2\nremote 192.168.1.4\ninterface eth0 52:54:00:12:34:56\nstatic 192.168.1.15/24\nroute 192.168.1.4/32\n");
        Write("/sys/class/net/ens3/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out _));

        Assert.Equal(
        [
            "rename ens3 eth0", "up eth0", "vlan eth0 100", "up lo", "addr eth0.100 10.0.2.15/24", "up eth0.100", "route 0.0.0.0/0 via 10.0.2.2",
            "addr eth0 192.168.1.15/24", "up eth0", "route 192.168.1.4/32 dev eth0",
        ], _net.Calls);
    }

    /// <summary>
    /// The dump through one VLAN of a bond, the fence node through another: the bond is made once,
    /// by the first block, and the second block's VLAN goes on it; a bond that could not be made
    /// is not tried again for the second block.
    /// </summary>
    [Fact]
    public void Two_vlans_of_one_bond_make_the_bond_once()
    {
        const string bond = "bond bond0 52:54:00:12:34:56 active-backup\nslave bond0 eth0 52:54:00:12:34:56\n";
        Write(CaptureNetworkConfig.ImagePath, "remote 192.168.100.1\ninterface bond0.100 52:54:00:12:34:56\nvlan bond0.100 52:54:00:12:34:56 100 bond0\n" + bond
            + "static 192.168.100.15/24\nremote 192.168.200.2\ninterface bond0.200 52:54:00:12:34:56\nvlan bond0.200 52:54:00:12:34:56 200 bond0\n" + bond
            + "static 192.168.201.15/24\nroute 192.168.200.0/24\n");
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out _));

        Assert.Single(_net.Calls, "bond bond0");
        Assert.Single(_net.Calls, "enslave bond0 eth0");
        Assert.Equal(["vlan bond0 100", "vlan bond0 200"], _net.Calls.Where(c => c.StartsWith("vlan ", StringComparison.Ordinal)));
        Assert.Contains("addr bond0.200 192.168.201.15/24", _net.Calls);

        _net.Calls.Clear();
        _log.Clear();
        _net.Fail = "bond";
        Assert.False(BringUp(out _));
        Assert.Single(_net.Calls, "bond bond0");
        Assert.Single(_log, l => l.StartsWith("cannot make bond bond0", StringComparison.Ordinal));
        Assert.Equal("bond0.200 is not up: fence_kdump nodes reached through it (as 192.168.200.2) may not hear of this capture", _log[^1]);
    }

    /// <summary>
    /// A leased heartbeat NIC (a cloud cluster's second NIC): the capture kernel leases its address
    /// again and adds the recorded routes to the nodes, but not the lease's router or nameservers,
    /// which would take the dump's default route and resolver.
    /// </summary>
    [Fact]
    public void A_leased_heartbeat_interface_takes_the_leases_address_and_the_recorded_routes_only()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord.Replace("nameserver 10.0.2.3", "nameserver 10.9.9.9", StringComparison.Ordinal)
            + "remote 192.168.200.2\ninterface eth1 52:54:00:12:34:57\ndhcp\nroute 192.168.200.2/32 10.0.2.1\n");
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");

        Assert.True(BringUp(out var config));

        Assert.Equal("eth0", config!.Interface);
        Assert.Equal(["up eth1", "dhcp eth1", "addr eth1 10.0.2.15/24", "route 192.168.200.2/32 via 10.0.2.1"],
            _net.Calls.SkipWhile(c => c != "up eth1"));
        Assert.Single(_net.Calls, c => c.StartsWith("route 0.0.0.0/0", StringComparison.Ordinal));
        Assert.Equal("nameserver 10.9.9.9\n", File.ReadAllText(Host("/etc/resolv.conf")));
        Assert.Equal("eth1 (52:54:00:12:34:57) leased 10.0.2.15/24 from 10.0.2.2 for 86400s", _log[^1]);
    }

    /// <summary>
    /// A heartbeat interface whose lease never comes: the nodes behind the dump's interface have
    /// been told already (the sender started before the lease was asked for), the failure is
    /// logged, and the dump goes on.
    /// </summary>
    [Fact]
    public void A_heartbeat_lease_that_never_comes_neither_delays_the_notice_nor_stops_the_dump()
    {
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        _net.Dhcp.Respond = (_, _) => [];
        var (rc, events) = RunFlow("ssh root@10.0.2.100\npath /var/crash-test\nsshkey /root/.ssh/kdump_id_rsa\nfence_kdump_nodes node2.test\n",
            StaticRecord + "remote 192.168.200.2\ninterface eth1 52:54:00:12:34:57\ndhcp\nroute 192.168.200.2/32\n");

        Assert.Equal(0, rc);
        var sent = events.IndexOf("fence_kdump_send node2.test");
        Assert.True(sent >= 0 && sent < events.IndexOf("dhcp eth1"), string.Join('\n', events));
        Assert.Single(events, e => e.StartsWith("fence_kdump_send", StringComparison.Ordinal));
        Assert.Contains("kdump: eth1 is not up: fence_kdump nodes reached through it (as 192.168.200.2) may not hear of this capture", events);
        Assert.Contains("kdump: saving vmcore complete", events);
    }

    /// <summary>
    /// The capture kernel named the two NICs the other way round: every NIC of every block is
    /// named before any block comes up, so the dump's eth0 is not configured on the heartbeat NIC.
    /// </summary>
    [Fact]
    public void Nics_of_two_blocks_named_the_other_way_round_are_swapped_before_either_comes_up()
    {
        _net.NetDir = Host("/sys/class/net");
        Write(CaptureNetworkConfig.ImagePath, StaticRecord + HeartbeatBlock);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:57\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out _));

        Assert.Equal(["rename eth1 kdump0", "rename eth0 eth1", "rename kdump0 eth0", "up lo", "addr eth0 10.0.2.15/24"], _net.Calls.Take(5));
        Assert.Contains("addr eth1 192.168.1.15/24", _net.Calls);
        Assert.Equal(new Dictionary<string, string> { ["eth0"] = "52:54:00:12:34:56", ["eth1"] = "52:54:00:12:34:57" }, NamesNow());
    }
}
