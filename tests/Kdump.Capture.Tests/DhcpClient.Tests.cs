using Kdump.Capture.Network.Dhcp;
using Kdump.Config.Network;

namespace Kdump.Capture.Tests;

/// <summary>
/// <see cref="DhcpClient"/> against <see cref="DhcpFakeServer"/> on a simulated clock: the
/// exchange, retransmission with backoff, DHCPNAK, replies that are not ours, and the budget.
/// </summary>
public sealed class DhcpClientTests : IDisposable
{
    private static readonly byte[] s_mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    private readonly DhcpFakeServer _server = new();
    private readonly List<string> _log = [];
    private uint _xid = 0x1000;

    public void Dispose() => _server.Dispose();

    private DhcpClient Client() => new(_server, "eth0", s_mac, _log.Add, () => ++_xid);

    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    private static TimeSpan Ms(long milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private DhcpLease Lease()
    {
        Assert.True(Client().TryLease(out var lease, out var failure), failure);
        return lease;
    }

    [Fact]
    public void Discover_offer_request_ack_leases_the_offered_address_with_its_router_and_dns()
    {
        var lease = Lease();

        Assert.Equal(new Ipv4Network(DhcpFakeServer.Leased, 24), lease.Address);
        Assert.Equal(DhcpFakeServer.Server, lease.Server);
        Assert.Equal(DhcpFakeServer.Server, lease.Router);
        Assert.Equal([DhcpFakeServer.Dns], lease.Nameservers);
        Assert.Equal(DhcpFakeServer.LeaseSeconds, lease.LeaseSeconds);
        Assert.Empty(_log);

        Assert.Equal([DhcpMessageType.Discover, DhcpMessageType.Request], _server.Sent.Select(s => s.Message.MessageType));
        var (discover, request) = (_server.Sent[0].Message, _server.Sent[1].Message);
        foreach (var m in new[] { discover, request })
        {
            Assert.Equal(DhcpMessage.BootRequest, m.Op);
            Assert.Equal(0x1001u, m.TransactionId);                 // one xid for the whole exchange
            Assert.True(m.IsBroadcast);
            Assert.Equal(s_mac, m.ClientHardwareAddress.ToArray());
            Assert.Equal(0u, m.ClientAddress);
            Assert.Equal((byte[])[1, .. s_mac], m.ClientIdentifier.ToArray());
            Assert.Equal((byte[])[DhcpOption.SubnetMask, DhcpOption.Router, DhcpOption.DomainNameServer], m.ParameterRequestList.ToArray());
        }
        Assert.Null(discover.RequestedAddress);
        Assert.Null(discover.ServerIdentifier);
        Assert.Equal(DhcpFakeServer.Leased, request.RequestedAddress);
        Assert.Equal(DhcpFakeServer.Server, request.ServerIdentifier);
    }

    [Fact]
    public void Lost_offers_are_retransmitted_after_4_then_8_seconds_with_secs_counting()
    {
        _server.Respond = (m, i) => i < 2 ? [] : DhcpFakeServer.Answer(m);   // the first two DISCOVERs are lost

        Lease();

        Assert.Equal([S(0), S(4), S(12), Ms(12_010)], _server.Sent.Select(s => s.At));
        Assert.Equal([0, 4, 12, 12], _server.Sent.Select(s => (int)s.Message.Seconds));
        Assert.Equal([0x1001u, 0x1001u, 0x1001u, 0x1001u], _server.Sent.Select(s => s.Message.TransactionId));
        Assert.Equal(
        [
            "eth0: no DHCPOFFER yet, sending DHCPDISCOVER again (4s / 90s)",
            "eth0: no DHCPOFFER yet, sending DHCPDISCOVER again (12s / 90s)",
        ], _log);
    }

    [Fact]
    public void A_nak_starts_over_with_a_new_xid()
    {
        var naked = false;
        _server.Respond = (m, _) =>
        {
            if (m.MessageType != DhcpMessageType.Request || naked) return DhcpFakeServer.Answer(m);
            naked = true;
            return [DhcpFakeServer.Reply(m, DhcpMessageType.Nak).Write()];
        };

        Lease();

        Assert.Equal([DhcpMessageType.Discover, DhcpMessageType.Request, DhcpMessageType.Discover, DhcpMessageType.Request],
            _server.Sent.Select(s => s.Message.MessageType));
        Assert.Equal([0x1001u, 0x1001u, 0x1002u, 0x1002u], _server.Sent.Select(s => s.Message.TransactionId));
        Assert.Equal(["eth0: DHCPNAK from 10.0.2.2 for 10.0.2.15, discovering again"], _log);
    }

    [Fact]
    public void Replies_with_another_xid_or_chaddr_and_malformed_ones_are_ignored()
    {
        _server.Respond = (m, _) =>
        {
            var answer = DhcpFakeServer.Answer(m).ToList();
            if (m.MessageType != DhcpMessageType.Discover) return answer;
            var offer = DhcpFakeServer.Reply(m, DhcpMessageType.Offer);
            return
            [
                (offer with { TransactionId = m.TransactionId + 1, YourAddress = DhcpFakeServer.Ip("10.0.2.66") }).Write(),
                (offer with { ClientHardwareAddress = (byte[])[0x52, 0x54, 0, 0, 0, 1], YourAddress = DhcpFakeServer.Ip("10.0.2.77") }).Write(),
                (offer with { Op = DhcpMessage.BootRequest, YourAddress = DhcpFakeServer.Ip("10.0.2.88") }).Write(),   // another client's echo
                new byte[100],
                .. answer,
            ];
        };

        var lease = Lease();

        Assert.Equal(DhcpFakeServer.Leased, lease.Address.Address);
        Assert.Equal(DhcpFakeServer.Leased, _server.Sent[1].Message.RequestedAddress);
        Assert.Equal(["eth0: ignored a malformed DHCP message: DHCP message of 100 bytes is shorter than the 240-byte BOOTP header and magic cookie"], _log);
    }

    [Fact]
    public void A_silent_network_fails_after_the_budget_with_what_was_sent()
    {
        _server.Respond = (_, _) => [];

        Assert.False(Client().TryLease(out var lease, out var failure));

        Assert.Null(lease);
        Assert.Equal("eth0: no DHCP lease within 90s (5 DHCPDISCOVER, 0 DHCPOFFER, 0 DHCPREQUEST, 0 DHCPNAK)", failure);
        Assert.Equal([S(0), S(4), S(12), S(28), S(60)], _server.Sent.Select(s => s.At));   // 4, 8, 16, 32, then the 30 s left
        Assert.Equal(DhcpClient.Budget, _server.Now);
        Assert.Equal("eth0: no DHCPOFFER yet, sending DHCPDISCOVER again (60s / 90s)", _log[^1]);
    }

    [Fact]
    public void An_unanswered_request_is_sent_three_times_then_discovery_starts_again()
    {
        var requests = 0;
        _server.Respond = (m, _) => m.MessageType == DhcpMessageType.Request && ++requests <= 3 ? [] : DhcpFakeServer.Answer(m);

        Lease();

        Assert.Equal([DhcpMessageType.Discover, .. Enumerable.Repeat(DhcpMessageType.Request, 3), DhcpMessageType.Discover, DhcpMessageType.Request],
            _server.Sent.Select(s => s.Message.MessageType));
        Assert.Equal(Ms(10 + 4_000 + 8_000 + 16_000), _server.Sent[4].At);
        Assert.Equal("eth0: no DHCPACK from 10.0.2.2 after 3 DHCPREQUESTs, discovering again", _log[^1]);
    }

    [Fact]
    public void A_link_that_cannot_send_fails_at_once_and_a_missing_mask_is_taken_from_the_class()
    {
        _server.SendFailure = "sendto: ENETDOWN";
        Assert.False(Client().TryLease(out _, out var failure));
        Assert.Equal("eth0: cannot send DHCPDISCOVER: sendto: ENETDOWN", failure);

        _server.SendFailure = null;
        _server.Respond = (m, _) => m.MessageType switch
        {
            DhcpMessageType.Discover => [(DhcpFakeServer.Reply(m, DhcpMessageType.Offer) with { SubnetMask = null, Routers = [] }).Write()],
            _ => [(DhcpFakeServer.Reply(m, DhcpMessageType.Ack) with { SubnetMask = null, Routers = [] }).Write()],
        };
        var lease = Lease();
        Assert.Equal("10.0.2.15/8", lease.Address.ToString());
        Assert.Null(lease.Router);
    }
}
