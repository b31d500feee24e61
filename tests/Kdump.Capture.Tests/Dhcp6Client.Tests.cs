using System.Net;
using Kdump.Capture.Network.Dhcp6;

namespace Kdump.Capture.Tests;

/// <summary>
/// <see cref="Dhcp6Client"/> against <see cref="Dhcp6FakeServer"/> on a simulated clock: the
/// four-message exchange, retransmission with backoff, refusals, replies that are not ours, and
/// the budget.
/// </summary>
public sealed class Dhcp6ClientTests : IDisposable
{
    private static readonly byte[] s_mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    private static readonly byte[] s_duid = [0, 3, 0, 1, .. s_mac];
    private const uint Iaid = 0x00123456;
    private readonly Dhcp6FakeServer _server = new();
    private readonly List<string> _log = [];
    private uint _xid = 0x1000;

    public void Dispose() => _server.Dispose();

    private Dhcp6Client Client() => new(_server, "eth0", s_mac, _log.Add, () => ++_xid);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Solicit_advertise_request_reply_leases_the_advertised_address()
    {
        Assert.True(Client().TryLease(out var lease, out var failure), failure);

        Assert.Equal(Dhcp6FakeServer.Leased, lease.Address);
        Assert.Equal((Dhcp6FakeServer.Preferred, Dhcp6FakeServer.Valid), (lease.PreferredLifetime, lease.ValidLifetime));
        Assert.Equal(Dhcp6FakeServer.ServerDuid, lease.ServerDuid.ToArray());
        Assert.Equal(Dhcp6FakeServer.ServerAddress, lease.Server);
        Assert.Empty(_log);

        Assert.Equal([Dhcp6MessageType.Solicit, Dhcp6MessageType.Request], _server.Sent.Select(s => s.Message.Type));
        var (solicit, request) = (_server.Sent[0].Message, _server.Sent[1].Message);
        // A fresh transaction id per exchange (RFC 8415 §16.1), each in 24 bits.
        Assert.Equal((0x1001u, 0x1002u), (solicit.TransactionId, request.TransactionId));
        foreach (var m in new[] { solicit, request })
        {
            Assert.Equal(s_duid, m.ClientId!.Value.ToArray());
            Assert.Equal(Iaid, m.IaNa!.Iaid);
            Assert.Equal((0u, 0u), (m.IaNa.T1, m.IaNa.T2));
            Assert.Equal([Dhcp6Option.SolMaxRt], m.OptionRequest);
            Assert.Equal((ushort)0, m.ElapsedTime);
        }
        Assert.Null(solicit.ServerId);
        Assert.Empty(solicit.IaNa!.Addresses);
        Assert.Equal(Dhcp6FakeServer.ServerDuid, request.ServerId!.Value.ToArray());
        Assert.Equal([new Dhcp6IaAddress(Dhcp6FakeServer.Leased, 0, 0)], request.IaNa!.Addresses);
        Assert.Equal("52:54:00:00:01:01", Dhcp6Client.Hex(lease.ServerDuid.Slice(4)));
    }

    [Fact]
    public void A_silent_link_is_solicited_with_doubling_waits_and_elapsed_time_until_the_budget_ends()
    {
        _server.Respond = (_, _) => [];
        Assert.False(Client().TryLease(out _, out var failure));

        // 1.1, 2.2, 4.4 … 35.2 s after the previous one (SOL_TIMEOUT + 10 %, doubling), then the rest of the 90 s.
        Assert.Equal([0, 1.1, 3.3, 7.7, 16.5, 34.1, 69.3], _server.Sent.Select(s => Math.Round(s.At.TotalSeconds, 3)));
        Assert.Equal([0, 110, 330, 770, 1650, 3410, 6930], _server.Sent.Select(s => (int)s.Message.ElapsedTime!.Value));
        Assert.All(_server.Sent, s => Assert.Equal(0x1001u, s.Message.TransactionId));   // a retransmission keeps it
        Assert.Equal(Dhcp6Client.Budget, _server.Now);
        Assert.Equal("eth0: no DHCPv6 lease within 90s (7 Solicit, 0 Advertise, 0 Request, 0 refused)", failure);
        Assert.Equal("eth0: no DHCPv6 Advertise yet, sending Solicit again (1s / 90s)", _log[0]);
    }

