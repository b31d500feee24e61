using System.Net;
using System.Net.Sockets;
using Kdump.Capture.Fence;
using Kdump.Capture.Network;

namespace Kdump.Capture.Tests;

/// <summary>
/// Our fence_kdump_send against a recording network: the rounds, the pauses, the message bytes,
/// the option checks and the verbose output of fence-agents' sender (agents/kdump). The compat
/// test (Kdump.Compat.Tests, FenceKdumpSendCompatTests) runs Debian's binary beside ours.
/// </summary>
public sealed class FenceKdumpSendTests
{
    private sealed class RecordingNetwork(string? hosts = null) : IFenceKdumpNetwork
    {
        public List<string> Calls { get; } = [];

        public HashSet<string> Unreachable { get; } = [];

        public IPAddress? Resolve(string name, AddressFamily family, out string error)
        {
            var a = HostsFile.Resolve(name, hosts, family);
            error = a is null ? "Name or service not known" : "";
            return a;
        }

        /// <summary>Families the kernel gives no socket of (a capture kernel without IPv6).</summary>
        public HashSet<AddressFamily> NoSockets { get; } = [];

        public int Open { get; private set; }

        public int Closed { get; private set; }

        IFenceKdumpSocket? IFenceKdumpNetwork.Open(AddressFamily family, out string error)
        {
            error = NoSockets.Contains(family) ? "Address family not supported by protocol" : "";
            if (error.Length > 0) return null;
            Open++;
            return new RecordingSocket(this);
        }

        private sealed class RecordingSocket(RecordingNetwork net) : IFenceKdumpSocket
        {
            public string? Send(IPEndPoint to, ReadOnlySpan<byte> datagram)
            {
                net.Calls.Add($"send {to} {Convert.ToHexString(datagram)}");
                return net.Unreachable.Contains(to.Address.ToString()) ? "Network is unreachable" : null;
            }

            public void Dispose() => net.Closed++;
        }

        public void Sleep(TimeSpan duration) => Calls.Add($"sleep {duration.TotalSeconds}");
    }

    private static (int Rc, string Out, string Err) Run(RecordingNetwork net, params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        var rc = FenceKdumpSend.Run(args, "/usr/libexec/fence_kdump_send", o, e, net);
        return (rc, o.ToString(), e.ToString());
    }

    [Fact]
    public void A_node_the_kernel_gives_no_socket_for_is_dropped_as_upstreams_get_node_drops_it()
    {
        var net = new RecordingNetwork();
        net.NoSockets.Add(AddressFamily.InterNetworkV6);
        var (rc, o, e) = Run(net, "-c", "1", "-vv", "fd00::2", "10.0.2.50");

        Assert.Equal(0, rc);
        Assert.Equal("[error]: socket (Address family not supported by protocol)\n[error]: failed to get node 'fd00::2'\n", e);
        Assert.Equal(["send 10.0.2.50:7410 402A301B01000000"], net.Calls);
        Assert.Contains("[debug]: message sent to node '10.0.2.50'\n", o, StringComparison.Ordinal);
        Assert.Equal((1, 1), (net.Open, net.Closed));

        // No node left: usage and exit 1, as with names that do not resolve.
        net = new RecordingNetwork();
        net.NoSockets.Add(AddressFamily.InterNetworkV6);
        (rc, o, e) = Run(net, "-c", "1", "fd00::2");
        Assert.Equal(1, rc);
        Assert.StartsWith("Usage: ", o, StringComparison.Ordinal);
        Assert.Empty(net.Calls);
    }

    [Fact]
    public void The_message_is_the_magic_then_version_1_in_little_endian_words()
    {
        Assert.Equal("402A301B01000000", Convert.ToHexString(FenceKdumpSend.Message()));
    }

    [Fact]
    public void Count_rounds_go_to_every_node_with_the_interval_between_them_and_none_after_the_last()
    {
        var net = new RecordingNetwork("10.0.2.51\tnode2.test node2\n");
        var (rc, o, e) = Run(net, "-c", "2", "--interv=3", "-p7411", "node2", "10.0.2.50");

        Assert.Equal(0, rc);
        Assert.Equal("", o + e);
        Assert.Equal(
        [
            "send 10.0.2.51:7411 402A301B01000000", "send 10.0.2.50:7411 402A301B01000000", "sleep 3",
            "send 10.0.2.51:7411 402A301B01000000", "send 10.0.2.50:7411 402A301B01000000",
        ], net.Calls);
    }

    [Fact]
    public void Verbose_prints_the_options_and_each_send_and_a_node_that_cannot_be_resolved_is_left_out()
    {
        var net = new RecordingNetwork();
        net.Unreachable.Add("fd00::9");
        var (rc, o, e) = Run(net, "-vv", "-c1", "-f", "IPv6", "nowhere.test", "fd00::9", "10.0.2.50", "fd00::1");

        Assert.Equal(0, rc);
        Assert.Equal(
            "[error]: getaddrinfo (Name or service not known)\n[error]: failed to get node 'nowhere.test'\n"
            + "[error]: getaddrinfo (Name or service not known)\n[error]: failed to get node '10.0.2.50'\n"
            + "[error]: sendto (Network is unreachable)\n", e);
        Assert.Equal(
            "[debug]: options {        \n[debug]:     nodename = (null)\n[debug]:     ipport   = 7410\n[debug]:     family   = 10\n"
            + "[debug]:     count    = 1\n[debug]:     interval = 10\n[debug]:     timeout  = 60\n[debug]:     verbose  = 2\n[debug]: }                \n"
            + "[debug]: node {       \n[debug]:     name = fd00::9\n[debug]:     addr = fd00::9\n[debug]:     port = 7410\n[debug]:     info = AF_INET6\n[debug]: }            \n"
            + "[debug]: node {       \n[debug]:     name = fd00::1\n[debug]:     addr = fd00::1\n[debug]:     port = 7410\n[debug]:     info = AF_INET6\n[debug]: }            \n"
            + "[debug]: message sent to node 'fd00::1'\n", o);
    }

