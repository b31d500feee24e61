using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Kdump.Capture.Network.Dhcp;

/// <summary>
/// An IPv4 packet carrying one UDP datagram (RFC 791 §3.1, RFC 768), as a packet socket sends
/// and receives it: the DHCP client has no address yet, so it frames its own datagrams (the
/// kernel's UDP stack would not send from 0.0.0.0 nor deliver a reply to an unconfigured
/// interface). No IP options are written; any are skipped when read.
/// </summary>
public static class Ipv4UdpPacket
{
    /// <summary>The IPv4 header without options (20 bytes).</summary>
    public static class Ipv4HeaderFields
    {
        public const int VersionIhl = 0;        // version (high 4 bits), ihl in 32-bit words (low 4 bits)
        public const int Tos = 1;               // tos
        public const int TotalLength = 2;       // tot_len (u16, header included)
        public const int Identification = 4;    // id (u16)
        public const int FlagsFragment = 6;     // frag_off (u16): flags (high 3 bits), fragment offset in 8-byte units
        public const int Ttl = 8;               // ttl
        public const int Protocol = 9;          // protocol (17 UDP)
        public const int Checksum = 10;         // check
        public const int Source = 12;           // saddr
        public const int Destination = 16;      // daddr
        public const int Size = 20;
    }

    /// <summary>The UDP header (8 bytes), after the IPv4 header.</summary>
    public static class UdpHeaderFields
    {
        public const int SourcePort = 0;        // source
        public const int DestinationPort = 2;   // dest
        public const int Length = 4;            // len (u16, header included)
        public const int Checksum = 6;          // check (0: none sent)
        public const int Size = 8;
    }

    public const byte ProtocolUdp = 17;
    public const byte DefaultTtl = 64;          // IPDEFTTL
    private const ushort MoreFragments = 0x2000;
    private const ushort FragmentOffsetMask = 0x1FFF;

    /// <summary>What <see cref="TryRead"/> found: addresses, ports, where the UDP payload is in the packet.</summary>
    public readonly record struct Datagram(uint Source, uint Destination, ushort SourcePort, ushort DestinationPort,
        int PayloadOffset, int PayloadLength, bool UdpChecksumValid);

