using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kdump.Cli;

namespace Kdump.Capture.Fence;

/// <summary>
/// fence-agents' <c>fence_kdump_send</c> (agents/kdump/fence_kdump_send.c, options.h, message.h):
/// tells a Pacemaker cluster's <c>fence_kdump</c> agent that this node is in its capture kernel, so
/// the other nodes do not power-fence it in the middle of the dump. An 8-byte UDP datagram (magic
/// 0x1B302A40, version 1, each a host-order 32-bit word: little-endian here) goes to every node on
/// the port, then again after the interval, for ever or COUNT rounds. Options, messages and exit
/// codes are upstream's: <c>-p/--ipport</c> (7410), <c>-f/--family</c> (auto, ipv4, ipv6),
/// <c>-c/--count</c> (0: no end), <c>-i/--interval</c> (10 s), <c>-v/--verbose[=N]</c>,
/// <c>-V/--version</c>, <c>-h/--help</c>. Names resolve through <see cref="IFenceKdumpNetwork"/>
/// (in the capture kernel: address literals and the image's /etc/hosts, where mkdumprd pinned
/// each node).
/// </summary>
public static class FenceKdumpSend
{
    public const string UpstreamName = "fence_kdump_send";

    /// <summary>fence-agents' FENCE_KDUMP_VERSION, which <c>-V</c> prints.</summary>
    public const string Version = "0.1";

    public const int DefaultPort = 7410;
    public const int DefaultInterval = 10;

    /// <summary>fence_kdump's default timeout, which <c>-v</c> prints although the sender has no such option.</summary>
    private const int DefaultTimeout = 60;

    public const uint Magic = 0x1B302A40;
    public const uint MessageVersion1 = 1;
    public const int MessageLength = 8;

    private const string ShortOptions = "p:f:c:i:v::Vh";

    private static readonly LongOption[] s_longOptions =
    [
        new("ipport", ArgumentKind.Required, 'p'),
        new("family", ArgumentKind.Required, 'f'),
        new("count", ArgumentKind.Required, 'c'),
        new("interval", ArgumentKind.Required, 'i'),
        new("verbose", ArgumentKind.Optional, 'v'),
        new("version", ArgumentKind.None, 'V'),
        new("help", ArgumentKind.None, 'h'),
    ];

