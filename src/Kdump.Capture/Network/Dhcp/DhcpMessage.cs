using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Kdump.Capture.Network.Dhcp;

/// <summary>
/// A DHCP message (RFC 2131 §2, Figure 1): the fixed BOOTP header (<see cref="FieldLocations"/>),
/// the magic cookie, then options (RFC 2132). Only the options a client needs to lease an address
/// are modelled; others are skipped when read. <see cref="TryRead"/> takes hostile bytes from the
/// wire; <see cref="Write"/> builds what the client (and the tests' server) sends. Addresses are
/// numeric IPv4 values (10.0.2.15 = 0x0A00020F); on the wire everything is big-endian.
/// </summary>
public sealed record DhcpMessage
{
    /// <summary>The BOOTP header, options field at <see cref="Options"/> after the 4-byte magic cookie.</summary>
    public static class FieldLocations
    {
        public const int Op = 0;                        // op (1 BOOTREQUEST, 2 BOOTREPLY)
        public const int HardwareType = 1;              // htype (1 Ethernet)
        public const int HardwareAddressLength = 2;     // hlen (6 for Ethernet)
        public const int Hops = 3;                      // hops
        public const int TransactionId = 4;             // xid (u32)
        public const int Seconds = 8;                   // secs (u16)
        public const int Flags = 10;                    // flags (u16; bit 15 BROADCAST)
        public const int ClientAddress = 12;            // ciaddr
        public const int YourAddress = 16;              // yiaddr
        public const int ServerAddress = 20;            // siaddr
        public const int RelayAddress = 24;             // giaddr
        public const int ClientHardwareAddress = 28;    // chaddr[16]
        public const int ServerName = 44;               // sname[64]
        public const int File = 108;                    // file[128]
        public const int MagicCookie = 236;             // options[0..3] (RFC 2131 §3)
        public const int Options = 240;                 // the options proper
    }

    public static class FieldLengths
    {
        public const int ClientHardwareAddress = 16;
        public const int ServerName = 64;
        public const int File = 128;
    }

    public const byte BootRequest = 1;
    public const byte BootReply = 2;
    public const byte HardwareTypeEthernet = 1;
    public const byte EthernetAddressLength = 6;
    public const ushort BroadcastFlag = 0x8000;

    /// <summary>UDP ports (RFC 2131 §4.1): servers listen on 67, clients on 68.</summary>
    public const ushort ServerPort = 67;
    public const ushort ClientPort = 68;

    /// <summary>99.130.83.99 (RFC 2131 §3).</summary>
    public const uint MagicCookie = 0x63825363;

    /// <summary>
    /// What <see cref="Write"/> pads to: a BOOTP message with RFC 951's 64-byte vendor area. Some
    /// servers and relays drop shorter requests (RFC 1542 §2.1).
    /// </summary>
    public const int MinimumWrittenSize = 300;

    public byte Op { get; init; }                                       // op
    public byte HardwareType { get; init; } = HardwareTypeEthernet;     // htype
    public byte Hops { get; init; }                                     // hops
    public uint TransactionId { get; init; }                            // xid
    public ushort Seconds { get; init; }                                // secs
    public ushort Flags { get; init; }                                  // flags
    public uint ClientAddress { get; init; }                            // ciaddr
    public uint YourAddress { get; init; }                              // yiaddr
    public uint ServerAddress { get; init; }                            // siaddr
    public uint RelayAddress { get; init; }                             // giaddr
    public ReadOnlyMemory<byte> ClientHardwareAddress { get; init; }    // chaddr[hlen]

    public DhcpMessageType? MessageType { get; init; }                  // option 53; null: a plain BOOTP message
    public uint? SubnetMask { get; init; }                              // option 1
    public IReadOnlyList<uint> Routers { get; init; } = [];             // option 3
    public IReadOnlyList<uint> DomainNameServers { get; init; } = [];   // option 6
    public uint? RequestedAddress { get; init; }                        // option 50
    public uint? LeaseSeconds { get; init; }                            // option 51
    public uint? ServerIdentifier { get; init; }                        // option 54
    public ReadOnlyMemory<byte> ParameterRequestList { get; init; }     // option 55; empty: absent
    public ReadOnlyMemory<byte> ClientIdentifier { get; init; }         // option 61 (type byte first); empty: absent

