using System.Buffers.Binary;
using Kdump.Capture.Network.Dhcp;

namespace Kdump.Capture.Tests;

/// <summary>
/// <see cref="DhcpMessage"/>: write → read round trips, the bytes at RFC 2131's offsets, options
/// as RFC 2132 and 3396 lay them out, and hostile input refused with a message naming the field.
/// Every packet is built here: by <see cref="DhcpMessage.Write"/>, or as a header from it followed
/// by option bytes spelled out code, length, value.
/// </summary>
public sealed class DhcpMessageTests
{
    private static readonly byte[] s_mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

    private static uint Ip(string text) => DhcpFakeServer.Ip(text);

    private static DhcpMessage Full() => new()
    {
        Op = DhcpMessage.BootReply,
        Hops = 1,
        TransactionId = 0xDEADBEEF,
        Seconds = 12,
        Flags = DhcpMessage.BroadcastFlag,
        ClientAddress = Ip("10.0.2.16"),
        YourAddress = Ip("10.0.2.15"),
        ServerAddress = Ip("10.0.2.2"),
        RelayAddress = Ip("10.0.2.1"),
        ClientHardwareAddress = s_mac,
        MessageType = DhcpMessageType.Ack,
        SubnetMask = Ip("255.255.255.0"),
        Routers = [Ip("10.0.2.2"), Ip("10.0.2.1")],
        DomainNameServers = [Ip("10.0.2.3")],
        RequestedAddress = Ip("10.0.2.15"),
        LeaseSeconds = 86400,
        ServerIdentifier = Ip("10.0.2.2"),
        ParameterRequestList = (byte[])[1, 3, 6],
        ClientIdentifier = (byte[])[1, .. s_mac],
    };

    /// <summary>The 240 bytes of a BOOTREPLY header and cookie from <see cref="DhcpMessage.Write"/>, then <paramref name="options"/>.</summary>
    private static byte[] WithOptions(params byte[] options) =>
        [.. new DhcpMessage { Op = DhcpMessage.BootReply, TransactionId = 7, ClientHardwareAddress = s_mac }.Write().AsSpan(0, DhcpMessage.FieldLocations.Options), .. options];

    private static DhcpMessage Read(byte[] packet)
    {
        Assert.True(DhcpMessage.TryRead(packet, out var m, out var error), error);
        return m;
    }

    private static string Refused(byte[] packet)
    {
        Assert.False(DhcpMessage.TryRead(packet, out var m, out var error));
        Assert.Null(m);
        return error;
    }

    [Fact]
    public void Write_then_read_gives_every_field_back()
    {
        var written = Full();
        var m = Read(written.Write());

        Assert.Equal(written.Op, m.Op);
        Assert.Equal(written.HardwareType, m.HardwareType);
        Assert.Equal(written.Hops, m.Hops);
        Assert.Equal(written.TransactionId, m.TransactionId);
        Assert.Equal(written.Seconds, m.Seconds);
        Assert.Equal(written.Flags, m.Flags);
        Assert.True(m.IsBroadcast);
        Assert.Equal(written.ClientAddress, m.ClientAddress);
        Assert.Equal(written.YourAddress, m.YourAddress);
        Assert.Equal(written.ServerAddress, m.ServerAddress);
        Assert.Equal(written.RelayAddress, m.RelayAddress);
        Assert.Equal(s_mac, m.ClientHardwareAddress.ToArray());
        Assert.Equal(written.MessageType, m.MessageType);
        Assert.Equal(written.SubnetMask, m.SubnetMask);
        Assert.Equal(written.Routers, m.Routers);
        Assert.Equal(written.DomainNameServers, m.DomainNameServers);
        Assert.Equal(written.RequestedAddress, m.RequestedAddress);
        Assert.Equal(written.LeaseSeconds, m.LeaseSeconds);
        Assert.Equal(written.ServerIdentifier, m.ServerIdentifier);
        Assert.Equal(written.ParameterRequestList.ToArray(), m.ParameterRequestList.ToArray());
        Assert.Equal(written.ClientIdentifier.ToArray(), m.ClientIdentifier.ToArray());

        // And a message with no options but the type: everything else absent.
        var bare = Read(new DhcpMessage { Op = DhcpMessage.BootRequest, ClientHardwareAddress = s_mac, MessageType = DhcpMessageType.Discover }.Write());
        Assert.Null(bare.SubnetMask);
        Assert.Empty(bare.Routers);
        Assert.Empty(bare.DomainNameServers);
        Assert.Null(bare.LeaseSeconds);
        Assert.True(bare.ParameterRequestList.IsEmpty);
        Assert.True(bare.ClientIdentifier.IsEmpty);
        Assert.False(bare.IsBroadcast);
    }

