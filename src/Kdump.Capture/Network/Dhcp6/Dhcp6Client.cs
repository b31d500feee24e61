using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Kdump.Capture.Network.Dhcp6;

/// <summary>
/// What a DHCPv6 Reply granted: one address of the IA_NA, its lifetimes in seconds, the server's
/// DUID and the address the Reply came from.
/// </summary>
public sealed record Dhcp6Lease(IPAddress Address, uint PreferredLifetime, uint ValidLifetime, ReadOnlyMemory<byte> ServerDuid, IPAddress? Server);

/// <summary>
/// The client side of RFC 8415 §18.2.1–§18.2.2 for one address (IA_NA) on an interface whose
/// router advertisement says addresses are managed: Solicit, an Advertise that offers an address,
/// Request for it, Reply. A Reply without the address starts over with a new Solicit. Solicit is
/// retransmitted after 1.1, 2.2, 4.4 … s (SOL_TIMEOUT doubling, §15, the first strictly above
/// 1 s as §18.2.1 wants, without the rest of the ±10 % jitter, which spreads many clients booting
/// together) and Request up to <see cref="RequestSends"/> times, until <see cref="Budget"/> is
/// spent. Advertises are collected during the first Solicit's wait and the most preferred taken
/// (255 at once, §18.2.1); later the first that offers an address. A send that fails (the
/// link-local address DAD-ing again after a carrier flap) is logged once and retried at the next
/// interval. The client identifier is the DUID-LL of the NIC's address (the first kernel's client
/// may have used another DUID, so the server may hand out another address; the dump directory is
/// named after the one leased). Not done: Decline of an address that fails DAD (the caller gives
/// up instead), renewal (the capture kernel reboots long before T1; the address is set without a
/// lifetime).
/// </summary>
public sealed class Dhcp6Client
{
    /// <summary>How long to try in all, as <see cref="Dhcp.DhcpClient.Budget"/> for IPv4.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    /// <summary>SOL_TIMEOUT (§7.6) with a RAND of +0.1: the first Solicit's wait, strictly above 1 s (§18.2.1).</summary>
    public static readonly TimeSpan SolicitFirstWait = TimeSpan.FromSeconds(1.1);

    /// <summary>REQ_TIMEOUT (§7.6): the first Request's wait.</summary>
    public static readonly TimeSpan RequestFirstWait = TimeSpan.FromSeconds(1);

    /// <summary>SOL_MAX_RT would allow an hour; <see cref="Budget"/> ends first. REQ_MAX_RT is 30 s.</summary>
    public static readonly TimeSpan RequestMaxWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Requests without a Reply before soliciting again. REQ_MAX_RC (§7.6) is 10, but ten take
    /// 2.5 minutes at REQ_MAX_RT, past <see cref="Budget"/>; after five (31 s) a new Solicit may
    /// find a server that answers.
    /// </summary>
    public const int RequestSends = 5;

    /// <summary>The wait before soliciting again after a refusal, so that a server that refuses at once is not asked in a tight loop.</summary>
    public static readonly TimeSpan RestartPause = TimeSpan.FromSeconds(3);

    /// <summary>How often <c>giveUp</c> is asked while waiting for replies.</summary>
    public static readonly TimeSpan GiveUpPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>The highest preference (§21.8): the client takes that Advertise at once.</summary>
    private const byte MaxPreference = 255;

    private const int MalformedLogged = 3;

    private readonly IDhcp6Transport _transport;
    private readonly string _name;
    private readonly byte[] _duid;
    private readonly uint _iaid;
    private readonly Action<string> _log;
    private readonly Func<uint> _newTransactionId;
    private readonly Func<bool>? _giveUp;
    private TimeSpan _start;
    private int _solicits, _advertises, _requests, _refusals, _malformed, _sendFailures;
    private string? _lastSendFailure;

