using System.Diagnostics.CodeAnalysis;
using Kdump.Config.Network;

namespace Kdump.Capture.Network.Dhcp;

/// <summary>
/// The client side of RFC 2131 §3.1 for one interface without an address: DHCPDISCOVER, the first
/// acceptable DHCPOFFER, DHCPREQUEST for it, DHCPACK. A DHCPNAK, or a server that stops answering
/// the DHCPREQUEST, starts over with a new xid. Each message is retransmitted after 4, 8, 16, 32,
/// then 64 s (§4.1; without the ±1 s jitter, which spreads many clients booting together) until
/// <see cref="Budget"/> is spent. Replies count only with our xid and chaddr; the BROADCAST flag
/// asks servers to broadcast them, since the interface cannot take unicast before it has the
/// address. The lease is not renewed: the address is set without a lifetime and the capture
/// kernel reboots long before any sensible lease ends. Nor is the offered address probed with ARP
/// first (§4.4.1's SHOULD): a conflict would show as a failed connection to the dump server.
/// </summary>
public sealed class DhcpClient
{
    /// <summary>
    /// How long to try in all. Upstream's kdump.sh waits up to 10 minutes for the network; a
    /// capture kernel that cannot lease in 90 s (five DHCPDISCOVERs) is better off with its failure action.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    public static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(4);

    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(64);

    /// <summary>
    /// The wait before discovering again after a DHCPNAK or an unusable DHCPACK (busybox udhcpc
    /// waits 3 s too): a server that refuses at once would otherwise be asked in a tight loop.
    /// </summary>
    public static readonly TimeSpan RestartPause = TimeSpan.FromSeconds(3);

    /// <summary>DHCPREQUESTs without a DHCPACK or DHCPNAK before discovering again.</summary>
    public const int RequestSends = 3;

    /// <summary>How many malformed messages are logged per lease (the rest are only counted).</summary>
    private const int MalformedLogged = 3;

    private static readonly byte[] s_parameters = [DhcpOption.SubnetMask, DhcpOption.Router, DhcpOption.DomainNameServer];

    private readonly IDhcpTransport _transport;
    private readonly string _name;
    private readonly byte[] _mac;
    private readonly Action<string> _log;
    private readonly Func<uint> _newTransactionId;
    private readonly uint? _wanted;
    private TimeSpan _start;
    private int _discovers, _offers, _requests, _naks, _malformed;

    /// <param name="transport">The link, opened on the interface.</param>
    /// <param name="interfaceName">For messages.</param>
    /// <param name="mac">The interface's 6-byte Ethernet address (chaddr, and the client identifier).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="newTransactionId">A fresh xid for each DHCPDISCOVER; random by default.</param>
    /// <param name="wanted">An address to ask for in DHCPDISCOVER (option 50, RFC 2131 §4.4.1): the first kernel's lease.</param>
    public DhcpClient(IDhcpTransport transport, string interfaceName, ReadOnlySpan<byte> mac, Action<string> log, Func<uint>? newTransactionId = null,
        uint? wanted = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(interfaceName);
        ArgumentNullException.ThrowIfNull(log);
        if (mac.Length != DhcpMessage.EthernetAddressLength) throw new ArgumentException($"an Ethernet address has 6 bytes, not {mac.Length}", nameof(mac));
        _transport = transport;
        _name = interfaceName;
        _mac = mac.ToArray();
        _log = log;
        // Random.Shared: seeded from the kernel's random bytes; no cryptography library in the static image.
        _newTransactionId = newTransactionId ?? (() => (uint)Random.Shared.NextInt64(0, 1L << 32));
        _wanted = wanted;
    }

    /// <summary>Leases an address, or says why none was leased within <see cref="Budget"/>.</summary>
    public bool TryLease([NotNullWhen(true)] out DhcpLease? lease, [NotNullWhen(false)] out string? failure)
    {
        lease = null;
        _start = _transport.Now;
        var deadline = _start + Budget;
        while (true)
        {
            var xid = _newTransactionId();
            var discover = Message(DhcpMessageType.Discover, xid) with { RequestedAddress = _wanted };
            var offer = Exchange(discover, deadline, int.MaxValue, "DHCPOFFER", ref _discovers, m =>
                m.MessageType == DhcpMessageType.Offer && m.YourAddress != 0 && m.ServerIdentifier is not null, out failure);
            if (failure is not null) return false;
            if (offer is null) break;
            _offers++;
            var server = offer.ServerIdentifier!.Value;

            var request = Message(DhcpMessageType.Request, xid) with { RequestedAddress = offer.YourAddress, ServerIdentifier = server };
            var reply = Exchange(request, deadline, RequestSends, "DHCPACK", ref _requests, m =>
                m.MessageType is DhcpMessageType.Ack or DhcpMessageType.Nak && m.ServerIdentifier == server, out failure);
            if (failure is not null) return false;
            if (reply is null)
            {
                if (_transport.Now >= deadline) break;
                _log($"{_name}: no DHCPACK from {Ipv4Network.Format(server)} after {RequestSends} DHCPREQUESTs, discovering again");
                continue;
            }
            if (reply.MessageType == DhcpMessageType.Nak)
            {
                _naks++;
                _log($"{_name}: DHCPNAK from {Ipv4Network.Format(server)} for {Ipv4Network.Format(offer.YourAddress)}, discovering again");
                if ((failure = Pause(deadline)) is not null) return false;
                continue;
            }
            if (reply.YourAddress == 0)
            {
                _log($"{_name}: DHCPACK from {Ipv4Network.Format(server)} has no address (yiaddr 0.0.0.0), discovering again");
                if ((failure = Pause(deadline)) is not null) return false;
                continue;
            }
            var mask = reply.SubnetMask ?? offer.SubnetMask ?? ClassfulMask(reply.YourAddress);
            if (Ipv4Network.PrefixOf(mask) is not { } prefix)
            {
                failure = $"{_name}: DHCPACK from {Ipv4Network.Format(server)} has subnet mask {Ipv4Network.Format(mask)}, which is not a prefix";
                return false;
            }
            var routers = reply.Routers.Count > 0 ? reply.Routers : offer.Routers;
            var dns = reply.DomainNameServers.Count > 0 ? reply.DomainNameServers : offer.DomainNameServers;
            lease = new DhcpLease(new Ipv4Network(reply.YourAddress, prefix), server, routers.Count > 0 ? routers[0] : null, dns, reply.LeaseSeconds ?? offer.LeaseSeconds);
            return true;
        }
        failure = $"{_name}: no DHCP lease within {Budget.TotalSeconds:0}s ({_discovers} DHCPDISCOVER, {_offers} DHCPOFFER, {_requests} DHCPREQUEST, {_naks} DHCPNAK"
            + (_malformed > 0 ? $", {_malformed} malformed" : "") + ")";
        return false;
    }