    [Theory]
    [InlineData(new[] { "-p", "0", "n" }, "[error]: invalid ipport '0'\n")]
    [InlineData(new[] { "-p", "65536", "n" }, "[error]: invalid ipport '65536'\n")]
    [InlineData(new[] { "--ipport=port", "n" }, "[error]: invalid ipport 'port'\n")]
    [InlineData(new[] { "-f", "inet", "n" }, "[error]: unsupported family 'inet'\n")]
    [InlineData(new[] { "-c", "-1", "n" }, "[error]: invalid count '-1'\n")]
    [InlineData(new[] { "-i", "0", "n" }, "[error]: invalid interval '0'\n")]
    [InlineData(new[] { "-i", " 5s", "-p", "x", "n" }, "[error]: invalid ipport 'x'\n")]   // atoi takes " 5s" as 5; the next option fails
    public void Bad_values_stop_at_the_first_with_upstreams_message_and_exit_1(string[] args, string message)
    {
        var net = new RecordingNetwork();
        var (rc, o, e) = Run(net, args);
        Assert.Equal(1, rc);
        Assert.Equal("", o);
        Assert.Equal(message, e);
        Assert.Empty(net.Calls);
    }

    [Fact]
    public void Usage_version_and_missing_nodes_answer_as_upstream()
    {
        var net = new RecordingNetwork();
        var (rc, o, e) = Run(net);
        Assert.Equal((1, ""), (rc, e));
        Assert.StartsWith("Usage: fence_kdump_send [options] [nodes]\n\nOptions:\n\n  -p, --ipport=PORT            Port number (default: 7410)\n", o, StringComparison.Ordinal);
        Assert.Equal((0, o, ""), Run(net, "--help"));
        Assert.Equal((1, o, "[error]: failed to get node 'nowhere.test'\n"), Run(net, "-v", "nowhere.test"));   // no node left: usage
        Assert.Equal((0, "fence_kdump_send 0.1\n", ""), Run(net, "-V", "-p", "0"));   // -V acts before the bad port
        var bad = Run(net, "-x", "n");
        Assert.Equal((1, o, "/usr/libexec/fence_kdump_send: invalid option -- 'x'\n"), bad);
        Assert.Empty(net.Calls);
    }

    [Theory]
    [InlineData(new[] { "-v" }, 1, "")]
    [InlineData(new[] { "-vvv" }, 3, "")]
    [InlineData(new[] { "--verbose=vv" }, 3, "")]
    [InlineData(new[] { "-v", "-v2" }, 3, "")]
    [InlineData(new[] { "-v0" }, 0, "")]
    [InlineData(new[] { "-v3v" }, 3, "")]
    [InlineData(new[] { "--verbose=" }, 1, "")]
    [InlineData(new[] { "-vvx" }, 2, "[error]: invalid value 'x' for verbose\n")]
    [InlineData(new[] { "-vxv" }, 1, "[error]: invalid value 'x' for verbose\n")]
    [InlineData(new[] { "-v-1" }, 1, "[error]: invalid value '-' for verbose\n")]
    [InlineData(new[] { "-v2147483647", "-v" }, int.MinValue, "")]   // C's int wraps
    public void Verbosity_counts_as_fence_agents_4_12_does(string[] options, int verbose, string error)
    {
        var (rc, o, e) = Run(new RecordingNetwork(), [.. options, "-c", "1", "10.0.2.50"]);
        Assert.Equal(0, rc);
        Assert.Equal(error, e);
        Assert.Equal(verbose == 0 ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[debug]:     verbose  = {verbose}"), o.Split('\n').FirstOrDefault(l => l.Contains("verbose", StringComparison.Ordinal)) ?? "");
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData("  +7x", 7)]
    [InlineData("-3", -3)]
    [InlineData("", 0)]
    [InlineData("x1", 0)]
    [InlineData("4294967296", 0)]              // 2^32: the low 32 bits of the long
    [InlineData("4294967297", 1)]
    [InlineData("99999999999999999999", -1)]   // strtol saturates at LONG_MAX, whose low 32 bits are -1
    [InlineData("-99999999999999999999", 0)]   // LONG_MIN
    public void Numbers_are_read_as_glibcs_atoi(string text, int value) => Assert.Equal(value, FenceKdumpSend.Atoi(text));

    [Fact]
    public void Hosts_lookup_honours_the_family_and_comments()
    {
        const string hosts = "# 10.9.9.9 node1\nfd00::5 node1 # v6 first\n10.0.2.5 node1\n";
        Assert.Equal(IPAddress.Parse("fd00::5"), HostsFile.Resolve("node1", hosts));
        Assert.Equal(IPAddress.Parse("10.0.2.5"), HostsFile.Resolve("NODE1", hosts, AddressFamily.InterNetwork));
        Assert.Null(HostsFile.Resolve("10.0.2.5", hosts, AddressFamily.InterNetworkV6));
        Assert.Null(HostsFile.Resolve("node3", hosts));
        // getaddrinfo's AF_INET answer for a mapped literal is the IPv4 address; AF_UNSPEC keeps it mapped.
        Assert.Equal(IPAddress.Parse("10.0.2.5"), HostsFile.Resolve("::ffff:10.0.2.5", hosts, AddressFamily.InterNetwork));
        Assert.Equal(AddressFamily.InterNetworkV6, HostsFile.Resolve("::ffff:10.0.2.5", hosts)?.AddressFamily);
    }
}
