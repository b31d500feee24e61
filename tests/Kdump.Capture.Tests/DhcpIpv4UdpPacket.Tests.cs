using System.Buffers.Binary;
using Kdump.Capture.Network.Dhcp;
using F = Kdump.Capture.Network.Dhcp.Ipv4UdpPacket.Ipv4HeaderFields;
using U = Kdump.Capture.Network.Dhcp.Ipv4UdpPacket.UdpHeaderFields;

namespace Kdump.Capture.Tests;

/// <summary>
/// <see cref="Ipv4UdpPacket"/>, the framing the DHCP client puts on its packet socket: the RFC 1071
/// checksum, what <see cref="Ipv4UdpPacket.Build"/> writes, and what <see cref="Ipv4UdpPacket.TryRead"/> refuses.
/// </summary>
public sealed class DhcpIpv4UdpPacketTests
{
    private static byte[] Discover() =>
        Ipv4UdpPacket.Build(0, 0xFFFFFFFF, DhcpMessage.ClientPort, DhcpMessage.ServerPort,
            new DhcpMessage { Op = DhcpMessage.BootRequest, ClientHardwareAddress = (byte[])[0x52, 0x54, 0, 0x12, 0x34, 0x56], MessageType = DhcpMessageType.Discover }.Write());

    private static string Refused(byte[] packet)
    {
        Assert.False(Ipv4UdpPacket.TryRead(packet, out _, out var error));
        return error;
    }

    [Fact]
    public void Internet_checksum_matches_the_rfc_1071_example()
    {
        // RFC 1071 §3 "Numerical Example": these eight bytes sum (one's complement) to 0xddf2.
        Assert.Equal(unchecked((ushort)~0xddf2), Ipv4UdpPacket.InternetChecksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
        // An odd byte counts as the high half of a last word.
        Assert.Equal(Ipv4UdpPacket.InternetChecksum([0x00, 0x01, 0xf2]), Ipv4UdpPacket.InternetChecksum([0x00, 0x01, 0xf2, 0x00]));
    }

    [Fact]
    public void Build_writes_a_broadcast_from_0_0_0_0_port_68_to_67_with_checksums_that_hold()
    {
        var payloadLength = DhcpMessage.MinimumWrittenSize;
        var b = Discover();

        Assert.Equal(F.Size + U.Size + payloadLength, b.Length);
        Assert.Equal(0x45, b[F.VersionIhl]);
        Assert.Equal(b.Length, BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(F.TotalLength)));
        Assert.Equal(Ipv4UdpPacket.DefaultTtl, b[F.Ttl]);
        Assert.Equal(17, b[F.Protocol]);
        Assert.Equal((byte[])[0, 0, 0, 0, 255, 255, 255, 255], b[F.Source..(F.Destination + 4)]);
        Assert.Equal(0, Ipv4UdpPacket.InternetChecksum(b.AsSpan(0, F.Size)));   // over a correct header: 0
        Assert.Equal((byte[])[0, 68, 0, 67], b[(F.Size + U.SourcePort)..(F.Size + U.Length)]);
        Assert.Equal(U.Size + payloadLength, BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(F.Size + U.Length)));

        Assert.True(Ipv4UdpPacket.TryRead(b, out var d, out var error), error);
        Assert.Equal(new Ipv4UdpPacket.Datagram(0, 0xFFFFFFFF, 68, 67, F.Size + U.Size, payloadLength, UdpChecksumValid: true), d);

        // Link padding after the packet is not payload; a changed payload byte breaks the UDP checksum only.
        Assert.True(Ipv4UdpPacket.TryRead([.. b, 0, 0, 0, 0], out var padded, out _));
        Assert.Equal(d, padded);
        b[^1] ^= 1;
        Assert.True(Ipv4UdpPacket.TryRead(b, out var flipped, out _));
        Assert.False(flipped.UdpChecksumValid);
    }

    [Fact]
    public void Packets_that_are_not_one_whole_udp_datagram_are_refused()
    {
        Assert.Equal("IPv4 packet of 19 bytes is shorter than a 20-byte header", Refused(Discover()[..19]));

        var v6 = Discover();
        v6[F.VersionIhl] = 0x65;
        Assert.Equal("IP version 6 is not 4", Refused(v6));

        var cut = Discover()[..100];
        Assert.Equal("IPv4 header length 20 and total length 328 do not fit a packet of 100 bytes", Refused(cut));

        var header = Discover();
        header[F.Ttl] = 1;
        Assert.Equal("IPv4 header checksum does not hold", Refused(header));

        Assert.Equal("IPv4 packet is a fragment", Refused(WithHeader(F.FlagsFragment, 0x20)));   // MF
        Assert.Equal("IP protocol 6 is not UDP (17)", Refused(WithHeader(F.Protocol, 6)));
        var udp = Discover();
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(F.Size + U.Length), 4000);
        Assert.Equal("UDP length 4000 does not fit the 308 bytes after the IPv4 header", Refused(udp));
    }

    /// <summary>A discover with one header byte changed and the header checksum made right again.</summary>
    private static byte[] WithHeader(int offset, byte value)
    {
        var b = Discover();
        b[offset] = value;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(F.Checksum), 0);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(F.Checksum), Ipv4UdpPacket.InternetChecksum(b.AsSpan(0, F.Size)));
        return b;
    }
}