    /// <param name="transport">The link, opened on the interface.</param>
    /// <param name="interfaceName">For messages.</param>
    /// <param name="mac">The interface's 6-byte Ethernet address: the DUID-LL, and the IAID from its last four bytes.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="newTransactionId">A fresh 24-bit transaction id for each message exchange; random by default.</param>
    /// <param name="giveUp">Asked every <see cref="GiveUpPoll"/> while waiting: true ends the attempt (<see cref="GaveUp"/>), as when SLAAC made an address meanwhile.</param>
    public Dhcp6Client(IDhcp6Transport transport, string interfaceName, ReadOnlySpan<byte> mac, Action<string> log, Func<uint>? newTransactionId = null,
        Func<bool>? giveUp = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(interfaceName);
        ArgumentNullException.ThrowIfNull(log);
        if (mac.Length != 6) throw new ArgumentException($"an Ethernet address has 6 bytes, not {mac.Length}", nameof(mac));
        _transport = transport;
        _name = interfaceName;
        _duid = Dhcp6Message.LinkLayerDuid(mac);
        _iaid = BinaryPrimitives.ReadUInt32BigEndian(mac[2..]);
        _log = log;
        // Random.Shared: seeded from the kernel's random bytes; no cryptography library in the static image.
        _newTransactionId = newTransactionId ?? (() => (uint)Random.Shared.Next(0, 1 << 24));
        _giveUp = giveUp;
    }

    /// <summary>Whether the last <see cref="TryLease"/> ended because <c>giveUp</c> said so.</summary>
    public bool GaveUp { get; private set; }

    /// <summary>Leases an address, or says why none was leased within <see cref="Budget"/>.</summary>
    public bool TryLease([NotNullWhen(true)] out Dhcp6Lease? lease, [NotNullWhen(false)] out string? failure)
    {
        lease = null;
        GaveUp = false;
        _start = _transport.Now;
        var deadline = _start + Budget;
        while (true)
        {
            var solicit = Message(Dhcp6MessageType.Solicit, null, null);
            var (advertise, _) = Exchange(solicit, deadline, int.MaxValue, SolicitFirstWait, TimeSpan.MaxValue, "Advertise", ref _solicits, m =>
                m.Type == Dhcp6MessageType.Advertise && m.ServerId is not null && m.Status is null or { Code: Dhcp6StatusCode.Success }
                && Offered(m.IaNa) is not null, out failure);
            if (failure is not null) return false;
            if (advertise is null) break;
            _advertises++;
            var server = advertise.ServerId!.Value;
            var offered = Offered(advertise.IaNa)!;

            var request = Message(Dhcp6MessageType.Request, server, offered.Address);
            var (reply, from) = Exchange(request, deadline, RequestSends, RequestFirstWait, RequestMaxWait, "Reply", ref _requests, m =>
                m.Type == Dhcp6MessageType.Reply && m.ServerId is { } id && id.Span.SequenceEqual(server.Span), out failure);
            if (failure is not null) return false;
            if (reply is null)
            {
                if (_transport.Now >= deadline) break;
                _log($"{_name}: no DHCPv6 Reply from server {Hex(server)} after {RequestSends} Requests, soliciting again");
                continue;
            }
            var refusal = reply.Status is { Code: not Dhcp6StatusCode.Success } s ? Describe(s)
                : reply.IaNa is not { } ia ? "no IA_NA"
                : ia.Iaid != _iaid ? $"an IA_NA for IAID {ia.Iaid}, not ours ({_iaid})"
                : ia.Status is { Code: not Dhcp6StatusCode.Success } ias ? Describe(ias)
                : Offered(ia) is null ? "no usable address in its IA_NA" : null;
            if (refusal is not null)
            {
                _refusals++;
                _log($"{_name}: DHCPv6 Reply from server {Hex(server)} for {offered.Address}: {refusal}, soliciting again");
                if ((failure = Pause(deadline)) is not null) return false;
                continue;
            }
            var granted = Offered(reply.IaNa)!;
            lease = new Dhcp6Lease(granted.Address, granted.PreferredLifetime, granted.ValidLifetime, server, from);
            failure = null;
            return true;
        }
        failure = GaveUp ? $"{_name}: DHCPv6 given up: an address came by other means"
            : $"{_name}: no DHCPv6 lease within {Budget.TotalSeconds:0}s ({_solicits} Solicit, {_advertises} Advertise, {_requests} Request, {_refusals} refused"
                + (_malformed > 0 ? $", {_malformed} malformed" : "")
                + (_sendFailures > 0 ? $", {_sendFailures} sends failed, the last: {_lastSendFailure}" : "") + ")";
        return false;
    }