    /// <summary>A BOOTREQUEST from this client: xid, chaddr, BROADCAST, client identifier 1 + MAC (RFC 2132 §9.14), parameter list.</summary>
    private DhcpMessage Message(DhcpMessageType type, uint xid) => new()
    {
        Op = DhcpMessage.BootRequest,
        TransactionId = xid,
        Flags = DhcpMessage.BroadcastFlag,
        ClientHardwareAddress = _mac,
        MessageType = type,
        ClientIdentifier = (byte[])[DhcpMessage.HardwareTypeEthernet, .. _mac],
        ParameterRequestList = s_parameters,
    };

    /// <summary>
    /// Sends <paramref name="message"/> up to <paramref name="maxSends"/> times with backoff until a
    /// reply for it passes <paramref name="accept"/>; null when none came before <paramref name="deadline"/>
    /// or the sends ran out (<paramref name="error"/> null), or when the link failed (<paramref name="error"/> set).
    /// </summary>
    private DhcpMessage? Exchange(DhcpMessage message, TimeSpan deadline, int maxSends, string awaited, ref int sent, Func<DhcpMessage, bool> accept, out string? error)
    {
        var type = message.MessageType == DhcpMessageType.Discover ? "DHCPDISCOVER" : "DHCPREQUEST";
        var wait = FirstWait;
        for (var sends = 0; sends < maxSends; sends++)
        {
            var now = _transport.Now;
            if (now >= deadline) break;
            if (sends > 0)
                _log($"{_name}: no {awaited} yet, sending {type} again ({(now - _start).TotalSeconds:0}s / {Budget.TotalSeconds:0}s)");
            var secs = (ushort)Math.Min(ushort.MaxValue, (int)(now - _start).TotalSeconds);
            if (_transport.Send((message with { Seconds = secs }).Write()) is { } why)
            {
                error = $"{_name}: cannot send {type}: {why}";
                return null;
            }
            sent++;
            var until = now + (wait < deadline - now ? wait : deadline - now);
            while (until - _transport.Now is var remaining && remaining > TimeSpan.Zero)
            {
                if (_transport.Receive(remaining, out var payload) is { } failed)
                {
                    error = $"{_name}: cannot receive {awaited}: {failed}";
                    return null;
                }
                if (payload is null) break;
                if (!DhcpMessage.TryRead(payload, out var reply, out var malformed))
                {
                    if (++_malformed <= MalformedLogged) _log($"{_name}: ignored a malformed DHCP message: {malformed}");
                    continue;
                }
                if (IsForUs(reply, message.TransactionId) && accept(reply))
                {
                    error = null;
                    return reply;
                }
            }
            wait = wait * 2 < MaxWait ? wait * 2 : MaxWait;
        }
        error = null;
        return null;
    }

    /// <summary>Waits <see cref="RestartPause"/> (or until the deadline), dropping whatever arrives; non-null when the link failed.</summary>
    private string? Pause(TimeSpan deadline)
    {
        var until = _transport.Now + RestartPause;
        if (until > deadline) until = deadline;
        while (until - _transport.Now is var remaining && remaining > TimeSpan.Zero)
        {
            if (_transport.Receive(remaining, out var payload) is { } failed) return $"{_name}: cannot receive: {failed}";
            if (payload is null) break;
        }
        return null;
    }

    /// <summary>A server's reply to our xid about our chaddr (other clients' broadcast replies reach us too).</summary>
    private bool IsForUs(DhcpMessage m, uint xid) =>
        m.Op == DhcpMessage.BootReply && m.TransactionId == xid && m.HardwareType == DhcpMessage.HardwareTypeEthernet
        && m.ClientHardwareAddress.Span.SequenceEqual(_mac);

    /// <summary>A server may leave out option 1; then the address class gives the mask, as the kernel's ipconfig takes it.</summary>
    private static uint ClassfulMask(uint address) => (address >> 24) switch
    {
        < 128 => 0xFF000000,
        < 192 => 0xFFFF0000,
        _ => 0xFFFFFF00,
    };
}
