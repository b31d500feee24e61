using System.Net;
using Kdump.Capture.Network.Dhcp6;

namespace Kdump.Capture.Tests;

/// <summary><see cref="Dhcp6Message"/>: the wire layout of RFC 8415 §8 and §21, and hostile bytes.</summary>
public sealed class Dhcp6MessageTests
{
    private static readonly byte[] s_mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

    [Fact]
    public void A_solicit_is_laid_out_as_rfc_8415_says()
    {
        var solicit = new Dhcp6Message
        {
            Type = Dhcp6MessageType.Solicit,
            TransactionId = 0xABCDEF,
            ClientId = Dhcp6Message.LinkLayerDuid(s_mac),
            IaNa = new Dhcp6IaNa(0x00123456, 0, 0, []),
            OptionRequest = [Dhcp6Option.SolMaxRt],
            ElapsedTime = 0x0102,
        };
        Assert.Equal(
            "01abcdef"                                  // Solicit, transaction id
            + "0001000a" + "00030001525400123456"       // Client Identifier: DUID-LL, Ethernet, the MAC
            + "0003000c" + "00123456" + "00000000" + "00000000"   // IA_NA: IAID, T1, T2
            + "00060002" + "0052"                       // Option Request: SOL_MAX_RT
            + "00080002" + "0102",                      // Elapsed Time
            Convert.ToHexString(solicit.Write()).ToLowerInvariant());
        Assert.Throws<InvalidOperationException>(() => (solicit with { TransactionId = 0x1000000 }).Write());
    }

    [Fact]
    public void A_reply_reads_back_with_nested_addresses_and_statuses_and_unknown_options_are_skipped()
    {
        var reply = new Dhcp6Message
        {
            Type = Dhcp6MessageType.Reply,
            TransactionId = 7,
            ClientId = Dhcp6Message.LinkLayerDuid(s_mac),
            ServerId = new byte[] { 0, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 },
            IaNa = new Dhcp6IaNa(1, 900, 1440,
                [new Dhcp6IaAddress(IPAddress.Parse("fd00:1::100"), 1800, 3600), new Dhcp6IaAddress(IPAddress.Parse("fd00:1::101"), 0, 0, new Dhcp6Status(2, "gone"))],
                new Dhcp6Status(0, "ok")),
            Preference = 255,
            Status = new Dhcp6Status(0, "all is well"),
        };
        // A DNS Recursive Name Server option (23) the client did not model goes by.
        byte[] bytes = [.. reply.Write(), 0, 23, 0, 16, .. IPAddress.Parse("fd00:2::53").GetAddressBytes()];
        Assert.True(Dhcp6Message.TryRead(bytes, out var read, out var error), error);
        Assert.Equal(reply.Type, read.Type);
        Assert.Equal(7u, read.TransactionId);
        Assert.Equal(reply.ClientId!.Value.ToArray(), read.ClientId!.Value.ToArray());
        Assert.Equal(reply.ServerId!.Value.ToArray(), read.ServerId!.Value.ToArray());
        Assert.Equal((1u, 900u, 1440u), (read.IaNa!.Iaid, read.IaNa.T1, read.IaNa.T2));
        Assert.Equal(reply.IaNa.Addresses, read.IaNa.Addresses);
        Assert.Equal(reply.IaNa.Status, read.IaNa.Status);
        Assert.Equal((byte)255, read.Preference);
        Assert.Equal(reply.Status, read.Status);
        Assert.Equal(reply.Write(), read.Write());
    }

    [Theory]
    [InlineData("07000001", null)]                                                   // no options at all
    [InlineData("070000", "3 bytes, shorter than the 4-byte header")]
    [InlineData("0700000100", "1 trailing bytes at offset 4, too few for an option header")]
    [InlineData("07000001" + "00010008" + "0003", "option 1 at offset 4 says 8 bytes, 2 are left")]
    [InlineData("07000001" + "00070002" + "ffff", "Preference option of 2 bytes at offset 8")]
    [InlineData("07000001" + "00080001" + "ff", "Elapsed Time option of 1 bytes at offset 8")]
    [InlineData("07000001" + "00060003" + "000102", "Option Request option of 3 bytes at offset 8")]
    [InlineData("07000001" + "000d0001" + "00", "Status Code option of 1 bytes at offset 8")]
    [InlineData("07000001" + "00030008" + "0000000100000000", "IA_NA option of 8 bytes at offset 8")]
    // An IA Address that claims more than its IA_NA holds, and one too short for an address.
    [InlineData("07000001" + "00030014" + "000000010000000000000000" + "00050020" + "00000000", "option 5 at offset 12 says 32 bytes, 4 are left (in the option whose data starts at offset 8)")]
    [InlineData("07000001" + "00030014" + "000000010000000000000000" + "00050004" + "00000000", "IA Address option of 4 bytes at offset 24")]
    public void Hostile_bytes_are_refused_with_what_and_where(string hex, string? expected)
    {
        var ok = Dhcp6Message.TryRead(Convert.FromHexString(hex), out var m, out var error);
        Assert.Equal(expected is null, ok);
        Assert.Equal(expected, error);
        if (ok) Assert.Equal(Dhcp6MessageType.Reply, m!.Type);
    }
}