    /// <summary>
    /// The first address of an IA_NA that is ours, not refused and still valid (§18.2.10.1: an
    /// address with a valid lifetime of 0 is not to be used), with the preferred lifetime no larger
    /// than the valid one (§21.6) and T1 no larger than T2 when both are set (§21.4: otherwise the
    /// IA_NA is to be discarded).
    /// </summary>
    private Dhcp6IaAddress? Offered(Dhcp6IaNa? ia) =>
        ia is null || ia.Iaid != _iaid || ia.Status is { Code: not Dhcp6StatusCode.Success } || ia.T1 != 0 && ia.T2 != 0 && ia.T1 > ia.T2 ? null
            : ia.Addresses.FirstOrDefault(a => a.ValidLifetime > 0 && a.PreferredLifetime <= a.ValidLifetime
                && a.Status is null or { Code: Dhcp6StatusCode.Success } && IsUnicast(a.Address));

    private static bool IsUnicast(IPAddress a) =>
        !a.IsIPv6Multicast && !a.IsIPv6LinkLocal && !a.Equals(IPAddress.IPv6Any) && !a.Equals(IPAddress.IPv6Loopback) && !a.IsIPv4MappedToIPv6;

    /// <summary>A client message: our DUID, an IA_NA (asking for <paramref name="address"/> when given), the server's DUID for a Request.</summary>
    private Dhcp6Message Message(Dhcp6MessageType type, ReadOnlyMemory<byte>? server, IPAddress? address) => new()
    {
        Type = type,
        ClientId = _duid,
        ServerId = server,
        // T1 and T2 0: the server's choice (§21.4); lifetimes 0 in a request, likewise (§21.6).
        IaNa = new Dhcp6IaNa(_iaid, 0, 0, address is null ? [] : [new Dhcp6IaAddress(address, 0, 0)]),
        // §18.2.1: a Solicit asks for SOL_MAX_RT; nothing else is wanted (names are pinned in /etc/hosts).
        OptionRequest = [Dhcp6Option.SolMaxRt],
    };

