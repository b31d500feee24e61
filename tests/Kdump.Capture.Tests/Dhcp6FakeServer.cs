using System.Net;
using Kdump.Capture.Network.Dhcp6;

namespace Kdump.Capture.Tests;

/// <summary>
/// A DHCPv6 server on a simulated link and clock, as <see cref="IDhcp6Transport"/>: what the
/// client sends is parsed and recorded with the time it was sent; <see cref="Respond"/> answers
/// each one (by default one server, DUID-LL 52:54:00:00:01:01, that advertises and grants
/// <see cref="Leased"/> for an hour to whoever asks). Replies arrive <see cref="Latency"/> later
/// from the server's link-local address; a receive with nothing due advances the clock by its
/// whole timeout.
/// </summary>
internal sealed class Dhcp6FakeServer : IDhcp6Transport
{
    public static readonly IPAddress Leased = IPAddress.Parse("fd00:1::100");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("fe80::5054:ff:fe00:101");
    public static readonly byte[] ServerDuid = Dhcp6Message.LinkLayerDuid([0x52, 0x54, 0x00, 0x00, 0x01, 0x01]);
    public const uint Preferred = 1800, Valid = 3600;

    private readonly List<(TimeSpan Due, byte[] Bytes)> _queue = [];

    public TimeSpan Now { get; private set; }

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(10);

    public List<(TimeSpan At, Dhcp6Message Message)> Sent { get; } = [];

    public Func<Dhcp6Message, int, IEnumerable<byte[]>> Respond { get; set; } = (m, _) => [.. Answer(m)];

    public string? SendFailure { get; set; }

    /// <summary>Set: <see cref="Send"/> fails with what it gives for the time of the send (null: it goes out).</summary>
    public Func<TimeSpan, string?>? SendFailureAt { get; set; }

    public bool Disposed { get; private set; }

    /// <summary>Advertise to a Solicit, Reply to a Request for <see cref="Leased"/> from this server (else NoBinding).</summary>
    public static IEnumerable<byte[]> Answer(Dhcp6Message m)
    {
        if (m.Type == Dhcp6MessageType.Solicit) yield return Grant(m, Dhcp6MessageType.Advertise).Write();
        else if (m.Type == Dhcp6MessageType.Request)
        {
            var ours = m.ServerId is { } s && s.Span.SequenceEqual(ServerDuid) && m.IaNa is { Addresses: [var first, ..] } && first.Address.Equals(Leased);
            yield return (ours ? Grant(m, Dhcp6MessageType.Reply)
                : Grant(m, Dhcp6MessageType.Reply) with { IaNa = m.IaNa! with { Addresses = [], Status = new Dhcp6Status(Dhcp6StatusCode.NoBinding, "no such lease") } }).Write();
        }
    }

    /// <summary>A reply to <paramref name="m"/> (its transaction id, client id and IAID) carrying <see cref="Leased"/>.</summary>
    public static Dhcp6Message Grant(Dhcp6Message m, Dhcp6MessageType type) => new()
    {
        Type = type,
        TransactionId = m.TransactionId,
        ClientId = m.ClientId,
        ServerId = ServerDuid,
        IaNa = new Dhcp6IaNa(m.IaNa!.Iaid, 900, 1440, [new Dhcp6IaAddress(Leased, Preferred, Valid)]),
    };

    public string? Send(ReadOnlySpan<byte> message)
    {
        if ((SendFailure ?? SendFailureAt?.Invoke(Now)) is { } failure) return failure;
        Assert.True(Dhcp6Message.TryRead(message, out var m, out var error), error);
        Sent.Add((Now, m));
        foreach (var r in Respond(m, Sent.Count - 1)) _queue.Add((Now + Latency, r));
        return null;
    }

    public string? Receive(TimeSpan timeout, out byte[]? message, out IPAddress? from)
    {
        Assert.True(timeout > TimeSpan.Zero, $"receive with timeout {timeout}");
        var next = _queue.Count > 0 ? _queue.MinBy(q => q.Due) : default;
        if (next.Bytes is not null && next.Due <= Now + timeout)
        {
            _queue.Remove(next);
            if (next.Due > Now) Now = next.Due;
            message = next.Bytes;
            from = ServerAddress;
            return null;
        }
        Now += timeout;
        message = null;
        from = null;
        return null;
    }

    public void Dispose() => Disposed = true;
}
