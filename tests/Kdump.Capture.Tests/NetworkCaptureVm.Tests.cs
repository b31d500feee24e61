using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// Real panics dumped over the network (eng/vmtest-capture/network-vm.sh): the first kernel
/// configures eth0 statically (or by DHCP) and runs OUR mkdumprd on its live network (route, addresses, NIC
/// driver); OUR kdump-capture brings eth0 up from that record and dumps to a server on 127.0.0.1 in
/// a network namespace, through QEMU's restricted user network. The script checks what the server
/// received (the 10.0.2.15-&lt;date&gt; directory, 0600 modes, makedumpfile 1.7.8 reads the dump and
/// finds the same log); these tests add what the C# readers can check. Fail, never skip, without
/// QEMU, the server, root or the lab kernel.
/// </summary>
[Collection(QemuGuests.Name)]
public sealed class NetworkCaptureVmTests
{
    /// <summary>ssh: vmcore.flat and vmcore-dmesg.txt through ssh to an sshd; 1.7.8 -R reassembles the dump.</summary>
    [Fact]
    public void Sysrq_panic_is_saved_over_ssh_through_the_network_our_mkdumprd_recorded()
    {
        var (stdout, work) = Run("ssh");
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        // The reassembled dump is ours (kdump-compressed, -d 31) and complete.
        AssertCompleteKdump(Path.Combine(work, "vmcore"));
    }

