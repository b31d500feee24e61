using System.Text;
using Kdump.Config.Network;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// Reject routes (unreachable, prohibit, blackhole): the kernel picks them like any route and then
/// refuses to send, so upstream's <c>ip route get</c> fails and mkdumprd stops with "Bad kdump
/// network destination"; a less specific route (the default) must not be taken instead. The route
/// tables are this machine's kernel's, printed in a network namespace the test makes, and each
/// destination's outcome is compared with iproute2's <c>ip route get</c> in that namespace.
/// </summary>
public sealed partial class NetworkTests
{
    private const string RejectRoutesScript = """
        set -e
        ip link set lo up
        # The peer is made first: eth0 gets index 2, as the test's sysfs has it.
        ip link add eth1 type veth peer name eth0
        ip link set eth0 up; ip link set eth1 up
        ip addr add 10.0.2.15/24 dev eth0
        ip -6 addr add fd00::15/64 dev eth0 nodad
        ip route add default via 10.0.2.2
        ip route add unreachable 10.9.0.0/16; ip route add blackhole 10.8.0.0/16; ip route add prohibit 10.7.0.0/16
        ip -6 route add default via fd00::1
        ip -6 route add unreachable fd00:9::/32; ip -6 route add blackhole fd00:8::/32; ip -6 route add prohibit fd00:7::/32
        cat /proc/net/route; echo =====; cat /proc/net/ipv6_route; echo =====; cat /proc/net/if_inet6; echo =====
        for d in "$@"; do if ip route get "$d" >/dev/null 2>&1; then echo "$d ok"; else echo "$d refused"; fi; done
        """;

    private static readonly string[] s_rejectDestinations = ["10.9.1.1", "10.8.1.1", "10.7.1.1", "10.6.1.1", "fd00:9::1", "fd00:8::1", "fd00:7::1", "fd00:6::1"];

    [Fact]
    public void A_destination_behind_a_reject_route_is_refused_where_ip_route_get_refuses_it()
    {
        var r = ExternalProcess.Run("unshare", ["-n", "sh", "-c", RejectRoutesScript, "sh", .. s_rejectDestinations], TimeSpan.FromMinutes(1));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var parts = Encoding.UTF8.GetString(r.Stdout).Split("=====\n");
        var (routes, routes6, inet6) = (parts[0], parts[1], parts[2]);
        var verdicts = parts[3].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(w => w[0], w => w[1] == "ok");
        // The blackhole is the one IPv4 reject route without RTF_REJECT: only its device, "*", tells.
        Assert.Contains("\n*\t0000080A\t00000000\t0001\t", routes, StringComparison.Ordinal);
        Assert.Equal([false, false, false, true, false, false, false, true], s_rejectDestinations.Select(d => verdicts[d]));

        foreach (var destination in s_rejectDestinations)
        {
            using var root = new TestRoot("mkdumprd-net-reject");
            root.Write(ProcNetIpv6.RoutePath, routes6);
            root.Write(ProcNetIpv6.AddressPath, inet6);
            var server = destination.Contains(':', StringComparison.Ordinal) ? $"[{destination}]" : destination;
            string? refusal = null;
            try
            {
                BuildNfs(root, [Addr(2, "10.0.2.15/24")], $"nfs {server}:/export\n", routes);
            }
            catch (InitramfsBuildException e)
            {
                refusal = e.Message;
            }
            Assert.Equal(verdicts[destination] ? null : $"Bad kdump network destination: {destination}", refusal);
        }
    }
}
