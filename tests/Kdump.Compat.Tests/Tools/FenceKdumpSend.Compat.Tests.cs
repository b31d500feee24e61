using System.Text;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// Our fence_kdump_send (the NativeAOT kdump-capture called by that name, as the image's
/// /usr/libexec/fence_kdump_send link runs it) beside Debian 12's (fence-agents 4.12.1,
/// eng/lab/fence-agents.sh), each run in a network namespace of its own with only loopback:
/// the same exit codes and messages, the same datagrams on the wire, and the cluster's real
/// <c>fence_kdump</c> agent taking ours as a node's word that it is in its capture kernel.
/// </summary>
public sealed class FenceKdumpSendCompatTests : IDisposable
{
    private readonly ScratchDir _scratch = Lab.Scratch("fence-kdump");
    private readonly string _ours;
    private readonly string _reference;

    public FenceKdumpSendCompatTests()
    {
        var aot = Path.Combine(Lab.RepoRoot, "artifacts", "aot", "kdump-capture", "kdump-capture");
        if (!File.Exists(aot)) throw new FileNotFoundException($"NativeAOT build of kdump-capture missing at {aot}: run eng/aot/publish.sh", aot);
        var reference = Path.Combine(Lab.Dir, "ref", "fence-agents", "root", "usr", "libexec", "fence-agents", "fence_kdump_send");
        if (!File.Exists(reference)) throw new FileNotFoundException($"Debian's fence_kdump_send missing at {reference}: run eng/lab/fence-agents.sh", reference);
        // Both called fence_kdump_send: usage names the program by its file name, getopt by argv[0].
        _ours = Link("ours", aot);
        _reference = Link("ref", reference);
    }

    public void Dispose() => _scratch.Dispose();