    /// <summary>An IPv4 header (TTL 64, id 0, no fragmentation) and a UDP header with both checksums, then <paramref name="payload"/>.</summary>
    public static byte[] Build(uint source, uint destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var udpLength = checked(UdpHeaderFields.Size + payload.Length);
        var total = checked(Ipv4HeaderFields.Size + udpLength);
        if (total > ushort.MaxValue) throw new ArgumentException($"a UDP payload of {payload.Length} bytes does not fit one IPv4 packet", nameof(payload));
        var b = new byte[total];
        var ip = b.AsSpan(0, Ipv4HeaderFields.Size);
        ip[Ipv4HeaderFields.VersionIhl] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4HeaderFields.TotalLength..], (ushort)total);
        ip[Ipv4HeaderFields.Ttl] = DefaultTtl;
        ip[Ipv4HeaderFields.Protocol] = ProtocolUdp;
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4HeaderFields.Source..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[Ipv4HeaderFields.Destination..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4HeaderFields.Checksum..], InternetChecksum(ip));

        var udp = b.AsSpan(Ipv4HeaderFields.Size);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpHeaderFields.SourcePort..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpHeaderFields.DestinationPort..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpHeaderFields.Length..], (ushort)udpLength);
        payload.CopyTo(udp[UdpHeaderFields.Size..]);
        var sum = InternetChecksum(udp, PseudoHeaderSum(source, destination, udpLength));
        // RFC 768: a computed 0 is sent as all ones (0 means "no checksum").
        BinaryPrimitives.WriteUInt16BigEndian(udp[UdpHeaderFields.Checksum..], sum == 0 ? (ushort)0xFFFF : sum);
        return b;
    }

    /// <summary>
    /// Reads an IPv4 packet that must carry a whole UDP datagram: version 4, a header checksum that
    /// holds, not a fragment, protocol UDP, lengths inside the packet (trailing link padding is
    /// ignored). The UDP checksum is checked but only reported (<see cref="Datagram.UdpChecksumValid"/>).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out Datagram datagram, [NotNullWhen(false)] out string? error)
    {
        datagram = default;
        if (packet.Length < Ipv4HeaderFields.Size)
        {
            error = $"IPv4 packet of {packet.Length} bytes is shorter than a {Ipv4HeaderFields.Size}-byte header";
            return false;
        }
        var version = packet[Ipv4HeaderFields.VersionIhl] >> 4;
        var headerLength = (packet[Ipv4HeaderFields.VersionIhl] & 0xF) * 4;
        if (version != 4)
        {
            error = $"IP version {version} is not 4";
            return false;
        }
        var total = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv4HeaderFields.TotalLength..]);
        if (headerLength < Ipv4HeaderFields.Size || headerLength > total || total > packet.Length)
        {
            error = $"IPv4 header length {headerLength} and total length {total} do not fit a packet of {packet.Length} bytes";
            return false;
        }
        if (InternetChecksum(packet[..headerLength]) != 0)
        {
            error = "IPv4 header checksum does not hold";
            return false;
        }
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[Ipv4HeaderFields.FlagsFragment..]);
        if ((fragment & (MoreFragments | FragmentOffsetMask)) != 0)
        {
            error = "IPv4 packet is a fragment";
            return false;
        }
        if (packet[Ipv4HeaderFields.Protocol] != ProtocolUdp)
        {
            error = $"IP protocol {packet[Ipv4HeaderFields.Protocol]} is not UDP ({ProtocolUdp})";
            return false;
        }
        var udp = packet[headerLength..total];
        if (udp.Length < UdpHeaderFields.Size)
        {
            error = $"UDP datagram of {udp.Length} bytes is shorter than its {UdpHeaderFields.Size}-byte header";
            return false;
        }
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[UdpHeaderFields.Length..]);
        if (udpLength < UdpHeaderFields.Size || udpLength > udp.Length)
        {
            error = $"UDP length {udpLength} does not fit the {udp.Length} bytes after the IPv4 header";
            return false;
        }
        var source = BinaryPrimitives.ReadUInt32BigEndian(packet[Ipv4HeaderFields.Source..]);
        var destination = BinaryPrimitives.ReadUInt32BigEndian(packet[Ipv4HeaderFields.Destination..]);
        var sent = BinaryPrimitives.ReadUInt16BigEndian(udp[UdpHeaderFields.Checksum..]);
        var valid = sent == 0 || InternetChecksum(udp[..udpLength], PseudoHeaderSum(source, destination, udpLength)) == 0;
        datagram = new Datagram(source, destination,
            BinaryPrimitives.ReadUInt16BigEndian(udp[UdpHeaderFields.SourcePort..]),
            BinaryPrimitives.ReadUInt16BigEndian(udp[UdpHeaderFields.DestinationPort..]),
            headerLength + UdpHeaderFields.Size, udpLength - UdpHeaderFields.Size, valid);
        error = null;
        return true;
    }

    /// <summary>
    /// RFC 1071: the one's complement of the one's complement sum of 16-bit big-endian words (an odd
    /// last byte padded with zero), starting from <paramref name="initial"/>. Over data that includes
    /// a correct checksum it is 0.
    /// </summary>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        ulong sum = initial;
        var i = 0;
        for (; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (uint)data[i] << 8;
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)(~sum & 0xFFFF);
    }

    /// <summary>The UDP pseudo-header's words (source, destination, zero, protocol, UDP length) summed.</summary>
    private static uint PseudoHeaderSum(uint source, uint destination, int udpLength) =>
        (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + ProtocolUdp + (uint)udpLength;
}