    /// <summary>The message, as fence_kdump_send's <c>init_message</c> fills its packed struct.</summary>
    public static byte[] Message()
    {
        var m = new byte[MessageLength];
        BinaryPrimitives.WriteUInt32LittleEndian(m, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4), MessageVersion1);
        return m;
    }

    /// <summary>
    /// fence_kdump_send with <paramref name="args"/> (argv without argv[0]); returns its exit code.
    /// <paramref name="programName"/> is argv[0] (usage and getopt messages name it).
    /// </summary>
    public static int Run(IReadOnlyList<string> args, string programName, TextWriter stdout, TextWriter stderr, IFenceKdumpNetwork network)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(programName);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(network);
        var self = Path.GetFileName(programName);
        if (args.Count == 0)
        {
            PrintUsage(stdout, self);
            return 1;
        }
        var parsed = new Getopt(ShortOptions, s_longOptions).Parse(args, programName);
        var o = new Options();
        foreach (var item in parsed.Options)
        {
            if (item.IsError)
            {
                stderr.Write(item.Error + "\n");
                PrintUsage(stdout, self);
                return 1;
            }
            var arg = item.Argument ?? "";
            switch (item.Id)
            {
                case 'p':
                    o.Port = Atoi(arg);
                    if (o.Port is < 1 or > 65535) return Invalid(stderr, "invalid ipport", arg);
                    break;
                case 'f':
                    if (ParseFamily(arg) is not { } family)
                    {
                        stderr.Write($"[error]: unsupported family '{arg}'\n");
                        return 1;
                    }
                    o.Family = family;
                    break;
                case 'c':
                    o.Count = Atoi(arg);
                    if (o.Count < 0) return Invalid(stderr, "invalid count", arg);
                    break;
                case 'i':
                    o.Interval = Atoi(arg);
                    if (o.Interval < 1) return Invalid(stderr, "invalid interval", arg);
                    break;
                case 'v':
                    o.Verbose = AddVerbose(o.Verbose, item.Argument, stderr);
                    break;
                case 'V':
                    stdout.Write($"{self} {Version}\n");
                    return 0;
                default: // 'h'
                    PrintUsage(stdout, self);
                    return 0;
            }
        }

        var nodes = new List<Node>();
        try
        {
            // get_node: the lookup, then the node's socket; a node without either is dropped.
            foreach (var name in parsed.Operands)
            {
                string? failure = null;
                if (network.Resolve(name, o.Family, out var error) is not { } address) failure = $"getaddrinfo ({error})";
                else if (network.Open(address.AddressFamily, out error) is not { } socket) failure = $"socket ({error})";
                else nodes.Add(new Node(name, new IPEndPoint(address, o.Port), socket));
                if (failure is null) continue;
                if (o.Verbose >= 2) stderr.Write($"[error]: {failure}\n");
                if (o.Verbose >= 1) stderr.Write($"[error]: failed to get node '{name}'\n");
            }
            if (nodes.Count == 0)
            {
                PrintUsage(stdout, self);
                return 1;
            }
            if (o.Verbose != 0) PrintOptions(stdout, o, nodes);

            var message = Message();
            for (var round = 1; ; round++)
            {
                foreach (var node in nodes)
                {
                    if (node.Socket.Send(node.EndPoint, message) is { } error)
                    {
                        if (o.Verbose >= 2) stderr.Write($"[error]: sendto ({error})\n");
                    }
                    else if (o.Verbose >= 1)
                    {
                        stdout.Write($"[debug]: message sent to node '{Numeric(node.EndPoint.Address)}'\n");
                    }
                }
                stdout.Flush();
                if (o.Count != 0 && round >= o.Count) break;
                network.Sleep(TimeSpan.FromSeconds(o.Interval));
            }
            return 0;
        }
        finally
        {
            foreach (var node in nodes) node.Socket.Dispose();
        }
    }

    /// <summary>
    /// <c>-v</c> as Debian 12's fence-agents 4.12.1 counts it (measured on its binary): one more
    /// without a value; a value starting with a digit adds its atoi (<c>-v2</c>); any other adds
    /// one and one per further 'v' (<c>-vvv</c> is 3), up to a character that is not a 'v',
    /// which is named on stderr and ends the count but not the program.
    /// </summary>
    private static int AddVerbose(int verbose, string? value, TextWriter stderr)
    {
        // C's int: a count past int.MaxValue wraps there too.
        if (value is null) return unchecked(verbose + 1);
        if (value.Length > 0 && char.IsAsciiDigit(value[0])) return unchecked(verbose + Atoi(value));
        verbose = unchecked(verbose + 1);
        foreach (var c in value)
        {
            if (c != 'v')
            {
                stderr.Write($"[error]: invalid value '{c}' for verbose\n");
                break;
            }
            verbose = unchecked(verbose + 1);
        }
        return verbose;
    }

    /// <summary>fence_kdump_send's word for <paramref name="address"/> (getnameinfo NI_NUMERICHOST).</summary>
    private static string Numeric(IPAddress address) => address.ToString();

    private static int Invalid(TextWriter stderr, string what, string arg)
    {
        stderr.Write($"[error]: {what} '{arg}'\n");
        return 1;
    }

    /// <summary>strcasecmp against upstream's three words; null for any other.</summary>
    private static AddressFamily? ParseFamily(string arg) => arg.ToUpperInvariant() switch
    {
        "AUTO" => AddressFamily.Unspecified,
        "IPV4" => AddressFamily.InterNetwork,
        "IPV6" => AddressFamily.InterNetworkV6,
        _ => null,
    };

    /// <summary>
    /// C's atoi as glibc has it, <c>(int)strtol(text, NULL, 10)</c>: leading white space, an
    /// optional sign, then decimal digits up to the first other character; 0 when there are none.
    /// </summary>
    public static int Atoi(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r') i++;
        var negative = false;
        if (i < text.Length && text[i] is '+' or '-') negative = text[i++] == '-';
        // strtol: the magnitude saturates at LONG_MAX (LONG_MIN's for a minus sign).
        var limit = negative ? 1UL << 63 : (1UL << 63) - 1;
        ulong magnitude = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            var digit = (ulong)(text[i] - '0');
            magnitude = magnitude > (limit - digit) / 10 ? limit : magnitude * 10 + digit;
        }
        // atoi's conversion of that long to int keeps its low 32 bits.
        return unchecked((int)(negative ? 0UL - magnitude : magnitude));
    }

    private static void PrintUsage(TextWriter o, string self)
    {
        o.Write($"Usage: {self} [options] [nodes]\n\n");
        o.Write("Options:\n\n");
        o.Write("  -p, --ipport=PORT            Port number (default: 7410)\n");
        o.Write("  -f, --family=FAMILY          Network family ([auto], ipv4, ipv6)\n");
        o.Write("  -c, --count=COUNT            Number of messages to send (default: 0)\n");
        o.Write("  -i, --interval=INTERVAL      Interval in seconds (default: 10)\n");
        o.Write("  -v, --verbose                Print verbose output\n");
        o.Write("  -V, --version                Print version\n");
        o.Write("  -h, --help                   Print usage\n\n");
    }

    /// <summary>
    /// Upstream's <c>print_options</c>. Its <c>info</c> line is a pointer value there; here it is
    /// the address family the node resolved to.
    /// </summary>
    private static void PrintOptions(TextWriter o, Options opts, IReadOnlyList<Node> nodes)
    {
        var family = opts.Family switch { AddressFamily.InterNetwork => 2, AddressFamily.InterNetworkV6 => 10, _ => 0 };
        o.Write("[debug]: options {        \n");
        o.Write("[debug]:     nodename = (null)\n");
        o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     ipport   = {opts.Port}\n"));
        o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     family   = {family}\n"));
        o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     count    = {opts.Count}\n"));
        o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     interval = {opts.Interval}\n"));
        o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     timeout  = {DefaultTimeout}\n"));
        o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     verbose  = {opts.Verbose}\n"));
        o.Write("[debug]: }                \n");
        foreach (var n in nodes)
        {
            o.Write("[debug]: node {       \n");
            o.Write($"[debug]:     name = {n.Name}\n");
            o.Write($"[debug]:     addr = {Numeric(n.EndPoint.Address)}\n");
            o.Write(string.Create(CultureInfo.InvariantCulture, $"[debug]:     port = {n.EndPoint.Port}\n"));
            o.Write($"[debug]:     info = {(n.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? "AF_INET6" : "AF_INET")}\n");
            o.Write("[debug]: }            \n");
        }
    }

    private sealed class Options
    {
        public int Port { get; set; } = DefaultPort;
        public AddressFamily Family { get; set; } = AddressFamily.Unspecified;
        public int Count { get; set; }
        public int Interval { get; set; } = DefaultInterval;
        public int Verbose { get; set; }
    }

    private sealed record Node(string Name, IPEndPoint EndPoint, IFenceKdumpSocket Socket);
}