    [Fact]
    public void Written_bytes_sit_at_the_rfc_2131_offsets_big_endian_and_padded_to_300()
    {
        var b = new DhcpMessage
        {
            Op = DhcpMessage.BootRequest,
            TransactionId = 0x01020304,
            Seconds = 0x0506,
            Flags = DhcpMessage.BroadcastFlag,
            ClientHardwareAddress = s_mac,
            MessageType = DhcpMessageType.Discover,
            ParameterRequestList = (byte[])[1, 3, 6],
        }.Write();

        Assert.Equal(DhcpMessage.MinimumWrittenSize, b.Length);
        Assert.Equal((byte[])[1, 1, 6, 0], b[0..4]);                    // op BOOTREQUEST, htype Ethernet, hlen 6, hops
        Assert.Equal((byte[])[1, 2, 3, 4], b[4..8]);                    // xid
        Assert.Equal((byte[])[5, 6], b[8..10]);                         // secs
        Assert.Equal((byte[])[0x80, 0], b[10..12]);                     // flags: BROADCAST is the top bit
        Assert.All(b[12..28], x => Assert.Equal(0, x));                 // ciaddr, yiaddr, siaddr, giaddr
        Assert.Equal(s_mac, b[28..34]);                                 // chaddr
        Assert.All(b[34..236], x => Assert.Equal(0, x));                // chaddr padding, sname, file
        Assert.Equal((byte[])[99, 130, 83, 99], b[236..240]);           // the magic cookie
        Assert.Equal((byte[])[53, 1, 1, 55, 3, 1, 3, 6, 255], b[240..249]);
        Assert.All(b[249..], x => Assert.Equal(0, x));                  // pad options
    }