    public bool IsBroadcast => (Flags & BroadcastFlag) != 0;

    /// <summary>
    /// Parses <paramref name="packet"/> (the UDP payload). Every length is checked against what
    /// remains before it is used; <paramref name="error"/> names the field, its offset and value.
    /// Repeated options are concatenated (RFC 3396) before their lengths are checked. Options end
    /// at the end option (255) or, leniently as most clients read them, at the end of the area.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, [NotNullWhen(true)] out DhcpMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (packet.Length < FieldLocations.Options)
        {
            error = $"DHCP message of {packet.Length} bytes is shorter than the {FieldLocations.Options}-byte BOOTP header and magic cookie";
            return false;
        }
        var op = packet[FieldLocations.Op];
        if (op is not (BootRequest or BootReply))
        {
            error = $"op {op} at offset {FieldLocations.Op} is neither BOOTREQUEST (1) nor BOOTREPLY (2)";
            return false;
        }
        var hlen = packet[FieldLocations.HardwareAddressLength];
        if (hlen > FieldLengths.ClientHardwareAddress)
        {
            error = $"hlen {hlen} at offset {FieldLocations.HardwareAddressLength} exceeds the {FieldLengths.ClientHardwareAddress}-byte chaddr field";
            return false;
        }
        var cookie = BinaryPrimitives.ReadUInt32BigEndian(packet[FieldLocations.MagicCookie..]);
        if (cookie != MagicCookie)
        {
            error = $"magic cookie 0x{cookie:x8} at offset {FieldLocations.MagicCookie} is not 0x{MagicCookie:x8} (99.130.83.99): not a DHCP message";
            return false;
        }

        var options = new Dictionary<byte, OptionValue>();
        if (!ScanOptions(packet, FieldLocations.Options, packet.Length, "options field", options, out error)) return false;
        if (options.TryGetValue(DhcpOption.OptionOverload, out var overload))
        {
            // RFC 2131 §4.1: the options field first, then file, then sname.
            if (overload.Bytes.Count != 1 || overload.Bytes[0] is < 1 or > 3)
            {
                error = $"{DhcpOption.Describe(DhcpOption.OptionOverload)} at offset {overload.Offset} is not one byte of 1, 2 or 3";
                return false;
            }
            var which = overload.Bytes[0];
            if ((which & 1) != 0 && !ScanOptions(packet, FieldLocations.File, FieldLocations.File + FieldLengths.File, "file field", options, out error)) return false;
            if ((which & 2) != 0 && !ScanOptions(packet, FieldLocations.ServerName, FieldLocations.ServerName + FieldLengths.ServerName, "sname field", options, out error)) return false;
        }

        DhcpMessageType? type = null;
        if (options.TryGetValue(DhcpOption.MessageType, out var t))
        {
            if (!Exactly(t, DhcpOption.MessageType, 1, out error)) return false;
            if (t.Bytes[0] is < (byte)DhcpMessageType.Discover or > (byte)DhcpMessageType.Inform)
            {
                error = $"{DhcpOption.Describe(DhcpOption.MessageType)} at offset {t.Offset} has value {t.Bytes[0]}, not a DHCP message type (1-8)";
                return false;
            }
            type = (DhcpMessageType)t.Bytes[0];
        }
        if (!Address(options, DhcpOption.SubnetMask, out var mask, out error)
            || !Address(options, DhcpOption.RequestedIpAddress, out var requested, out error)
            || !Address(options, DhcpOption.LeaseTime, out var lease, out error)
            || !Address(options, DhcpOption.ServerIdentifier, out var server, out error)
            || !Addresses(options, DhcpOption.Router, out var routers, out error)
            || !Addresses(options, DhcpOption.DomainNameServer, out var dns, out error)
            || !AtLeast(options, DhcpOption.ParameterRequestList, 1, out var prl, out error)
            || !AtLeast(options, DhcpOption.ClientIdentifier, 2, out var clientId, out error))
            return false;

