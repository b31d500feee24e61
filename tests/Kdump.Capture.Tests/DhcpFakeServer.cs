using Kdump.Capture.Network.Dhcp;
using Kdump.Config.Network;

namespace Kdump.Capture.Tests;

/// <summary>
/// A DHCP server on a simulated link and clock, as <see cref="IDhcpTransport"/>: what the client
/// sends is parsed and recorded with the time it was sent; <see cref="Respond"/> answers each one
/// (by default like QEMU's user network: 10.0.2.15/24 from 10.0.2.2, router 10.0.2.2, DNS 10.0.2.3,
/// a day's lease; DHCPNAK for a request of anything else). Replies arrive <see cref="Latency"/>
/// later; a receive with nothing due advances the clock by its whole timeout.
/// </summary>
internal sealed class DhcpFakeServer : IDhcpTransport
{
    public static readonly uint Server = Ip("10.0.2.2");
    public static readonly uint Leased = Ip("10.0.2.15");
    public static readonly uint Dns = Ip("10.0.2.3");
    public const uint LeaseSeconds = 86400;

    private readonly List<(TimeSpan Due, byte[] Bytes)> _queue = [];

    public TimeSpan Now { get; private set; }

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Each message the client sent, parsed, with when it was sent.</summary>
    public List<(TimeSpan At, DhcpMessage Message)> Sent { get; } = [];

    /// <summary>The replies (wire bytes) to a sent message; the index counts sent messages from 0.</summary>
    public Func<DhcpMessage, int, IEnumerable<byte[]>> Respond { get; set; } = (m, _) => [.. Answer(m)];

    /// <summary>Set: <see cref="Send"/> fails with it.</summary>
    public string? SendFailure { get; set; }

    public bool Disposed { get; private set; }

    public static uint Ip(string text) => Ipv4Network.TryParseAddress(text) ?? throw new ArgumentException(text);

    /// <summary>What the default server answers: DHCPOFFER to a DISCOVER, DHCPACK or DHCPNAK to a REQUEST.</summary>
    public static IEnumerable<byte[]> Answer(DhcpMessage m)
    {
        if (m.MessageType == DhcpMessageType.Discover) yield return Reply(m, DhcpMessageType.Offer).Write();
        else if (m.MessageType == DhcpMessageType.Request)
            yield return Reply(m, m.RequestedAddress == Leased && m.ServerIdentifier == Server ? DhcpMessageType.Ack : DhcpMessageType.Nak).Write();
    }

    /// <summary>A reply to <paramref name="m"/> (its xid and chaddr) of <paramref name="type"/>, carrying the lease (a DHCPNAK carries none).</summary>
    public static DhcpMessage Reply(DhcpMessage m, DhcpMessageType type)
    {
        var reply = new DhcpMessage
        {
            Op = DhcpMessage.BootReply,
            TransactionId = m.TransactionId,
            Flags = m.Flags,
            ClientHardwareAddress = m.ClientHardwareAddress,
            MessageType = type,
            ServerIdentifier = Server,
        };
        return type == DhcpMessageType.Nak ? reply : reply with
        {
            YourAddress = Leased,
            ServerAddress = Server,
            SubnetMask = Ip("255.255.255.0"),
            Routers = [Server],
            DomainNameServers = [Dns],
            LeaseSeconds = LeaseSeconds,
        };
    }

    public string? Send(ReadOnlySpan<byte> message)
    {
        if (SendFailure is not null) return SendFailure;
        Assert.True(DhcpMessage.TryRead(message, out var m, out var error), error);
        Sent.Add((Now, m));
        foreach (var r in Respond(m, Sent.Count - 1)) _queue.Add((Now + Latency, r));
        return null;
    }

    public string? Receive(TimeSpan timeout, out byte[]? message)
    {
        Assert.True(timeout > TimeSpan.Zero, $"receive with timeout {timeout}");
        var next = _queue.Count > 0 ? _queue.MinBy(q => q.Due) : default;
        if (next.Bytes is not null && next.Due <= Now + timeout)
        {
            _queue.Remove(next);
            if (next.Due > Now) Now = next.Due;
            message = next.Bytes;
            return null;
        }
        Now += timeout;
        message = null;
        return null;
    }

    public void Dispose() => Disposed = true;
}