    private string Link(string dir, string target)
    {
        var link = Path.Combine(_scratch.Path, dir, "fence_kdump_send");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, target);
        return link;
    }

    /// <summary>sh -c SCRIPT in a new network namespace whose loopback is up; $0 is the sender, $1… the arguments.</summary>
    private static ExternalProcess.Result Isolated(string script, string sender, params string[] args) =>
        ExternalProcess.Run("unshare", ["-n", "sh", "-c", "ip link set lo up && " + script, sender, .. args], TimeSpan.FromSeconds(60));

    /// <summary>Output with the program's directory and the reference's pointer value (its "info =" line) made neutral.</summary>
    private static string Neutral(string text, string program) => string.Join('\n', text.Replace(Path.GetDirectoryName(program)!, "DIR", StringComparison.Ordinal)
        .Split('\n').Select(l => l.StartsWith("[debug]:     info = ", StringComparison.Ordinal) ? "[debug]:     info = …" : l));

    public static TheoryData<string[]> Invocations => new()
    {
        { Array.Empty<string>() },
        { new[] { "-h" } },
        { new[] { "--vers" } },
        { new[] { "-x", "127.0.0.1" } },
        { new[] { "--bogus", "127.0.0.1" } },
        { new[] { "-p" } },
        { new[] { "-p", "0", "127.0.0.1" } },
        { new[] { "--ipport=65536", "127.0.0.1" } },
        { new[] { "-f", "ipx", "127.0.0.1" } },
        { new[] { "-c", "-2", "127.0.0.1" } },
        { new[] { "-i", "0x10", "127.0.0.1" } },
        { new[] { "-c1", "-v", "127.0.0.1", "::1" } },
        { new[] { "-c", "2", "-i", "1", "-vv", "-p", "7411", "127.0.0.1" } },
        { new[] { "-c1", "-vvx", "127.0.0.1" } },
        { new[] { "-c1", "-v", "-f", "ipv6", "127.0.0.1", "::1" } },
        { new[] { "-c1", "-v", "-f", "IPv4", "::1" } },
        { new[] { "-c1", "--verbose=2", "-f", "ipv4", "::1", "127.0.0.1" } },
        { new[] { "-c", "1", "127.0.0.1", "--", "-v" } },
        { new[] { "-c1", "-vv", "::ffff:127.0.0.1" } },
        { new[] { "-c1", "-v", "-f", "ipv4", "::ffff:127.0.0.1" } },
        { new[] { "-c1", "-v", "-v2", "127.0.0.1" } },
    };

    [Theory]
    [MemberData(nameof(Invocations))]
    public void Options_messages_and_exit_codes_are_fence_agents(string[] args)
    {
        var reference = Isolated("exec \"$0\" \"$@\"", _reference, args);
        var ours = Isolated("exec \"$0\" \"$@\"", _ours, args);

        Assert.Equal(reference.ExitCode, ours.ExitCode);
        Assert.Equal(Neutral(Encoding.UTF8.GetString(reference.Stdout), _reference), Neutral(Encoding.UTF8.GetString(ours.Stdout), _ours));
        Assert.Equal(Neutral(reference.Stderr, _reference), Neutral(ours.Stderr, _ours));
    }

    /// <summary>A listener on 127.0.0.1 and ::1 that prints each datagram's source address and bytes, then the sender.</summary>
    private const string Listen = """
        python3 -c '
        import select, socket, sys
        socks = []
        for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((addr, 7410)); socks.append(s)
        print("ready", flush=True)
        while True:
            r, _, _ = select.select(socks, [], [], 4)
            if not r: break
            for s in r:
                data, src = s.recvfrom(64); print(src[0], data.hex(), flush=True)
        ' > "$0.wire" &
        listener=$!
        until grep -q ready "$0.wire" 2>/dev/null; do sleep 0.1; done
        "$0" -c 2 -i 1 "$@"; rc=$?
        wait $listener; cat "$0.wire"; exit $rc
        """;

    [Fact]
    public void Both_send_the_same_datagrams_to_every_node_each_round()
    {
        // Address literals only: how "localhost" resolves depends on the machine's /etc/hosts.
        var reference = Isolated(Listen, _reference, "127.0.0.1", "::1", "::ffff:127.0.0.1");
        var ours = Isolated(Listen, _ours, "127.0.0.1", "::1", "::ffff:127.0.0.1");

        Assert.True(reference.ExitCode == 0, reference.Stderr);
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        // Sorted: which of the listener's two sockets is read first is the scheduler's choice.
        static string[] Lines(byte[] output) => [.. Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
        Assert.Equal(Lines(reference.Stdout), Lines(ours.Stdout));
        var wire = Encoding.UTF8.GetString(ours.Stdout);
        // Two rounds to three nodes (the mapped one reaches the IPv4 socket): magic 0x1B302A40, version 1.
        Assert.Equal(6, wire.Split('\n').Count(l => l.EndsWith(" 402a301b01000000", StringComparison.Ordinal)));
        Assert.Equal(4, wire.Split('\n').Count(l => l.StartsWith("127.0.0.1 ", StringComparison.Ordinal)));
        Assert.Equal(2, wire.Split('\n').Count(l => l.StartsWith("::1 ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_clusters_fence_kdump_agent_takes_our_message_as_the_nodes()
    {
        var agent = Path.Combine(Lab.Dir, "ref", "bin", "fence_kdump-ref");
        Assert.True(File.Exists(agent), $"{agent} missing: run eng/lab/fence-agents.sh");
        // The agent waits (action off) for a valid message from the node, here up to 20 s; 0 is "fenced".
        const string script = "\"$1\" -n 127.0.0.1 -p \"$2\" -t \"$3\" -v > \"$0.agent\" 2>&1 & agent=$!; sleep 0.5; "
            + "\"$0\" -c 3 -i 1 -p 7410 127.0.0.1; wait $agent; rc=$?; cat \"$0.agent\"; exit $rc";
        var fenced = Isolated(script, _ours, agent, "7410", "20");
        Assert.True(fenced.ExitCode == 0, Encoding.UTF8.GetString(fenced.Stdout) + fenced.Stderr);
        Assert.Contains("[debug]: received valid message from '127.0.0.1'", Encoding.UTF8.GetString(fenced.Stdout), StringComparison.Ordinal);

        // The agent can say no: nothing on its port within its time is a failed fencing.
        var missed = Isolated(script, _ours, agent, "7412", "4");
        Assert.NotEqual(0, missed.ExitCode);
        Assert.DoesNotContain("received valid message", Encoding.UTF8.GetString(missed.Stdout), StringComparison.Ordinal);
    }
}