        message = new DhcpMessage
        {
            Op = op,
            HardwareType = packet[FieldLocations.HardwareType],
            Hops = packet[FieldLocations.Hops],
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(packet[FieldLocations.TransactionId..]),
            Seconds = BinaryPrimitives.ReadUInt16BigEndian(packet[FieldLocations.Seconds..]),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(packet[FieldLocations.Flags..]),
            ClientAddress = BinaryPrimitives.ReadUInt32BigEndian(packet[FieldLocations.ClientAddress..]),
            YourAddress = BinaryPrimitives.ReadUInt32BigEndian(packet[FieldLocations.YourAddress..]),
            ServerAddress = BinaryPrimitives.ReadUInt32BigEndian(packet[FieldLocations.ServerAddress..]),
            RelayAddress = BinaryPrimitives.ReadUInt32BigEndian(packet[FieldLocations.RelayAddress..]),
            ClientHardwareAddress = packet.Slice(FieldLocations.ClientHardwareAddress, hlen).ToArray(),
            MessageType = type,
            SubnetMask = mask,
            Routers = routers,
            DomainNameServers = dns,
            RequestedAddress = requested,
            LeaseSeconds = lease,
            ServerIdentifier = server,
            ParameterRequestList = prl,
            ClientIdentifier = clientId,
        };
        error = null;
        return true;
    }

    /// <summary>The message on the wire: header, cookie, the options set here in code order, end, padded to <see cref="MinimumWrittenSize"/>.</summary>
    public byte[] Write()
    {
        if (ClientHardwareAddress.Length > FieldLengths.ClientHardwareAddress)
            throw new ArgumentException($"chaddr of {ClientHardwareAddress.Length} bytes exceeds {FieldLengths.ClientHardwareAddress}");
        var options = new List<(byte Code, byte[] Value)>();
        if (MessageType is { } type) options.Add((DhcpOption.MessageType, [(byte)type]));
        if (SubnetMask is { } mask) options.Add((DhcpOption.SubnetMask, Be(mask)));
        if (Routers.Count > 0) options.Add((DhcpOption.Router, [.. Routers.SelectMany(Be)]));
        if (DomainNameServers.Count > 0) options.Add((DhcpOption.DomainNameServer, [.. DomainNameServers.SelectMany(Be)]));
        if (RequestedAddress is { } requested) options.Add((DhcpOption.RequestedIpAddress, Be(requested)));
        if (LeaseSeconds is { } lease) options.Add((DhcpOption.LeaseTime, Be(lease)));
        if (ServerIdentifier is { } server) options.Add((DhcpOption.ServerIdentifier, Be(server)));
        if (!ParameterRequestList.IsEmpty) options.Add((DhcpOption.ParameterRequestList, ParameterRequestList.ToArray()));
        if (!ClientIdentifier.IsEmpty) options.Add((DhcpOption.ClientIdentifier, ClientIdentifier.ToArray()));
        foreach (var (code, value) in options)
        {
            if (value.Length > byte.MaxValue) throw new ArgumentException($"{DhcpOption.Describe(code)} of {value.Length} bytes does not fit one option (255 bytes)");
        }

        var size = Math.Max(MinimumWrittenSize, FieldLocations.Options + options.Sum(o => 2 + o.Value.Length) + 1);
        var b = new byte[size];
        b[FieldLocations.Op] = Op;
        b[FieldLocations.HardwareType] = HardwareType;
        b[FieldLocations.HardwareAddressLength] = checked((byte)ClientHardwareAddress.Length);
        b[FieldLocations.Hops] = Hops;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FieldLocations.TransactionId), TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(FieldLocations.Seconds), Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(FieldLocations.Flags), Flags);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FieldLocations.ClientAddress), ClientAddress);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FieldLocations.YourAddress), YourAddress);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FieldLocations.ServerAddress), ServerAddress);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FieldLocations.RelayAddress), RelayAddress);
        ClientHardwareAddress.Span.CopyTo(b.AsSpan(FieldLocations.ClientHardwareAddress));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FieldLocations.MagicCookie), MagicCookie);
        var at = FieldLocations.Options;
        foreach (var (code, value) in options)
        {
            b[at] = code;
            b[at + 1] = (byte)value.Length;
            value.CopyTo(b, at + 2);
            at += 2 + value.Length;
        }
        b[at] = DhcpOption.End;   // the rest stays 0: pad options
        return b;
    }

    /// <summary>An option's bytes (all instances concatenated) and where its first instance starts.</summary>
    private sealed record OptionValue(int Offset, List<byte> Bytes);

    private static bool ScanOptions(ReadOnlySpan<byte> b, int start, int end, string area, Dictionary<byte, OptionValue> into, [NotNullWhen(false)] out string? error)
    {
        var i = start;
        while (i < end)
        {
            var code = b[i];
            if (code == DhcpOption.Pad) { i++; continue; }
            if (code == DhcpOption.End) break;
            if (i + 1 >= end)
            {
                error = $"{DhcpOption.Describe(code)} at offset {i} has no length byte: the {area} ends at offset {end}";
                return false;
            }
            var length = b[i + 1];
            if (i + 2 + length > end)
            {
                error = $"{DhcpOption.Describe(code)} at offset {i} claims {length} bytes but only {end - i - 2} remain in the {area}";
                return false;
            }
            if (!into.TryGetValue(code, out var value)) into[code] = value = new OptionValue(i, []);
            value.Bytes.AddRange(b.Slice(i + 2, length));
            i += 2 + length;
        }
        error = null;
        return true;
    }

    private static bool Exactly(OptionValue v, byte code, int length, [NotNullWhen(false)] out string? error)
    {
        if (v.Bytes.Count == length)
        {
            error = null;
            return true;
        }
        error = $"{DhcpOption.Describe(code)} at offset {v.Offset} is {v.Bytes.Count} bytes, expected {length}";
        return false;
    }

    private static bool Address(Dictionary<byte, OptionValue> options, byte code, out uint? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        if (!options.TryGetValue(code, out var v)) return true;
        if (!Exactly(v, code, 4, out error)) return false;
        value = BinaryPrimitives.ReadUInt32BigEndian(v.Bytes.ToArray());
        return true;
    }

    private static bool Addresses(Dictionary<byte, OptionValue> options, byte code, out IReadOnlyList<uint> values, [NotNullWhen(false)] out string? error)
    {
        values = [];
        error = null;
        if (!options.TryGetValue(code, out var v)) return true;
        if (v.Bytes.Count == 0 || v.Bytes.Count % 4 != 0)
        {
            error = $"{DhcpOption.Describe(code)} at offset {v.Offset} is {v.Bytes.Count} bytes, not a non-empty list of 4-byte addresses";
            return false;
        }
        var bytes = v.Bytes.ToArray();
        values = [.. Enumerable.Range(0, bytes.Length / 4).Select(k => BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(k * 4)))];
        return true;
    }

    private static bool AtLeast(Dictionary<byte, OptionValue> options, byte code, int minimum, out ReadOnlyMemory<byte> value, [NotNullWhen(false)] out string? error)
    {
        value = default;
        error = null;
        if (!options.TryGetValue(code, out var v)) return true;
        if (v.Bytes.Count < minimum)
        {
            error = $"{DhcpOption.Describe(code)} at offset {v.Offset} is {v.Bytes.Count} bytes, expected at least {minimum}";
            return false;
        }
        value = v.Bytes.ToArray();
        return true;
    }

    private static byte[] Be(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }
}