    /// <summary>
    /// Sends <paramref name="message"/> with a fresh transaction id up to <paramref name="maxSends"/>
    /// times (each time with the elapsed time of this exchange) until a reply for it passes
    /// <paramref name="accept"/>; a null message when none came before <paramref name="deadline"/>,
    /// the sends ran out or <c>giveUp</c> said so (<paramref name="error"/> null), or when the link
    /// failed to receive. A Solicit's replies are collected for the whole first wait and the most
    /// preferred returned (§18.2.1); a Request's first acceptable reply is returned.
    /// </summary>
    private (Dhcp6Message? Message, IPAddress? From) Exchange(Dhcp6Message message, TimeSpan deadline, int maxSends, TimeSpan firstWait, TimeSpan maxWait,
        string awaited, ref int sent, Func<Dhcp6Message, bool> accept, out string? error)
    {
        var type = message.Type == Dhcp6MessageType.Solicit ? "Solicit" : "Request";
        var collect = message.Type == Dhcp6MessageType.Solicit;
        message = message with { TransactionId = _newTransactionId() & 0xFFFFFF };
        var began = _transport.Now;
        var wait = firstWait;
        (Dhcp6Message Message, IPAddress? From)? best = null;
        error = null;
        for (var sends = 0; sends < maxSends; sends++)
        {
            var now = _transport.Now;
            if (now >= deadline) break;
            if (sends > 0)
                _log($"{_name}: no DHCPv6 {awaited} yet, sending {type} again ({(now - _start).TotalSeconds:0}s / {Budget.TotalSeconds:0}s)");
            // §21.9: hundredths of a second since the exchange began, 0xffff beyond.
            var elapsed = (ushort)Math.Min(ushort.MaxValue, (long)((now - began).TotalMilliseconds / 10));
            if (_transport.Send((message with { ElapsedTime = elapsed }).Write()) is { } why)
            {
                if (++_sendFailures == 1) _log($"{_name}: cannot send DHCPv6 {type} ({why}), trying again");
                _lastSendFailure = why;
            }
            else
            {
                sent++;
            }
            var until = now + (wait < deadline - now ? wait : deadline - now);
            while (until - _transport.Now is var remaining && remaining > TimeSpan.Zero)
            {
                if (_giveUp is not null && _giveUp())
                {
                    GaveUp = true;
                    return (null, null);
                }
                var slice = _giveUp is not null && GiveUpPoll < remaining ? GiveUpPoll : remaining;
                if (_transport.Receive(slice, out var payload, out var from) is { } failed)
                {
                    error = $"{_name}: cannot receive DHCPv6 {awaited}: {failed}";
                    return (null, null);
                }
                if (payload is null) continue;
                if (!Dhcp6Message.TryRead(payload, out var reply, out var malformed))
                {
                    if (++_malformed <= MalformedLogged) _log($"{_name}: ignored a malformed DHCPv6 message{(from is null ? "" : $" from {from}")}: {malformed}");
                    continue;
                }
                // Another client's reply (a relay may multicast) or a late answer to an earlier exchange.
                if (reply.TransactionId != message.TransactionId || reply.ClientId is not { } c || !c.Span.SequenceEqual(_duid) || !accept(reply)) continue;
                if (!collect || sends > 0 || reply.Preference == MaxPreference) return (reply, from);
                // The first RT: the most preferred (absent is 0, §21.8); the earliest among equals.
                if (best is null || (reply.Preference ?? 0) > (best.Value.Message.Preference ?? 0)) best = (reply, from);
            }
            if (best is { } chosen) return chosen;
            wait = wait * 2 < maxWait ? wait * 2 : maxWait;
        }
        return (null, null);
    }

    /// <summary>Waits <see cref="RestartPause"/> (or until the deadline), dropping whatever arrives; non-null when the link failed.</summary>
    private string? Pause(TimeSpan deadline)
    {
        var until = _transport.Now + RestartPause;
        if (until > deadline) until = deadline;
        while (until - _transport.Now is var remaining && remaining > TimeSpan.Zero)
        {
            if (_transport.Receive(remaining, out var payload, out _) is { } failed) return $"{_name}: cannot receive: {failed}";
            if (payload is null) break;
        }
        return null;
    }

    private static string Describe(Dhcp6Status s)
    {
        var name = s.Code switch
        {
            Dhcp6StatusCode.UnspecFail => "UnspecFail",
            Dhcp6StatusCode.NoAddrsAvail => "NoAddrsAvail",
            Dhcp6StatusCode.NoBinding => "NoBinding",
            Dhcp6StatusCode.NotOnLink => "NotOnLink",
            Dhcp6StatusCode.UseMulticast => "UseMulticast",
            _ => $"status {s.Code}",
        };
        // The server's text is shown as data: control, format (bidi) and separator characters would
        // forge or disguise log lines; a surrogate cut by the 200-character limit goes too.
        var text = new string([.. s.Message.Take(200).Select(ch => Printable(ch) ? ch : '?')]);
        return text.Length == 0 ? name : $"{name} ({text})";
    }

    private static bool Printable(char ch) => !char.IsSurrogate(ch) && char.GetUnicodeCategory(ch) is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned);

    /// <summary>A DUID for messages, as hex pairs (dhcpd and dnsmasq print them so).</summary>
    public static string Hex(ReadOnlyMemory<byte> duid) =>
        string.Join(':', duid.ToArray().Take(32).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