    [Fact]
    public void Options_repeated_are_concatenated_and_overloaded_fields_are_read()
    {
        // RFC 3396: two instances of option 6, each with one server.
        var m = Read(WithOptions(53, 1, 2, 6, 4, 10, 0, 2, 3, 0, 0, 6, 4, 10, 0, 2, 4, 255));
        Assert.Equal(DhcpMessageType.Offer, m.MessageType);
        Assert.Equal([Ip("10.0.2.3"), Ip("10.0.2.4")], m.DomainNameServers);

        // RFC 2132 §9.3: option 52 = 1 puts more options in the file field (offset 108); no end option
        // in the options field is read as its end.
        var packet = WithOptions(53, 1, 5, 52, 1, 1);
        ((byte[])[51, 4, 0, 0, 0x0E, 0x10, 255]).CopyTo(packet, DhcpMessage.FieldLocations.File);
        m = Read(packet);
        Assert.Equal(DhcpMessageType.Ack, m.MessageType);
        Assert.Equal(3600u, m.LeaseSeconds);

        // Options after the end option, and unknown options, are not read.
        m = Read(WithOptions(53, 1, 2, 12, 3, (byte)'k', (byte)'v', (byte)'m', 255, 51, 2));
        Assert.Equal(DhcpMessageType.Offer, m.MessageType);
        Assert.Null(m.LeaseSeconds);
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "DHCP message of 239 bytes is shorter than the 240-byte BOOTP header and magic cookie", WithOptions()[..239] },
        { "op 3 at offset 0 is neither BOOTREQUEST (1) nor BOOTREPLY (2)", Patched(WithOptions(255), DhcpMessage.FieldLocations.Op, 3) },
        { "hlen 17 at offset 2 exceeds the 16-byte chaddr field", Patched(WithOptions(255), DhcpMessage.FieldLocations.HardwareAddressLength, 17) },
        { "magic cookie 0x63825364 at offset 236 is not 0x63825363 (99.130.83.99): not a DHCP message", Patched(WithOptions(255), DhcpMessage.FieldLocations.MagicCookie + 3, 100) },
        { "option 6 (domain name server) at offset 243 claims 8 bytes but only 4 remain in the options field", WithOptions(53, 1, 2, 6, 8, 10, 0, 2, 3) },
        { "option 51 (lease time) at offset 243 has no length byte: the options field ends at offset 244", WithOptions(53, 1, 2, 51) },
        { "option 53 (DHCP message type) at offset 240 is 2 bytes, expected 1", WithOptions(53, 2, 2, 2, 255) },
        { "option 53 (DHCP message type) at offset 240 has value 9, not a DHCP message type (1-8)", WithOptions(53, 1, 9, 255) },
        { "option 51 (lease time) at offset 243 is 2 bytes, expected 4", WithOptions(53, 1, 5, 51, 2, 1, 0, 255) },
        { "option 54 (server identifier) at offset 240 is 8 bytes, expected 4", WithOptions(54, 4, 10, 0, 2, 2, 54, 4, 10, 0, 2, 3, 255) },
        { "option 3 (router) at offset 240 is 6 bytes, not a non-empty list of 4-byte addresses", WithOptions(3, 6, 10, 0, 2, 2, 10, 0, 255) },
        { "option 61 (client identifier) at offset 240 is 1 bytes, expected at least 2", WithOptions(61, 1, 1, 255) },
        { "option 52 (option overload) at offset 240 is not one byte of 1, 2 or 3", WithOptions(52, 1, 4, 255) },
        { "option 51 (lease time) at offset 44 claims 200 bytes but only 62 remain in the sname field", Patched(Patched(WithOptions(52, 1, 2, 255), 44, 51), 45, 200) },
    };

    private static byte[] Patched(byte[] packet, int offset, byte value)
    {
        packet[offset] = value;
        return packet;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_refused_naming_the_field_offset_and_value(string message, byte[] packet) =>
        Assert.Equal(message, Refused(packet));

    [Fact]
    public void Every_truncation_and_seeded_byte_flip_of_a_real_message_reads_or_is_refused_without_throwing()
    {
        var good = Full().Write();
        var optionsEnd = Array.FindLastIndex(good, x => x != 0);   // the end option; pad options follow
        Assert.Equal(DhcpOption.End, good[optionsEnd]);
        for (var length = 0; length < good.Length; length++)
        {
            var ok = DhcpMessage.TryRead(good.AsSpan(0, length), out _, out var error);
            // Cut inside the header or an option: refused; cut at an option boundary: read (no end option needed).
            if (length < DhcpMessage.FieldLocations.Options) Assert.False(ok);
            if (!ok) Assert.False(string.IsNullOrEmpty(error));
            if (length > optionsEnd) Assert.True(ok, error);
        }
        var random = new Random(2131);
        for (var round = 0; round < 2000; round++)
        {
            var b = (byte[])good.Clone();
            for (var k = random.Next(1, 8); k > 0; k--) b[random.Next(DhcpMessage.FieldLocations.Options - 8, optionsEnd + 1)] = (byte)random.Next(256);
            if (!DhcpMessage.TryRead(b, out _, out var error)) Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void An_option_longer_than_255_bytes_is_not_written()
    {
        var tooMany = Full() with { DomainNameServers = [.. Enumerable.Range(0, 64).Select(i => (uint)i)] };
        var e = Assert.Throws<ArgumentException>(() => tooMany.Write());
        Assert.Equal("option 6 (domain name server) of 256 bytes does not fit one option (255 bytes)", e.Message);
        Assert.Equal(0x63825363u, BinaryPrimitives.ReadUInt32BigEndian(Full().Write().AsSpan(DhcpMessage.FieldLocations.MagicCookie)));
    }
}