    [Fact]
    public void Advertisements_that_are_not_ours_or_offer_no_usable_address_are_passed_over()
    {
        _server.Respond = (m, n) => n > 0 ? Dhcp6FakeServer.Answer(m) :
        [
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { TransactionId = m.TransactionId ^ 1 }).Write(),              // another exchange
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { ClientId = new byte[] { 0, 3, 0, 1, 1, 2, 3, 4, 5, 6 } }).Write(),  // another client
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { ServerId = null }).Write(),                                  // no server
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { Status = new Dhcp6Status(Dhcp6StatusCode.NoAddrsAvail, "pool empty") }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { IaNa = new Dhcp6IaNa(Iaid, 0, 0, [new Dhcp6IaAddress(Dhcp6FakeServer.Leased, 1, 2)], new Dhcp6Status(Dhcp6StatusCode.NoAddrsAvail, "")) }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { IaNa = new Dhcp6IaNa(Iaid, 900, 600, [new Dhcp6IaAddress(Dhcp6FakeServer.Leased, 1, 2)]) }).Write(),   // T1 > T2
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { IaNa = new Dhcp6IaNa(Iaid + 1, 0, 0, [new Dhcp6IaAddress(Dhcp6FakeServer.Leased, 1, 2)]) }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { IaNa = new Dhcp6IaNa(Iaid, 0, 0, [new Dhcp6IaAddress(Dhcp6FakeServer.Leased, 0, 0)]) }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { IaNa = new Dhcp6IaNa(Iaid, 0, 0, [new Dhcp6IaAddress(Dhcp6FakeServer.Leased, 9, 5)]) }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { IaNa = new Dhcp6IaNa(Iaid, 0, 0, [new Dhcp6IaAddress(IPAddress.Parse("ff02::1"), 1, 2)]) }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Reply)).Write(),                                                                // not an Advertise
            [2, 0, 0x10],                                                                                                              // malformed
        ];
        Assert.True(Client().TryLease(out var lease, out var failure), failure);
        Assert.Equal(Dhcp6FakeServer.Leased, lease.Address);
        // None was taken: the second Solicit, 1.1 s later, got the answer, and took it at once.
        Assert.Equal([0, 1.1, 1.11], _server.Sent.Select(s => Math.Round(s.At.TotalSeconds, 3)));
        Assert.Equal([Dhcp6MessageType.Solicit, Dhcp6MessageType.Solicit, Dhcp6MessageType.Request], _server.Sent.Select(s => s.Message.Type));
        Assert.Equal(
        [
            "eth0: ignored a malformed DHCPv6 message from fe80::5054:ff:fe00:101: 3 bytes, shorter than the 4-byte header",
            "eth0: no DHCPv6 Advertise yet, sending Solicit again (1s / 90s)",
        ], _log);
    }

    [Theory]
    [InlineData(Dhcp6StatusCode.NoAddrsAvail, "the pool is empty", true, "NoAddrsAvail (the pool is empty)")]
    [InlineData(Dhcp6StatusCode.UnspecFail, "", false, "UnspecFail")]
    [InlineData(Dhcp6StatusCode.NotOnLink, "wrong\nlink", true, "NotOnLink (wrong?link)")]
    [InlineData(Dhcp6StatusCode.Success, "", true, "no usable address in its IA_NA")]
    public void A_refusing_reply_solicits_again_after_a_pause(ushort code, string text, bool inIaNa, string said)
    {
        _server.Respond = (m, n) => n != 1 || m.Type != Dhcp6MessageType.Request ? Dhcp6FakeServer.Answer(m) :
        [
            (inIaNa
                ? Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Reply) with { IaNa = m.IaNa! with { Addresses = [], Status = code == 0 ? null : new Dhcp6Status(code, text) } }
                : Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Reply) with { Status = new Dhcp6Status(code, text) }).Write(),
        ];
        Assert.True(Client().TryLease(out var lease, out var failure), failure);
        Assert.Equal(Dhcp6FakeServer.Leased, lease.Address);
        Assert.Equal([$"eth0: DHCPv6 Reply from server 00:03:00:01:52:54:00:00:01:01 for fd00:1::100: {said}, soliciting again"], _log);
        Assert.Equal([Dhcp6MessageType.Solicit, Dhcp6MessageType.Request, Dhcp6MessageType.Solicit, Dhcp6MessageType.Request], _server.Sent.Select(s => s.Message.Type));
        // The Request after the first Solicit's whole wait (1.1 s, collecting Advertises).
        Assert.Equal(S(1.11) + Dhcp6Client.RestartPause, _server.Sent[2].At);
        Assert.Equal(0x1003u, _server.Sent[2].Message.TransactionId);
    }

    [Fact]
    public void A_server_that_stops_answering_requests_is_asked_five_times_then_solicited_again()
    {
        _server.Respond = (m, n) => m.Type == Dhcp6MessageType.Request && n < 6 ? [] : Dhcp6FakeServer.Answer(m);
        Assert.True(Client().TryLease(out var lease, out var failure), failure);
        Assert.Equal(Dhcp6FakeServer.Leased, lease.Address);
        var requests = _server.Sent.Where(s => s.Message.Type == Dhcp6MessageType.Request).ToList();
        Assert.Equal(6, requests.Count);
        // REQ_TIMEOUT 1 s, doubling; the last one's 16 s ran out before the new Solicit.
        Assert.Equal([1, 2, 4, 8], requests.Take(5).Zip(requests.Skip(1).Take(4)).Select(p => Math.Round((p.Second.At - p.First.At).TotalSeconds)));
        Assert.Equal(S(32.1), _server.Sent[6].At);
        Assert.Equal(Dhcp6MessageType.Solicit, _server.Sent[6].Message.Type);
        Assert.Contains("eth0: no DHCPv6 Reply from server 00:03:00:01:52:54:00:00:01:01 after 5 Requests, soliciting again", _log);
    }

    [Fact]
    public void A_send_that_fails_is_tried_again_at_each_interval_and_said_once()
    {
        _server.SendFailure = "sendto [ff02::1:2%2]:547: AddressNotAvailable";
        Assert.False(Client().TryLease(out _, out var failure));
        Assert.Equal("eth0: no DHCPv6 lease within 90s (0 Solicit, 0 Advertise, 0 Request, 0 refused, 7 sends failed, the last: sendto [ff02::1:2%2]:547: AddressNotAvailable)", failure);
        Assert.Equal("eth0: cannot send DHCPv6 Solicit (sendto [ff02::1:2%2]:547: AddressNotAvailable), trying again", _log[0]);
        Assert.Single(_log, l => l.Contains("cannot send", StringComparison.Ordinal));

        // The link-local address back after 5 s (DAD again after a carrier flap): the lease goes on.
        _log.Clear();
        using var flaky = new Dhcp6FakeServer { SendFailureAt = now => now < S(5) ? "sendto [ff02::1:2%2]:547: AddressNotAvailable" : null };
        Assert.True(new Dhcp6Client(flaky, "eth0", s_mac, _log.Add).TryLease(out var lease, out failure), failure);
        Assert.Equal(Dhcp6FakeServer.Leased, lease.Address);
        Assert.Equal(S(7.7), flaky.Sent[0].At);     // the fourth Solicit's turn: 0, 1.1, 3.3 failed
    }

    [Fact]
    public void The_first_solicits_advertises_are_weighed_by_preference_and_255_is_taken_at_once()
    {
        byte[] other = [0, 3, 0, 1, 0x52, 0x54, 0, 0, 9, 9];
        _server.Respond = (m, n) => n > 0 ? Dhcp6FakeServer.Answer(m) :
        [
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { ServerId = other, Preference = 10 }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { Preference = 200 }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { ServerId = other, Preference = 200 }).Write(),
        ];
        Assert.True(Client().TryLease(out var lease, out var failure), failure);
        Assert.Equal(Dhcp6FakeServer.ServerDuid, lease.ServerDuid.ToArray());       // the first of the two at 200
        Assert.Equal(S(1.1), _server.Sent[1].At);                                    // after the whole first wait

        _server.Sent.Clear();
        _server.Respond = (m, n) => m.Type == Dhcp6MessageType.Solicit
            ? [(Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Advertise) with { Preference = 255 }).Write()]
            : Dhcp6FakeServer.Answer(m);
        var before = _server.Now;
        Assert.True(Client().TryLease(out _, out failure), failure);
        Assert.Equal(before + S(0.01), _server.Sent[1].At);                          // no waiting
    }

    [Fact]
    public void Replies_to_the_request_from_another_server_or_for_another_client_are_passed_over()
    {
        _server.Respond = (m, n) => m.Type != Dhcp6MessageType.Request ? Dhcp6FakeServer.Answer(m) :
        [
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Reply) with { ServerId = new byte[] { 0, 3, 0, 1, 1, 1, 1, 1, 1, 1 } }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Reply) with { ClientId = new byte[] { 0, 3, 0, 1, 2, 2, 2, 2, 2, 2 } }).Write(),
            (Dhcp6FakeServer.Grant(m, Dhcp6MessageType.Reply) with { IaNa = new Dhcp6IaNa(Iaid, 0, 0, [new Dhcp6IaAddress(IPAddress.Parse("fd00:1::200"), 1, 2)]) }).Write(),
        ];
        Assert.True(Client().TryLease(out var lease, out var failure), failure);
        // The server may grant another address than it advertised: the Reply's is the lease.
        Assert.Equal(IPAddress.Parse("fd00:1::200"), lease.Address);
        Assert.Single(_server.Sent, s => s.Message.Type == Dhcp6MessageType.Request);
    }

    [Fact]
    public void Giving_up_ends_the_wait_within_a_quarter_second()
    {
        _server.Respond = (_, _) => [];
        var client = new Dhcp6Client(_server, "eth0", s_mac, _log.Add, () => ++_xid, giveUp: () => _server.Now >= S(2));
        Assert.False(client.TryLease(out _, out var failure));
        Assert.True(client.GaveUp);
        Assert.Equal("eth0: DHCPv6 given up: an address came by other means", failure);
        Assert.InRange(_server.Now, S(2), S(2.25));
    }
}