    /// <summary>
    /// ssh with DHCP: the first kernel leases eth0's address from QEMU's DHCP server (busybox udhcpc,
    /// the address set with a lifetime), so our mkdumprd records <c>dhcp</c>; our kdump-capture leases
    /// 10.0.2.15 again on a packet socket and names the dump directory after it.
    /// </summary>
    [Fact]
    public void Sysrq_panic_is_saved_over_ssh_by_a_capture_kernel_that_leases_its_address_by_dhcp()
    {
        var (stdout, work) = Run("ssh", "dhcp");
        Assert.Contains("NETVM-UDHCPC bound 10.0.2.15/24", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: eth0 (52:54:00:12:34:56): the first kernel's address was leased (/etc/kdump/network.conf: dhcp), asking DHCP", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving to root@10.0.2.100:/var/crash-test/10.0.2.15-", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        AssertCompleteKdump(Path.Combine(work, "vmcore"));
    }

    /// <summary>
    /// ssh through links the capture kernel sets up: a bond or a bridge made again from the record our mkdumprd
    /// wrote. bond: the first kernel bonds two NICs (active-backup, primary eth1, each NIC on its own
    /// restricted user network, only eth1's reaching the server), recorded with the slaves' permanent
    /// MACs; bridge: br0 with eth0 as its port (brctl), made with SIOCBRADDBR/SIOCBRADDIF;
    /// bridge-bond: br0 with that bond as its port, as a KVM host has it.
    /// bond-swap: the first kernel names its NICs the other way round from the capture kernel's
    /// probe order (eth0 is the primary :57): kdump-capture swaps the names through a spare one.
    /// carrier: eth0's link is down (QMP set_link) when the capture kernel sets it up and comes back
    /// 8 s after kdump-capture configured eth0; without the wait ssh fails (seen once).
    /// vlan: the NIC (named enp175s0f0np0, so the VLAN is vlan100) is a UDP link to a second guest
    /// and carries VLAN 100 only; the dump goes to 192.168.100.1 on that guest's eth0.100, which
    /// relays ssh to the sshd. The same NIC carries the cluster's heartbeat VLAN 200 toward a
    /// fence_kdump node on the second guest: mkdumprd records it as a second block on the same NIC,
    /// and the capture kernel makes vlan200 on the NIC it brought up for the dump.
    /// ipv6: the same two guests, IPv6 only: the first kernel's permanent fd00:1::15/64 and its
    /// default route via the server guest's link-local address, toward fd00:2::1 on that guest's lo;
    /// the capture kernel sets the address, waits for DAD, adds the route through eth0 and saves
    /// the dump in fd00:1::15-DATE, while the server guest advertises itself as a router (which the
    /// static record must not be spoilt by). auto6: the first kernel's address is SLAAC's from those
    /// advertisements, and so is the capture kernel's. dhcp6: the advertisements set the Managed flag
    /// and give no SLAAC prefix; ISC dhcpd -6 on the server guest leases fd00:1::100 to the capture
    /// kernel, which asks on that flag.
    /// </summary>
    [Theory]
    [InlineData("bond", "NETVM-BOND active-backup 1 slaves=eth0 eth1 active=eth1", "kdump: bond bond0 (active-backup) of eth0, eth1")]
    [InlineData("bond-swap", "NETVM-SWAPPED eth0=52:54:00:12:34:57 eth1=52:54:00:12:34:56", "kdump: bond bond0 (active-backup) of eth0, eth1")]
    [InlineData("bridge", "NETVM-BRIDGE eth0", "kdump: bridge br0 of eth0")]
    [InlineData("bridge-bond", "NETVM-BRIDGE bond0", "kdump: bridge br0 of bond0")]
    [InlineData("carrier", "NETVM-LINK carrier=0", "kdump: eth0 has carrier after ")]
    [InlineData("vlan", "NETVM-VLANPROC | Device: enp175s0f0np0", "kdump: vlan vlan100 (id 100) on enp175s0f0np0")]
    [InlineData("ipv6", "NETVM-NET fd00:1::15/64 52:54:00:12:34:56", "kdump: saving to root@fd00:2::1:/var/crash-test/fd00:1::15-")]
    [InlineData("auto6", "NETVM-NET fd00:1::5054:ff:fe12:3456/64 52:54:00:12:34:56", "kdump: saving to root@fd00:2::1:/var/crash-test/fd00:1::5054:ff:fe12:3456-")]
    [InlineData("dhcp6", "NETVM-NET fd00:1::100/128 52:54:00:12:34:56", "kdump: saving to root@fd00:2::1:/var/crash-test/fd00:1::100-")]
    public void Sysrq_panic_is_saved_over_ssh_through_the_links_the_capture_kernel_sets_up(string method, string firstKernel, string made)
    {
        var (stdout, work) = Run("ssh", method);
        Assert.Contains(firstKernel, stdout, StringComparison.Ordinal);
        Assert.Contains(made, stdout, StringComparison.Ordinal);
        if (method == "vlan")
        {
            Assert.Contains("kdump: vlan vlan200 (id 200) on enp175s0f0np0", stdout, StringComparison.Ordinal);
            Assert.Contains("kdump: fence_kdump: notifying node2.test (-p 7410 -i 2 -v)", stdout, StringComparison.Ordinal);
            Assert.Contains("server guest: SERVERGUEST-FENCED rc=0", stdout, StringComparison.Ordinal);
        }
        if (method == "bond")
        {
            // The defaults mkdumprd leaves out of its record are those of a new bond of this kernel.
            var shown = stdout.Split('\n').Where(l => l.StartsWith("NETVM-BONDOPT ", StringComparison.Ordinal))
                .Select(l => l["NETVM-BONDOPT ".Length..].TrimEnd('\r').Split('=', 2))
                .Where(p => p[1].Length > 0 || p[0] == "primary")     // empty: an option of another mode; its 802.3ad value follows
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1].Split(' ')[0]);
            foreach (var (option, initial) in Kdump.Config.Network.BondLink.RecordedOptions)
            {
                Assert.True(shown.TryGetValue(option, out var value), $"bonding/{option} is not in the 6.1 guest's sysfs");
                Assert.True(value == initial, $"a new bond's {option} is '{value}', the record takes '{initial}' as its default");
            }
        }
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        AssertCompleteKdump(Path.Combine(work, "vmcore"));
    }

    /// <summary>
    /// nfs: the capture kernel mounts nfs-server.test:/exp from NFS-Ganesha (NFSv4, negotiated, addr=
    /// given by kdump-capture since the image has no mount.nfs; the name from the image's /etc/hosts,
    /// where our mkdumprd wrote what the first kernel's resolved it to) and saves vmcore and
    /// vmcore-dmesg.txt there, under the first kernel's mount point of the export. ipv6: the name is
    /// fd00:2::1 on the second guest of the ssh ipv6 case, which relays port 2049 to Ganesha.
    /// </summary>
    [Theory]
    [InlineData("static", "10.0.2.15")]
    [InlineData("ipv6", "fd00:1::15")]
    public void Sysrq_panic_is_saved_on_an_nfs_export_mounted_by_the_capture_kernel(string method, string captureAddress)
    {
        var (stdout, work) = Run("nfs", method);
        Assert.Contains("NETVM-NFS-MOUNTED nfs-server.test:/exp /mnt/nfs nfs4 ", stdout, StringComparison.Ordinal);
        Assert.Contains($"kdump: saving to /kdumproot/mnt/nfs/var/crash/{captureAddress}-", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        AssertCompleteKdump(Path.Combine(work, "vmcore"));
    }

    /// <summary>
    /// fence_kdump: a cluster node dumping to its own disk (ext4 LABEL=kdump) names a fence_kdump
    /// node on the second guest, where Debian 12's fence_kdump agent waits for it; the node's subnet
    /// is reached through a route without a gateway. Our mkdumprd records the network toward the
    /// node though the dump is local, that route too; our kdump-capture brings it up,
    /// sends while it dumps, and the agent exits 0 (the script checks the server guest's console);
    /// the dump is on the disk in 127.0.0.1-DATE.
    /// </summary>
    [Fact]
    public void Sysrq_panic_of_a_cluster_node_is_saved_locally_after_its_fence_kdump_peer_is_told()
    {
        var (stdout, work) = Run("local", "fence");
        Assert.Contains("kdump: fence_kdump: notifying node2.test (-p 7410 -i 2 -v)", stdout, StringComparison.Ordinal);
        Assert.Contains("server guest: SERVERGUEST-FENCED rc=0", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving to /kdumproot/mnt/kdump/var/crash/127.0.0.1-", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        AssertCompleteKdump(Path.Combine(work, "vmcore"));
    }

    /// <summary>
    /// ssh with a heartbeat NIC: the dump goes over ssh through eth0 while the fence_kdump node is
    /// reached through eth1 (the link to the second guest), whose address that guest's udhcpd
    /// leases, as a cloud cluster's second NIC has it. Our mkdumprd records eth1 as a second, leased
    /// block; the capture kernel brings up eth0, leases eth1 again, and the agent on the node exits 0.
    /// </summary>
    [Fact]
    public void Sysrq_panic_of_a_cluster_node_is_saved_over_ssh_while_its_peer_is_told_through_its_second_nic()
    {
        var (stdout, work) = Run("ssh", "fence");
        Assert.Contains("kdump: eth1 (52:54:00:12:34:57) leased 192.168.100.15/24 from 192.168.100.1 for 86400s", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: fence_kdump: notifying node2.test (-p 7410 -i 2 -v)", stdout, StringComparison.Ordinal);
        Assert.Contains("server guest: SERVERGUEST-FENCED rc=0", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving to root@10.0.2.100:/var/crash-test/10.0.2.15-", stdout, StringComparison.Ordinal);
        Assert.Contains("kdump: saving vmcore complete", stdout, StringComparison.Ordinal);
        AssertCompleteKdump(Path.Combine(work, "vmcore"));
    }

    private static (string Stdout, string Work) Run(string target, string method = "static")
    {
        var script = Path.Combine(Lab.RepoRoot, "eng", "vmtest-capture", "network-vm.sh");
        var name = method == "static" ? target : $"{target}-{method}";
        // Publishing four static binaries and the lock wait come before the guest.
        var run = ExternalProcess.Run("bash", [script, target, method, "bookworm"], TimeSpan.FromMinutes(25));
        var stdout = System.Text.Encoding.UTF8.GetString(run.Stdout);
        Assert.True(run.ExitCode == 0, $"network-vm.sh {target} {method} failed ({run.ExitCode}):\n{run.Stderr}\n{stdout}");
        Assert.Contains($"network-vm[{name}]: PASS (bookworm)", stdout, StringComparison.Ordinal);
        // The capture kernel configured the NIC (or bond) from the record (or leased it) before the dump went out.
        // QEMU's DHCP server sends no router option under restrict=on (seen in udhcpc's "router="): no "via".
        var configured = method switch
        {
            "dhcp" => "kdump: eth0 (52:54:00:12:34:56) leased 10.0.2.15/24 from 10.0.2.2 for 86400s",
            "bond" => "kdump: bond0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
            "bond-swap" => "kdump: bond0 (52:54:00:12:34:57) is 10.0.2.15/24 via 10.0.2.2",
            "bridge" or "bridge-bond" => "kdump: br0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
            "vlan" => "kdump: vlan100 (52:54:00:12:34:56) is 192.168.100.15/24",
            "fence" when target == "local" => "kdump: eth0 (52:54:00:12:34:56) is 192.168.100.15/24",
            "ipv6" => "kdump: eth0 (52:54:00:12:34:56) is fd00:1::15/64 via fe80::5054:ff:fe00:101",
            "auto6" => "kdump: eth0 (52:54:00:12:34:56) autoconfigured fd00:1::5054:ff:fe12:3456/64 after ",
            "dhcp6" => "kdump: eth0 (52:54:00:12:34:56) leased fd00:1::100 by DHCPv6 from server 00:01:00:01:",
            _ => "kdump: eth0 (52:54:00:12:34:56) is 10.0.2.15/24 via 10.0.2.2",
        };
        Assert.Contains(configured, stdout, StringComparison.Ordinal);
        var work = Path.Combine(Lab.Dir, "vmtest-capture", $"{name}-bookworm");
        Assert.Contains(Lab.Info("bookworm")["panic_string"], File.ReadAllText(Path.Combine(work, "vmcore-dmesg.txt")), StringComparison.Ordinal);
        return (stdout, work);
    }

    private static void AssertCompleteKdump(string path)
    {
        using var dump = Kdump.Memory.DumpOpener.Open(path);
        var kd = Assert.IsType<Kdump.Memory.KdumpCompressedDump>(dump);
        Assert.False(kd.IsIncomplete);
    }
}
