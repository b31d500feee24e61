using System.Globalization;
using Kdump.Capture.Network;
using Kdump.Capture.Network.Dhcp;
using Kdump.Config.Network;
using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// The capture kernel's network bring-up against a temp tree as its root (sysfs interfaces are
/// files there) and a recording <see cref="INetworkControl"/>; and the ssh flow when the image
/// carries the record but the command line has no kdump_remote_ip=.
/// </summary>
public sealed partial class NetworkBringUpTests : IDisposable
{
    private readonly ScratchDir _root = Lab.Scratch("capture-net");
    private readonly RecordingNetwork _net = new();
    private readonly List<string> _log = [];

    public void Dispose() => _root.Dispose();

    private string Host(string systemPath) => Path.Combine(_root.Path, systemPath.TrimStart('/'));

    private void Write(string systemPath, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Host(systemPath))!);
        File.WriteAllText(Host(systemPath), text);
    }

    private const string StaticRecord = "remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\ngateway 10.0.2.2\nroute 172.16.0.0/12 10.0.2.1\nnameserver 10.0.2.3\n";

    private bool BringUp(out CaptureNetworkConfig? config)
    {
        var system = new NetworkedSystem(new FakeCaptureSystem(), _net);
        return NetworkBringUp.TryBringUp(system, new CapturePaths(_root.Path), _log.Add, out config);
    }

    [Fact]
    public void Static_record_configures_the_nic_found_by_mac_under_its_first_kernel_name()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord);
        Write("/sys/class/net/lo/address", "00:00:00:00:00:00\n");
        Write("/sys/class/net/ens3/address", "52:54:00:12:34:56\n");   // the capture kernel named it otherwise

        Assert.True(BringUp(out var config));

        Assert.Equal(IpPrefix.TryParseAddress("10.0.2.100"), config!.Remote);
        Assert.Equal(
        [
            "rename ens3 eth0",
            "up lo",
            "addr eth0 10.0.2.15/24",
            "up eth0",
            "route 0.0.0.0/0 via 10.0.2.2",
            "route 172.16.0.0/12 via 10.0.2.1",
        ], _net.Calls);
        Assert.Equal("nameserver 10.0.2.3\n", File.ReadAllText(Host("/etc/resolv.conf")));
        Assert.Equal(["eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2"], _log);
    }

    [Fact]
    public void A_route_without_a_gateway_is_added_on_the_interfaces_link()
    {
        Write(CaptureNetworkConfig.ImagePath, "remote 192.168.200.7\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/24\nroute 192.168.200.0/24\n");
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out _));

        Assert.Equal(["up lo", "addr eth0 10.0.2.15/24", "up eth0", "route 192.168.200.0/24 dev eth0"], _net.Calls);
    }

    [Fact]
    public void Routes_on_the_link_come_before_the_gateways_they_may_lead_to()
    {
        // A point-to-point peer as the gateway (a cloud's 172.31.1.1 dev eth0, default via 172.31.1.1).
        Write(CaptureNetworkConfig.ImagePath, "remote 10.9.9.9\ninterface eth0 52:54:00:12:34:56\nstatic 10.0.2.15/32\ngateway 172.31.1.1\n"
            + "route 10.8.0.0/16 172.31.1.1\nroute 172.31.1.1/32\n");
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out _));

        Assert.Equal(["up lo", "addr eth0 10.0.2.15/32", "up eth0", "route 172.31.1.1/32 dev eth0", "route 0.0.0.0/0 via 172.31.1.1", "route 10.8.0.0/16 via 172.31.1.1"], _net.Calls);
    }

    /// <summary>eth0 and eth1 as the capture kernel's sysfs shows them, with the MACs the bond and bridge records name.</summary>
    private void TwoNics()
    {
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
    }

    private const string BondRecord = "remote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\nbond bond0 52:54:00:12:34:56 active-backup\n"
        + "bond-option bond0 miimon 100\nbond-option bond0 primary eth1\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n"
        + "static 10.0.2.15/24\ngateway 10.0.2.2\n";

    [Fact]
    public void A_bond_is_made_again_from_its_slaves_found_by_their_permanent_macs()
    {
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        Write("/sys/class/net/ens4/address", "52:54:00:12:34:57\n");   // the second slave, named otherwise here
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out var config));

        Assert.Equal("active-backup", Assert.IsType<BondLink>(config!.Link).Mode);
        Assert.Equal(
        [
            "rename ens4 eth1",
            "bond bond0",
            "bond bond0 mode active-backup",
            "bond bond0 miimon 100",
            "bond bond0 primary eth1",
            "down eth0",
            "enslave bond0 eth0",
            "down eth1",
            "enslave bond0 eth1",
            "up lo",
            "addr bond0 10.0.2.15/24",
            "up bond0",
            "route 0.0.0.0/0 via 10.0.2.2",
        ], _net.Calls);
        Assert.Equal(["bond bond0 (active-backup) of eth0, eth1", "bond0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2"], _log);
    }

    /// <summary>The MAC of each interface under the temp root's /sys/class/net, by name.</summary>
    private Dictionary<string, string> NamesNow() =>
        Directory.GetDirectories(Host("/sys/class/net")).Where(d => File.Exists(Path.Combine(d, "address")))
            .ToDictionary(d => Path.GetFileName(d), d => File.ReadAllText(Path.Combine(d, "address")).Trim());

    private const string ThreeNicBond = "remote 10.0.2.100\ninterface bond0 52:54:00:12:34:56\nbond bond0 52:54:00:12:34:56 active-backup\n"
        + "bond-option bond0 primary eth1\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\nslave bond0 eth2 52:54:00:12:34:58\n"
        + "static 10.0.2.15/24\n";

    [Fact]
    public void Slaves_the_capture_kernel_named_the_other_way_round_swap_names_through_a_spare_one()
    {
        // eth0 and eth1 probed in the other order: the bond's primary (eth1) must still be :57.
        _net.NetDir = Host("/sys/class/net");
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:57\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth2/address", "52:54:00:12:34:99\n");   // not the record's: left alone

        Assert.True(BringUp(out _));

        Assert.Equal(["rename eth1 kdump0", "rename eth0 eth1", "rename kdump0 eth0", "bond bond0"], _net.Calls.Take(4));
        Assert.Equal(new Dictionary<string, string> { ["eth0"] = "52:54:00:12:34:56", ["eth1"] = "52:54:00:12:34:57", ["eth2"] = "52:54:00:12:34:99" }, NamesNow());
        Assert.Equal(["eth1 (eth0 in the first kernel) moved aside to kdump0: the names are swapped",
            "bond bond0 (active-backup) of eth0, eth1", "bond0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2"], _log);
    }

    [Theory]
    // A three-way cycle; a chain (eth0 must leave for eth2 before eth1 takes eth0); a taken spare name.
    [InlineData("eth0=:57 eth1=:58 eth2=:56", "")]
    [InlineData("eth0=:58 eth1=:56 ens9=:57", "")]
    [InlineData("eth0=:57 eth1=:56 eth2=:58 kdump0=:99", "kdump0=:99")]
    public void Any_order_of_kernel_names_ends_with_each_nic_under_its_first_kernel_name(string kernelNames, string others)
    {
        _net.NetDir = Host("/sys/class/net");
        Write(CaptureNetworkConfig.ImagePath, ThreeNicBond);
        foreach (var pair in kernelNames.Split(' '))
        {
            var (name, mac) = (pair.Split('=')[0], "52:54:00:12:34" + pair.Split('=')[1]);
            Write($"/sys/class/net/{name}/address", mac + "\n");
        }
        Assert.True(BringUp(out _));
        var names = NamesNow();
        Assert.Equal("52:54:00:12:34:56", names["eth0"]);
        Assert.Equal("52:54:00:12:34:57", names["eth1"]);
        Assert.Equal("52:54:00:12:34:58", names["eth2"]);
        Assert.DoesNotContain(_log, l => l.StartsWith("cannot", StringComparison.Ordinal));
        if (others.Length > 0) Assert.Equal("52:54:00:12:34:99", names[others.Split('=')[0]]);
        Assert.Contains("bond bond0 (active-backup) of eth0, eth1, eth2", _log);
    }

    [Fact]
    public void A_nic_that_cannot_take_its_name_does_not_keep_another_recorded_nics()
    {
        // eth0 belongs to no recorded NIC, so :56 cannot be eth0; it must not stay eth1, which :57 wants.
        _net.NetDir = Host("/sys/class/net");
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:99\n");
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth2/address", "52:54:00:12:34:57\n");

        Assert.True(BringUp(out _));

        var names = NamesNow();
        Assert.Equal("52:54:00:12:34:99", names["eth0"]);
        Assert.Equal("52:54:00:12:34:57", names["eth1"]);      // primary eth1 is :57, as in the first kernel
        Assert.Equal("52:54:00:12:34:56", names["kdump0"]);
        Assert.Equal(["cannot rename eth1 to eth0: SIOCSIFNAME: EEXIST",
            "eth1 (eth0 in the first kernel) moved aside to kdump0: eth1 is another NIC's name in the first kernel"], _log.Take(2));
        Assert.Contains("enslave bond0 kdump0", _net.Calls);
        Assert.Contains("enslave bond0 eth1", _net.Calls);
    }

    [Theory]
    // A rejected option is passed over: the bond still carries the dump.
    [InlineData("option", true, "bond bond0: miimon 100 not set: Invalid argument")]
    [InlineData("mode", false, "cannot make bond bond0 (active-backup): Invalid argument")]
    [InlineData("bond", false, "cannot make bond bond0 (active-backup): bonding_masters: No such file or directory")]
    [InlineData("enslave", false, "cannot make bond bond0 (active-backup): no slave could be added")]
    public void A_bond_that_cannot_be_made_fails_the_network_but_a_rejected_option_does_not(string failing, bool up, string logged)
    {
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        TwoNics();
        _net.Fail = failing;
        Assert.Equal(up, BringUp(out _));
        Assert.Contains(logged, _log);
    }

    private const string BridgeRecord = "remote 10.0.2.100\ninterface br0 52:54:00:12:34:56\nbridge br0 52:54:00:12:34:56\n"
        + "port br0 eth0\nport br0 eth1\nnic eth0 52:54:00:12:34:56\nnic eth1 52:54:00:12:34:57\ndhcp\n";

    [Fact]
    public void A_bridge_is_made_again_with_its_ports_up_and_leases_on_the_bridge()
    {
        Write(CaptureNetworkConfig.ImagePath, BridgeRecord);
        TwoNics();
        Assert.True(BringUp(out var config));
        Assert.Equal(2, Assert.IsType<BridgeLink>(config!.Link).Ports.Count);
        Assert.Equal(["bridge br0", "bridge br0 port eth0", "up eth0", "bridge br0 port eth1", "up eth1", "up lo", "up br0", "dhcp br0", "addr br0 10.0.2.15/24"],
            _net.Calls.Take(9));
        Assert.Contains("bridge br0 of eth0, eth1", _log);
    }

    [Theory]
    [InlineData("bridge", "cannot make bridge br0: SIOCBRADDBR: EEXIST")]
    [InlineData("port", "cannot make bridge br0: no port could be added")]
    public void A_bridge_that_cannot_be_made_fails_the_network(string failing, string logged)
    {
        Write(CaptureNetworkConfig.ImagePath, BridgeRecord);
        TwoNics();
        _net.Fail = failing;
        Assert.False(BringUp(out _));
        Assert.Contains(logged, _log);
    }

    [Fact]
    public void The_log_names_the_slaves_added_and_a_bond_or_bridge_gets_the_first_kernels_address_when_it_was_not_the_default()
    {
        // udev gave the first kernel's bond its own address; eth1 is refused.
        Write(CaptureNetworkConfig.ImagePath, BondRecord.Replace("bond0 52:54:00:12:34:56", "bond0 02:00:00:00:00:01", StringComparison.Ordinal));
        TwoNics();
        _net.Sink = call =>
        {
            if (call == "down eth1") _net.Fail = "enslave";
            else if (call == "up lo") _net.Fail = null;
        };
        Assert.True(BringUp(out _));
        Assert.True(_net.Calls.IndexOf("hwaddr bond0 02:00:00:00:00:01") < _net.Calls.IndexOf("enslave bond0 eth0"));
        Assert.Contains("bond bond0 (active-backup) of eth0", _log);
        Assert.Contains("bond bond0: eth1 not added: Device or resource busy", _log);

        // A bridge whose address was its lowest port's is left to the kernel; another is set.
        _net.Calls.Clear();
        _net.Sink = _ => { };
        _net.Fail = null;
        Write(CaptureNetworkConfig.ImagePath, BridgeRecord);
        Assert.True(BringUp(out _));
        Assert.DoesNotContain(_net.Calls, c => c.StartsWith("hwaddr", StringComparison.Ordinal));
        _net.Calls.Clear();
        Write(CaptureNetworkConfig.ImagePath, BridgeRecord.Replace("br0 52:54:00:12:34:56", "br0 52:54:00:12:34:57", StringComparison.Ordinal));
        Assert.True(BringUp(out _));
        Assert.Contains("hwaddr br0 52:54:00:12:34:57", _net.Calls);
    }

    [Fact]
    public void A_bond_with_one_slave_missing_is_made_of_the_other()
    {
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        Assert.True(BringUp(out _));
        Assert.Equal(NetworkBringUp.DeviceWait, _net.Waited);
        Assert.Contains("no network interface with MAC 52:54:00:12:34:56 after 60s", _log);
        Assert.Contains("bond bond0 (active-backup) of eth1", _log);
        Assert.DoesNotContain("enslave bond0 eth0", _net.Calls);
    }

    [Fact]
    public void A_nic_that_appears_late_is_waited_for_and_a_missing_one_fails_after_60s()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord);
        _net.OnDelay = waited => { if (waited >= TimeSpan.FromSeconds(3)) Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n"); };
        Assert.True(BringUp(out _));
        Assert.Equal(TimeSpan.FromSeconds(3), _net.Waited);
        Assert.DoesNotContain("rename", string.Join(' ', _net.Calls), StringComparison.Ordinal);

        Directory.Delete(Host("/sys"), recursive: true);
        _net.OnDelay = _ => { };
        _net.Waited = TimeSpan.Zero;
        _log.Clear();
        Assert.False(BringUp(out _));
        Assert.Equal(NetworkBringUp.DeviceWait, _net.Waited);
        Assert.Equal("no network interface with MAC 52:54:00:12:34:56 after 60s", _log[^1]);
        Assert.Contains("Waiting for the network interface 52:54:00:12:34:56 (10s / 60s)", _log);
    }

    private const string VlanRecord = "remote 192.168.100.1\ninterface eth0.100 52:54:00:12:34:56\nvlan eth0.100 52:54:00:12:34:56 100 eth0\nnic eth0 52:54:00:12:34:56\n"
        + "static 192.168.100.15/24\n";

    [Fact]
    public void A_vlan_is_made_again_on_its_nic_found_by_mac_and_named_as_in_the_first_kernel()
    {
        Write(CaptureNetworkConfig.ImagePath, VlanRecord);
        Write("/sys/class/net/ens3/address", "52:54:00:12:34:56\n");
        Assert.True(BringUp(out _));
        Assert.Equal(["rename ens3 eth0", "up eth0", "vlan eth0 100", "up lo", "addr eth0.100 192.168.100.15/24", "up eth0.100"], _net.Calls);
        Assert.Equal(["vlan eth0.100 (id 100) on eth0", "eth0.100 (52:54:00:12:34:56) is 192.168.100.15/24"], _log);

        // Another name in the first kernel (ip link add … name vlan100) and its own address.
        _net.Calls.Clear();
        _log.Clear();
        Write(CaptureNetworkConfig.ImagePath, VlanRecord.Replace("eth0.100 52:54:00:12:34:56", "vlan100 02:00:00:00:01:00", StringComparison.Ordinal));
        Assert.True(BringUp(out _));
        Assert.Equal(["rename ens3 eth0", "up eth0", "vlan eth0 100", "rename eth0.100 vlan100", "hwaddr vlan100 02:00:00:00:01:00", "up lo", "addr vlan100 192.168.100.15/24", "up vlan100"], _net.Calls);

        // The kernel refuses it (no 8021q): the network fails with the reason.
        _net.Fail = "vlan";
        Assert.False(BringUp(out _));
        Assert.Equal("cannot make vlan vlan100 (id 100) on eth0: SIOCSIFVLAN add: ENOPKG", _log[^1]);

        // A clash on the first kernel's name leaves the kernel's, as for a NIC.
        _net.Calls.Clear();
        _log.Clear();
        _net.Fail = "rename";
        Directory.Delete(Host("/sys/class/net/ens3"), recursive: true);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Assert.True(BringUp(out _));
        Assert.Contains("cannot rename eth0.100 to vlan100: SIOCSIFNAME failed", _log);
        Assert.Contains("addr eth0.100 192.168.100.15/24", _net.Calls);
    }

    [Fact]
    public void A_vlan_whose_kernel_name_would_not_fit_is_made_as_vlan_id_and_one_on_a_readdressed_bond_gets_its_own_address()
    {
        // enp175s0f0np0.100 is 17 bytes: the kernel's ERANGE; NetDevice makes it vlan100.
        Write(CaptureNetworkConfig.ImagePath, "remote 192.168.100.1\ninterface vlan100 52:54:00:12:34:56\nvlan vlan100 52:54:00:12:34:56 100 enp175s0f0np0\n"
            + "nic enp175s0f0np0 52:54:00:12:34:56\nstatic 192.168.100.15/24\n");
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Assert.True(BringUp(out _));
        Assert.Equal(["rename eth0 enp175s0f0np0", "up enp175s0f0np0", "vlan enp175s0f0np0 100", "up lo", "addr vlan100 192.168.100.15/24", "up vlan100"], _net.Calls);

        // The parent bond shows another address than the recorded one, which it refuses to take: the VLAN is given the recorded one.
        _net.Calls.Clear();
        Write(CaptureNetworkConfig.ImagePath, "remote 192.168.100.1\ninterface bond0.7 52:54:00:12:34:56\nvlan bond0.7 52:54:00:12:34:56 7 bond0\n"
            + "bond bond0 52:54:00:12:34:56 active-backup\nslave bond0 eth0 52:54:00:12:34:56\nstatic 192.168.100.15/24\n");
        _net.Sink = call => { if (call == "bond bond0") Write("/sys/class/net/bond0/address", "52:54:00:12:34:99\n"); };
        _net.Fail = "hwaddr";
        Assert.True(BringUp(out _));
        Assert.Contains("enslave bond0 eth0", _net.Calls);     // the slave found by MAC is eth0, not bond0
        Assert.Contains("hwaddr bond0 52:54:00:12:34:56", _net.Calls);
        Assert.Contains("hwaddr bond0.7 52:54:00:12:34:56", _net.Calls);
        Directory.Delete(Host("/sys/class/net/bond0"), recursive: true);
        _net.Sink = call => { if (call == "bond bond0") Write("/sys/class/net/bond0/address", "52:54:00:12:34:56\n"); };
        _net.Fail = null;
        _net.Calls.Clear();
        Assert.True(BringUp(out _));
        Assert.DoesNotContain(_net.Calls, c => c.StartsWith("hwaddr", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bond_or_bridge_without_the_member_it_took_its_address_from_is_given_the_recorded_one()
    {
        // eth0 (the first slave, whose address the bond had) is gone: the bond takes eth1's.
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        Write("/sys/class/net/eth1/address", "52:54:00:12:34:57\n");
        _net.Sink = call => { if (call == "enslave bond0 eth1") Write("/sys/class/net/bond0/address", "52:54:00:12:34:57\n"); };
        Assert.True(BringUp(out _));
        Assert.True(_net.Calls.IndexOf("hwaddr bond0 52:54:00:12:34:56") > _net.Calls.IndexOf("enslave bond0 eth1"));
        Assert.Contains("bond0 (52:54:00:12:34:57) is 10.0.2.15/24 via 10.0.2.2", _log);    // the fake leaves sysfs as it was: the log shows it

        // The bridge's lowest port is gone: it takes the other's address.
        Directory.Delete(Host("/sys/class/net/bond0"), recursive: true);
        _net.Calls.Clear();
        Write(CaptureNetworkConfig.ImagePath, BridgeRecord);
        _net.Sink = call => { if (call == "bridge br0 port eth1") Write("/sys/class/net/br0/address", "52:54:00:12:34:57\n"); };
        Assert.True(BringUp(out _));
        Assert.True(_net.Calls.IndexOf("hwaddr br0 52:54:00:12:34:56") > _net.Calls.IndexOf("bridge br0 port eth1"));
    }

    [Theory]
    [InlineData("eth0", 100, "eth0.100")]
    [InlineData("enp175s0f0np", 10, "enp175s0f0np.10")]      // 15 bytes: fits IFNAMSIZ with its NUL
    [InlineData("enp175s0f0np0", 10, "vlan10")]              // 16: the kernel's ERANGE
    [InlineData("enp175s0f0np0", 4094, "vlan4094")]
    public void A_vlan_is_named_parent_dot_id_when_that_fits_and_vlan_id_else(string parent, int id, string name) =>
        Assert.Equal(name, Kdump.Linux.NetDevice.VlanName(parent, id));

    [Fact]
    public void A_vlan_on_a_bond_makes_the_bond_first()
    {
        Write(CaptureNetworkConfig.ImagePath, "remote 192.168.100.1\ninterface bond0.7 52:54:00:12:34:56\nvlan bond0.7 52:54:00:12:34:56 7 bond0\n"
            + "bond bond0 52:54:00:12:34:56 active-backup\nbond-option bond0 miimon 100\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\ndhcp\n");
        TwoNics();
        Assert.True(BringUp(out _));
        Assert.Equal(
        [
            "bond bond0", "bond bond0 mode active-backup", "bond bond0 miimon 100", "down eth0", "enslave bond0 eth0", "down eth1", "enslave bond0 eth1",
            "up bond0", "vlan bond0 7", "up lo", "up bond0.7", "dhcp bond0.7", "addr bond0.7 10.0.2.15/24", "route 0.0.0.0/0 via 10.0.2.2",
        ], _net.Calls);
        Assert.Contains("vlan bond0.7 (id 7) on bond0", _log);
    }

    [Fact]
    public void A_hypervisors_bridge_on_a_vlan_of_a_bond_is_made_from_the_bottom_up()
    {
        // br0 → bond0.7 → bond0 → eth0, eth1: what a KVM host often has.
        Write(CaptureNetworkConfig.ImagePath, "remote 10.0.7.1\ninterface br0 52:54:00:12:34:56\nbridge br0 52:54:00:12:34:56\nport br0 bond0.7\n"
            + "vlan bond0.7 52:54:00:12:34:56 7 bond0\nbond bond0 52:54:00:12:34:56 802.3ad\nslave bond0 eth0 52:54:00:12:34:56\nslave bond0 eth1 52:54:00:12:34:57\n"
            + "static 10.0.7.15/24\n");
        TwoNics();
        Assert.True(BringUp(out var config));
        Assert.Equal(["br0", "bond0.7", "bond0", "eth0", "eth1"], config!.Link.SelfAndBelow().Select(l => l.Name));
        Assert.Equal(
        [
            "bond bond0", "bond bond0 mode 802.3ad", "down eth0", "enslave bond0 eth0", "down eth1", "enslave bond0 eth1",
            "up bond0", "vlan bond0 7", "bridge br0", "bridge br0 port bond0.7", "up bond0.7", "up lo", "addr br0 10.0.7.15/24", "up br0",
        ], _net.Calls);
        Assert.Equal(["bond bond0 (802.3ad) of eth0, eth1", "vlan bond0.7 (id 7) on bond0", "bridge br0 of bond0.7", "br0 (52:54:00:12:34:56) is 10.0.7.15/24"], _log);
    }

    [Fact]
    public void Missing_slaves_share_one_wait_for_devices()
    {
        // Neither slave is here: one 60 s wait in all (NetworkManager waits for its devices side by side), not one each.
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        Write("/sys/class/net/lo/address", "00:00:00:00:00:00\n");
        Assert.False(BringUp(out _));
        Assert.Equal(NetworkBringUp.DeviceWait, _net.Waited);
        Assert.Equal(
        [
            "Waiting for the network interface 52:54:00:12:34:56 (10s / 60s)",
            "Waiting for the network interface 52:54:00:12:34:56 (20s / 60s)",
            "Waiting for the network interface 52:54:00:12:34:56 (30s / 60s)",
            "Waiting for the network interface 52:54:00:12:34:56 (40s / 60s)",
            "Waiting for the network interface 52:54:00:12:34:56 (50s / 60s)",
            "no network interface with MAC 52:54:00:12:34:56 after 60s",
            "no network interface with MAC 52:54:00:12:34:57 after 60s",
            "cannot make bond bond0 (active-backup): none of its slaves is here",
        ], _log);
    }

    [Fact]
    public void A_static_nic_is_given_time_to_report_carrier_and_a_link_that_never_comes_is_tried_anyway()
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth0/carrier", "0\n");
        _net.OnDelay = waited => { if (waited >= TimeSpan.FromSeconds(2.5)) Write("/sys/class/net/eth0/carrier", "1\n"); };
        Assert.True(BringUp(out _));
        Assert.Equal(TimeSpan.FromSeconds(2.5), _net.Waited);
        Assert.Equal(
        [
            "eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
            "Waiting for carrier on eth0 (up to 30s)",
            "eth0 has carrier after 2.5s",
        ], _log);

        Write("/sys/class/net/eth0/carrier", "0\n");
        _net.OnDelay = _ => { };
        _net.Waited = TimeSpan.Zero;
        _log.Clear();
        Assert.True(BringUp(out _));
        Assert.Equal(NetworkBringUp.CarrierWait, _net.Waited);
        Assert.Equal("eth0 has no carrier after 30s; trying anyway", _log[^1]);

        // Carrier that cannot be read (EINVAL while down, an odd driver): no wait, as before.
        Write("/sys/class/net/eth0/carrier", "");
        _net.Waited = TimeSpan.Zero;
        _log.Clear();
        Assert.True(BringUp(out _));
        Assert.Equal(TimeSpan.Zero, _net.Waited);
        Assert.Single(_log);
    }

    [Fact]
    public void Dhcp_waits_for_carrier_before_its_first_discover_and_a_bond_waits_for_its_own()
    {
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Write("/sys/class/net/eth0/carrier", "0\n");
        var callsAtCarrier = new List<string>();
        _net.OnDelay = waited =>
        {
            if (waited < TimeSpan.FromSeconds(1)) return;
            callsAtCarrier.AddRange(_net.Calls);
            Write("/sys/class/net/eth0/carrier", "1\n");
        };
        Assert.True(BringUp(out _));
        Assert.Equal(["up lo", "up eth0"], callsAtCarrier);
        Assert.Contains("eth0 has carrier after 1.0s", _log);

        // The bond's carrier is what counts (the bonding driver sets it from its slaves' links).
        _net.Calls.Clear();
        _net.Waited = TimeSpan.Zero;
        _log.Clear();
        _net.OnDelay = waited => { if (waited >= TimeSpan.FromSeconds(0.5)) Write("/sys/class/net/bond0/carrier", "1\n"); };
        Write(CaptureNetworkConfig.ImagePath, BondRecord);
        TwoNics();
        Write("/sys/class/net/bond0/carrier", "0\n");
        Assert.True(BringUp(out _));
        Assert.Equal("bond0 has carrier after 0.5s", _log[^1]);
    }

    [Theory]
    [InlineData("addr", "cannot configure eth0: SIOCSIFADDR failed")]
    [InlineData("route", "cannot configure eth0: SIOCADDRT failed")]
    public void A_failing_call_stops_the_bring_up_with_its_reason(string failing, string message)
    {
        Write(CaptureNetworkConfig.ImagePath, StaticRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        _net.Fail = failing;
        Assert.False(BringUp(out _));
        Assert.Equal(message, _log[^1]);
    }

    private const string DhcpRecord = "remote 10.0.2.100\ninterface eth0 52:54:00:12:34:56\ndhcp\nnameserver 192.168.1.1\n";

    [Fact]
    public void Dhcp_record_leases_an_address_on_the_nic_set_up_first_then_adds_the_default_route()
    {
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord);
        Write("/sys/class/net/ens3/address", "52:54:00:12:34:56\n");

        Assert.True(BringUp(out var config));

        Assert.Equal(AddressMethod.Dhcp, config!.Method);
        Assert.Equal(["rename ens3 eth0", "up lo", "up eth0", "dhcp eth0", "addr eth0 10.0.2.15/24", "route 0.0.0.0/0 via 10.0.2.2"], _net.Calls);
        Assert.True(_net.Dhcp.Disposed);
        // The client's chaddr is the recorded MAC.
        Assert.Equal((byte[])[0x52, 0x54, 0x00, 0x12, 0x34, 0x56], _net.Dhcp.Sent[0].Message.ClientHardwareAddress.ToArray());
        // The lease's name server replaces the first kernel's.
        Assert.Equal("nameserver 10.0.2.3\n", File.ReadAllText(Host("/etc/resolv.conf")));
        Assert.Equal(
        [
            "eth0 (52:54:00:12:34:56): the first kernel's address was leased (/etc/kdump/network.conf: dhcp), asking DHCP",
            "eth0 (52:54:00:12:34:56) leased 10.0.2.15/24 from 10.0.2.2 via 10.0.2.2 for 86400s",
        ], _log);
    }

    /// <summary>
    /// The first kernel's lease, recorded by mkdumprd, is asked for in DHCPDISCOVER (option 50);
    /// a server that hands out another address is logged, since fence_kdump agents and the dump
    /// server know the machine by the old one.
    /// </summary>
    [Fact]
    public void A_recorded_lease_is_asked_for_again_and_another_address_is_logged()
    {
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord.Replace("dhcp\n", "dhcp 10.0.2.15/24\n", StringComparison.Ordinal));
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        Assert.True(BringUp(out _));
        Assert.Equal(DhcpFakeServer.Leased, _net.Dhcp.Sent[0].Message.RequestedAddress);
        Assert.DoesNotContain(_log, l => l.Contains("the first kernel had", StringComparison.Ordinal));

        _log.Clear();
        _net.Calls.Clear();
        _net.Dhcp = new DhcpFakeServer();
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord.Replace("dhcp\n", "dhcp 10.0.2.99/24\n", StringComparison.Ordinal));
        Assert.True(BringUp(out _));
        Assert.Equal(Kdump.Config.Network.Ipv4Network.FromIPAddress(System.Net.IPAddress.Parse("10.0.2.99")), _net.Dhcp.Sent[0].Message.RequestedAddress);
        Assert.Equal("eth0: the first kernel had 10.0.2.99/24; servers and fence_kdump nodes that know this machine by it may not recognise 10.0.2.15/24", _log[^1]);

        // Without a recorded lease, DHCPDISCOVER asks for none.
        _net.Dhcp = new DhcpFakeServer();
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord);
        Assert.True(BringUp(out _));
        Assert.Null(_net.Dhcp.Sent[0].Message.RequestedAddress);
    }

    [Fact]
    public void Dhcp_without_an_answer_or_a_socket_fails_with_the_reason_and_a_lease_without_dns_keeps_the_recorded_one()
    {
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        _net.Dhcp.Respond = (_, _) => [];
        Assert.False(BringUp(out _));
        Assert.Equal("eth0: no DHCP lease within 90s (5 DHCPDISCOVER, 0 DHCPOFFER, 0 DHCPREQUEST, 0 DHCPNAK)", _log[^1]);
        Assert.DoesNotContain(_net.Calls, c => c.StartsWith("addr", StringComparison.Ordinal));

        _net.Fail = "dhcp";
        Assert.False(BringUp(out _));
        Assert.Equal("cannot configure eth0: packet socket on eth0: EPERM", _log[^1]);

        _net.Fail = null;
        _net.Dhcp = new DhcpFakeServer();
        _net.Dhcp.Respond = (m, _) => m.MessageType == DhcpMessageType.Discover
            ? [(DhcpFakeServer.Reply(m, DhcpMessageType.Offer) with { DomainNameServers = [] }).Write()]
            : [(DhcpFakeServer.Reply(m, DhcpMessageType.Ack) with { DomainNameServers = [] }).Write()];
        Assert.True(BringUp(out _));
        Assert.Equal("nameserver 192.168.1.1\n", File.ReadAllText(Host("/etc/resolv.conf")));
    }

    [Fact]
    public void Malformed_records_are_refused_and_no_record_is_nothing_to_do()
    {
        Assert.True(BringUp(out var none));
        Assert.Null(none);
        Assert.Empty(_net.Calls);

        Write(CaptureNetworkConfig.ImagePath, "remote 10.0.2.100\n");
        Assert.False(BringUp(out _));
        Assert.Equal("cannot read /etc/kdump/network.conf: /etc/kdump/network.conf: no 'interface' line", _log[^1]);

        // A capture system without interface calls (the flow's other fakes) cannot bring it up.
        Write(CaptureNetworkConfig.ImagePath, StaticRecord);
        Assert.False(NetworkBringUp.TryBringUp(new FakeCaptureSystem(), new CapturePaths(_root.Path), _log.Add, out var untried));
        Assert.Equal("this capture system cannot configure a network", _log[^1]);
        Assert.Null(untried);     // no interface was tried: the fence warning must not name one
    }

    [Fact]
    public void Ssh_flow_with_a_dhcp_record_leases_before_looking_up_the_route_to_the_server()
    {
        Write("/etc/kdump.conf", "ssh root@10.0.2.100\npath /var/crash-test\nsshkey /root/.ssh/kdump_id_rsa\n");
        Write("/proc/cmdline", "console=ttyS0 irqpoll nr_cpus=1\n");
        Write(CaptureNetworkConfig.ImagePath, DhcpRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        var fake = new FakeCaptureSystem { HostIp = "10.0.2.15" };
        _net.Sink = fake.Events.Add;
        var rc = new CaptureFlow(new NetworkedSystem(fake, _net), new CapturePaths(_root.Path, Lab.Fixture("bookworm", "proc-vmcore.elf"))).Run();

        Assert.Equal(0, rc);
        Assert.Equal(
        [
            "up lo",
            "kdump: eth0 (52:54:00:12:34:56): the first kernel's address was leased (/etc/kdump/network.conf: dhcp), asking DHCP",
            "up eth0", "dhcp eth0", "addr eth0 10.0.2.15/24", "route 0.0.0.0/0 via 10.0.2.2",
            "kdump: eth0 (52:54:00:12:34:56) leased 10.0.2.15/24 from 10.0.2.2 via 10.0.2.2 for 86400s",
            "route 10.0.2.100",
        ], fake.Events.Take(8));
        Assert.Contains(fake.Events, e => e.StartsWith("run ssh -q -i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes root@10.0.2.100 mkdir -p /var/crash-test/10.0.2.15-", StringComparison.Ordinal));
    }

    [Fact]
    public void Ssh_flow_brings_the_network_up_first_and_takes_the_server_from_the_record()
    {
        Write("/etc/kdump.conf", "ssh root@10.0.2.100\npath /var/crash-test\nsshkey /root/.ssh/kdump_id_rsa\n");
        Write("/proc/cmdline", "console=ttyS0 irqpoll nr_cpus=1\n");   // no kdump_remote_ip=
        Write(CaptureNetworkConfig.ImagePath, StaticRecord);
        Write("/sys/class/net/eth0/address", "52:54:00:12:34:56\n");
        var fake = new FakeCaptureSystem { HostIp = "10.0.2.15" };
        _net.Sink = fake.Events.Add;
        var system = new NetworkedSystem(fake, _net);
        var rc = new CaptureFlow(system, new CapturePaths(_root.Path, Lab.Fixture("bookworm", "proc-vmcore.elf"))).Run();

        Assert.Equal(0, rc);
        Assert.Contains(fake.Events, e => e.StartsWith("run ssh -q -i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o StrictHostKeyChecking=yes root@10.0.2.100 mkdir -p /var/crash-test/10.0.2.15-", StringComparison.Ordinal));
        // The interface was up, with its routes, before the server's address was looked up.
        Assert.Equal(["up lo", "addr eth0 10.0.2.15/24", "up eth0", "route 0.0.0.0/0 via 10.0.2.2", "route 172.16.0.0/12 via 10.0.2.1", "kdump: eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2", "route 10.0.2.100"],
            fake.Events.Take(7));
    }

    /// <summary>Records interface calls; <see cref="Fail"/> names a call kind that fails.</summary>
    private sealed class RecordingNetwork : INetworkControl
    {
        public List<string> Calls { get; } = [];

        public string? Fail { get; set; }

        public Action<TimeSpan> OnDelay { get; set; } = _ => { };

        public TimeSpan Waited { get; set; }

        public Action<string> Sink { get; set; } = _ => { };

        private string? Record(string kind, string call, string failure)
        {
            Calls.Add(call);
            Sink(call);
            return Fail == kind ? failure : null;
        }

        /// <summary>When set, the temp root's /sys/class/net: a rename moves the interface's directory and a taken name is EEXIST, as the kernel's.</summary>
        public string? NetDir { get; set; }

        public string? Rename(string name, string newName)
        {
            if (Record("rename", $"rename {name} {newName}", "SIOCSIFNAME failed") is { } failed) return failed;
            if (NetDir is null) return null;
            if (Directory.Exists(Path.Combine(NetDir, newName))) return "SIOCSIFNAME: EEXIST";
            Directory.Move(Path.Combine(NetDir, name), Path.Combine(NetDir, newName));
            return null;
        }

        public string? SetAddress(string name, IpPrefix address) => Record("addr", $"addr {name} {address}", "SIOCSIFADDR failed");

        public string? SetUp(string name) => Record("up", $"up {name}", "SIOCSIFFLAGS failed");

        public string? SetDown(string name) => Record("down", $"down {name}", "SIOCSIFFLAGS failed");

        public string? SetHardwareAddress(string name, string mac) => Record("hwaddr", $"hwaddr {name} {mac}", "SIOCSIFHWADDR: EBUSY");

        public string? AddRoute(IpPrefix destination, System.Net.IPAddress? gateway, string name) =>
            Record("route", gateway is null ? $"route {destination} dev {name}" : destination.IsIpv6 ? $"route {destination} via {gateway} dev {name}" : $"route {destination} via {gateway}", "SIOCADDRT failed");

        /// <summary>The server <see cref="OpenDhcp"/> hands out.</summary>
        public DhcpFakeServer Dhcp { get; set; } = new();

        public string? IgnoreRouterAdvertisements(string name) => Record("accept_ra", $"accept_ra {name} 0", "accept_ra: Permission denied");

        public string? IgnoreDefaultRouter(string name) => Record("defrtr", $"accept_ra_defrtr {name} 0", "write 0 to /proc/sys/net/ipv6/conf/eth1/accept_ra_defrtr: Permission denied");

        public string? AddBond(string name) => Record("bond", $"bond {name}", "bonding_masters: No such file or directory");

        public string? SetBondOption(string bond, string option, string value) =>
            Record(option == "mode" ? "mode" : "option", $"bond {bond} {option} {value}", "Invalid argument");

        public string? Enslave(string bond, string slave) => Record("enslave", $"enslave {bond} {slave}", "Device or resource busy");

        public string? AddBridge(string name) => Record("bridge", $"bridge {name}", "SIOCBRADDBR: EEXIST");

        public string? AddVlan(string parent, int id, out string name)
        {
            name = Kdump.Linux.NetDevice.VlanName(parent, id);
            return Record("vlan", $"vlan {parent} {id}", "SIOCSIFVLAN add: ENOPKG");
        }

        public string? AddBridgePort(string bridge, string port) => Record("port", $"bridge {bridge} port {port}", "SIOCBRADDIF: EBUSY");

        public string? OpenDhcp(string name, out IDhcpTransport? transport)
        {
            var why = Record("dhcp", $"dhcp {name}", $"packet socket on {name}: EPERM");
            transport = why is null ? Dhcp : null;
            return why;
        }

        /// <summary>What routers have said, by how long the bring-up has waited; none by default.</summary>
        public Func<TimeSpan, RouterAdvertisementState> Router { get; set; } = _ => default;

        public string? ReadRouterAdvertisement(string name, out RouterAdvertisementState state)
        {
            state = Fail == "ra" ? default : Router(Waited);
            return Fail == "ra" ? "rtnetlink socket: EAFNOSUPPORT" : null;
        }

        /// <summary>The DHCPv6 server <see cref="OpenDhcp6"/> hands out.</summary>
        public Dhcp6FakeServer Dhcp6 { get; set; } = new();

        public string? OpenDhcp6(string name, out Kdump.Capture.Network.Dhcp6.IDhcp6Transport? transport)
        {
            var why = Record("dhcp6", $"dhcp6 {name}", $"UDP socket on {name} port 546: AccessDenied");
            transport = why is null ? Dhcp6 : null;
            return why;
        }

        public void Delay(TimeSpan time)
        {
            Waited += time;
            OnDelay(Waited);
        }
    }

    /// <summary>The flow's recording system with interface calls.</summary>
    private sealed class NetworkedSystem(FakeCaptureSystem inner, INetworkControl network) : ICaptureSystem
    {
        public INetworkControl NetworkControl => network;
        public DateTime Now => inner.Now;
        public int Run(IReadOnlyList<string> argv, string? stdinPath = null, string? stdoutPath = null) => inner.Run(argv, stdinPath, stdoutPath);
        public int RunPipeline(IReadOnlyList<string> producer, IReadOnlyList<string> consumer) => inner.RunPipeline(producer, consumer);
        public int RunBuiltIn(IReadOnlyList<string> args, string? stdoutPath = null) => inner.RunBuiltIn(args, stdoutPath);
        public int RunBuiltInPipeline(IReadOnlyList<string> args, IReadOnlyList<string> consumer) => inner.RunBuiltInPipeline(args, consumer);
        public bool IsMountPoint(string path) => inner.IsMountPoint(path);
        public string? GetMountOptions(string path) => inner.GetMountOptions(path);
        public string? Mount(string source, string target, string fsType, string options) => inner.Mount(source, target, fsType, options);
        public string? RemountReadWrite(string target) => inner.RemountReadWrite(target);
        public string? LoadModule(string path) => inner.LoadModule(path);
        public void Sync() => inner.Sync();
        public string? GetHostIpToward(string remoteIp) => inner.GetHostIpToward(remoteIp);
        public string ReadKernelLog() => inner.ReadKernelLog();
        public void StartFenceKdumpSend(IReadOnlyList<string> args) => inner.StartFenceKdumpSend(args);
        public void Log(string message) => inner.Log(message);
        public void Reboot() => inner.Reboot();
        public void Halt() => inner.Halt();
        public void Poweroff() => inner.Poweroff();
        public void Shell() => inner.Shell();
    }
}
