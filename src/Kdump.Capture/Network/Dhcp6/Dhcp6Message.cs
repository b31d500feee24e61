using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Kdump.Capture.Network.Dhcp6;

/// <summary>
/// A DHCPv6 client/server message (RFC 8415 §8): message type, 24-bit transaction id, then
/// options of 2-byte code, 2-byte length and data (§21.1). Only what a client needs for one
/// address (IA_NA, §21.4) is modelled; other options are skipped when read. <see cref="TryRead"/>
/// takes hostile bytes from the wire; <see cref="Write"/> builds what the client (and the tests'
/// server) sends. Everything on the wire is big-endian.
/// </summary>
public sealed record Dhcp6Message
{
    public static class FieldLocations
    {
        public const int Type = 0;              // msg-type
        public const int TransactionId = 1;     // transaction-id (24 bits)
        public const int Options = 4;
    }

    /// <summary>An option's header (§21.1).</summary>
    public static class OptionFields
    {
        public const int Code = 0;      // option-code (u16)
        public const int Length = 2;    // option-len (u16, the data only)
        public const int Size = 4;
    }

    /// <summary>IA_NA's data (§21.4): IAID, T1, T2, then its own options.</summary>
    public static class IaNaFields
    {
        public const int Iaid = 0;
        public const int T1 = 4;
        public const int T2 = 8;
        public const int Options = 12;
    }

    /// <summary>IA Address's data (§21.6): the address, its lifetimes, then its own options.</summary>
    public static class IaAddressFields
    {
        public const int Address = 0;
        public const int PreferredLifetime = 16;
        public const int ValidLifetime = 20;
        public const int Options = 24;
    }

    /// <summary>UDP ports (§7.2): clients listen on 546, servers and relays on 547.</summary>
    public const ushort ClientPort = 546;
    public const ushort ServerPort = 547;

    /// <summary>All_DHCP_Relay_Agents_and_Servers (§7.1), link-scoped.</summary>
    public static readonly IPAddress AllServers = IPAddress.Parse("ff02::1:2");

    /// <summary>DUID-LL (§11.4) of an Ethernet address: type 3, hardware type 1, the address.</summary>
    public const ushort DuidLinkLayer = 3;
    public const ushort HardwareTypeEthernet = 1;

    public Dhcp6MessageType Type { get; init; }
    public uint TransactionId { get; init; }                         // 24 bits
    public ReadOnlyMemory<byte>? ClientId { get; init; }             // option 1 (a DUID)
    public ReadOnlyMemory<byte>? ServerId { get; init; }             // option 2 (a DUID)
    public Dhcp6IaNa? IaNa { get; init; }                            // option 3, the first one
    public IReadOnlyList<ushort> OptionRequest { get; init; } = [];  // option 6
    public byte? Preference { get; init; }                           // option 7
    public ushort? ElapsedTime { get; init; }                        // option 8, hundredths of a second
    public Dhcp6Status? Status { get; init; }                        // option 13 at the top level

    /// <summary>The wire bytes; the transaction id must fit 24 bits.</summary>
    public byte[] Write()
    {
        if (TransactionId > 0xFFFFFF) throw new InvalidOperationException($"transaction id 0x{TransactionId:x} does not fit 24 bits");
        var w = new List<byte>(128) { (byte)Type, unchecked((byte)(TransactionId >> 16)), unchecked((byte)(TransactionId >> 8)), unchecked((byte)TransactionId) };
        if (ClientId is { } c) Option(w, Dhcp6Option.ClientId, c.Span);
        if (ServerId is { } s) Option(w, Dhcp6Option.ServerId, s.Span);
        if (IaNa is { } ia) Option(w, Dhcp6Option.IaNa, WriteIaNa(ia));
        if (OptionRequest.Count > 0)
        {
            var oro = new byte[2 * OptionRequest.Count];
            for (var i = 0; i < OptionRequest.Count; i++) BinaryPrimitives.WriteUInt16BigEndian(oro.AsSpan(2 * i), OptionRequest[i]);
            Option(w, Dhcp6Option.OptionRequest, oro);
        }
        if (Preference is { } p) Option(w, Dhcp6Option.Preference, [p]);
        if (ElapsedTime is { } e) Option(w, Dhcp6Option.ElapsedTime, [unchecked((byte)(e >> 8)), unchecked((byte)e)]);
        if (Status is { } st) Option(w, Dhcp6Option.StatusCode, WriteStatus(st));
        return [.. w];
    }

    private static byte[] WriteIaNa(Dhcp6IaNa ia)
    {
        var w = new List<byte>(64);
        Span<byte> head = stackalloc byte[IaNaFields.Options];
        BinaryPrimitives.WriteUInt32BigEndian(head[IaNaFields.Iaid..], ia.Iaid);
        BinaryPrimitives.WriteUInt32BigEndian(head[IaNaFields.T1..], ia.T1);
        BinaryPrimitives.WriteUInt32BigEndian(head[IaNaFields.T2..], ia.T2);
        w.AddRange(head);
        foreach (var a in ia.Addresses)
        {
            var data = new byte[IaAddressFields.Options];
            a.Address.GetAddressBytes().CopyTo(data, IaAddressFields.Address);
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(IaAddressFields.PreferredLifetime), a.PreferredLifetime);
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(IaAddressFields.ValidLifetime), a.ValidLifetime);
            var inner = new List<byte>(data);
            if (a.Status is { } st) Option(inner, Dhcp6Option.StatusCode, WriteStatus(st));
            Option(w, Dhcp6Option.IaAddress, [.. inner]);
        }
        if (ia.Status is { } s) Option(w, Dhcp6Option.StatusCode, WriteStatus(s));
        return [.. w];
    }

    private static byte[] WriteStatus(Dhcp6Status s)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(s.Message);
        var b = new byte[2 + text.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b, s.Code);
        text.CopyTo(b, 2);
        return b;
    }

    private static void Option(List<byte> w, ushort code, ReadOnlySpan<byte> data)
    {
        if (data.Length > ushort.MaxValue) throw new InvalidOperationException($"option {code} of {data.Length} bytes");
        Span<byte> head = stackalloc byte[OptionFields.Size];
        BinaryPrimitives.WriteUInt16BigEndian(head[OptionFields.Code..], code);
        BinaryPrimitives.WriteUInt16BigEndian(head[OptionFields.Length..], (ushort)data.Length);
        w.AddRange(head);
        w.AddRange(data);
    }

    /// <summary>
    /// Reads a message; false with <paramref name="error"/> (what and at which offset) when an
    /// option overruns its container or a known option has the wrong length.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Dhcp6Message? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (bytes.Length < FieldLocations.Options)
        {
            error = $"{bytes.Length} bytes, shorter than the 4-byte header";
            return false;
        }
        var m = new Dhcp6Message
        {
            Type = (Dhcp6MessageType)bytes[FieldLocations.Type],
            TransactionId = (uint)(bytes[1] << 16 | bytes[2] << 8 | bytes[3]),
        };
        var o = FieldLocations.Options;
        while (o < bytes.Length)
        {
            if (!NextOption(bytes, o, out var code, out var data, out error)) return false;
            var at = o + OptionFields.Size;
            switch (code)
            {
                case Dhcp6Option.ClientId when m.ClientId is null: m = m with { ClientId = data.ToArray() }; break;
                case Dhcp6Option.ServerId when m.ServerId is null: m = m with { ServerId = data.ToArray() }; break;
                case Dhcp6Option.IaNa when m.IaNa is null:
                    if (!TryReadIaNa(data, at, out var ia, out error)) return false;
                    m = m with { IaNa = ia };
                    break;
                case Dhcp6Option.Preference:
                    if (data.Length != 1) return Wrong(out error, "Preference", data.Length, at);
                    m = m with { Preference = data[0] };
                    break;
                case Dhcp6Option.ElapsedTime:
                    if (data.Length != 2) return Wrong(out error, "Elapsed Time", data.Length, at);
                    m = m with { ElapsedTime = BinaryPrimitives.ReadUInt16BigEndian(data) };
                    break;
                case Dhcp6Option.OptionRequest:
                    if (data.Length % 2 != 0) return Wrong(out error, "Option Request", data.Length, at);
                    var codes = new ushort[data.Length / 2];
                    for (var i = 0; i < codes.Length; i++) codes[i] = BinaryPrimitives.ReadUInt16BigEndian(data[(2 * i)..]);
                    m = m with { OptionRequest = codes };
                    break;
                case Dhcp6Option.StatusCode:
                    if (!TryReadStatus(data, at, out var status, out error)) return false;
                    m = m with { Status = status };
                    break;
            }
            o = at + data.Length;
        }
        message = m;
        error = null;
        return true;
    }

    private static bool TryReadIaNa(ReadOnlySpan<byte> data, int at, [NotNullWhen(true)] out Dhcp6IaNa? ia, [NotNullWhen(false)] out string? error)
    {
        ia = null;
        if (data.Length < IaNaFields.Options) return Wrong(out error, "IA_NA", data.Length, at);
        var addresses = new List<Dhcp6IaAddress>();
        Dhcp6Status? status = null;
        var o = IaNaFields.Options;
        while (o < data.Length)
        {
            if (!NextOption(data, o, out var code, out var inner, out var why)) return Nested(out error, why, at);
            var innerAt = at + o + OptionFields.Size;
            if (code == Dhcp6Option.IaAddress)
            {
                if (inner.Length < IaAddressFields.Options) return Wrong(out error, "IA Address", inner.Length, innerAt);
                Dhcp6Status? addressStatus = null;
                var p = IaAddressFields.Options;
                while (p < inner.Length)
                {
                    if (!NextOption(inner, p, out var c, out var d, out var whyInner)) return Nested(out error, whyInner, innerAt);
                    if (c == Dhcp6Option.StatusCode && !TryReadStatus(d, innerAt + p + OptionFields.Size, out addressStatus, out error)) return false;
                    p += OptionFields.Size + d.Length;
                }
                addresses.Add(new Dhcp6IaAddress(
                    new IPAddress(inner[..16]),
                    BinaryPrimitives.ReadUInt32BigEndian(inner[IaAddressFields.PreferredLifetime..]),
                    BinaryPrimitives.ReadUInt32BigEndian(inner[IaAddressFields.ValidLifetime..]),
                    addressStatus));
            }
            else if (code == Dhcp6Option.StatusCode && !TryReadStatus(inner, innerAt, out status, out error)) return false;
            o += OptionFields.Size + inner.Length;
        }
        ia = new Dhcp6IaNa(
            BinaryPrimitives.ReadUInt32BigEndian(data[IaNaFields.Iaid..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[IaNaFields.T1..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[IaNaFields.T2..]),
            addresses, status);
        error = null;
        return true;
    }

    private static bool TryReadStatus(ReadOnlySpan<byte> data, int at, [NotNullWhen(true)] out Dhcp6Status? status, [NotNullWhen(false)] out string? error)
    {
        status = null;
        if (data.Length < 2) return Wrong(out error, "Status Code", data.Length, at);
        // The message is UTF-8 meant for people (§21.13); a bad byte becomes U+FFFD, not a rejection.
        status = new Dhcp6Status(BinaryPrimitives.ReadUInt16BigEndian(data), System.Text.Encoding.UTF8.GetString(data[2..]));
        error = null;
        return true;
    }

    /// <summary>The option at <paramref name="o"/> of <paramref name="container"/>, which must hold all of it.</summary>
    private static bool NextOption(ReadOnlySpan<byte> container, int o, out ushort code, out ReadOnlySpan<byte> data, [NotNullWhen(false)] out string? error)
    {
        code = 0;
        data = default;
        if (container.Length - o < OptionFields.Size)
        {
            error = $"{container.Length - o} trailing bytes at offset {o}, too few for an option header";
            return false;
        }
        code = BinaryPrimitives.ReadUInt16BigEndian(container[(o + OptionFields.Code)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(container[(o + OptionFields.Length)..]);
        if (length > container.Length - o - OptionFields.Size)
        {
            error = $"option {code} at offset {o} says {length} bytes, {container.Length - o - OptionFields.Size} are left";
            return false;
        }
        data = container.Slice(o + OptionFields.Size, length);
        error = null;
        return true;
    }

    private static bool Wrong(out string error, string what, int length, int at)
    {
        error = $"{what} option of {length} bytes at offset {at}";
        return false;
    }

    /// <summary>An error inside a container: offsets become the message's.</summary>
    private static bool Nested(out string error, string inner, int containerAt)
    {
        error = $"{inner} (in the option whose data starts at offset {containerAt})";
        return false;
    }

    /// <summary>The DUID-LL of a 6-byte Ethernet address.</summary>
    public static byte[] LinkLayerDuid(ReadOnlySpan<byte> mac)
    {
        var duid = new byte[4 + mac.Length];
        BinaryPrimitives.WriteUInt16BigEndian(duid, DuidLinkLayer);
        BinaryPrimitives.WriteUInt16BigEndian(duid.AsSpan(2), HardwareTypeEthernet);
        mac.CopyTo(duid.AsSpan(4));
        return duid;
    }
}

/// <summary>Message types (RFC 8415 §7.3) a client sends or reads.</summary>
public enum Dhcp6MessageType : byte
{
    Solicit = 1,
    Advertise = 2,
    Request = 3,
    Confirm = 4,
    Renew = 5,
    Rebind = 6,
    Reply = 7,
    Release = 8,
    Decline = 9,
    Reconfigure = 10,
    InformationRequest = 11,
}

/// <summary>Option codes (RFC 8415 §24).</summary>
public static class Dhcp6Option
{
    public const ushort ClientId = 1;
    public const ushort ServerId = 2;
    public const ushort IaNa = 3;
    public const ushort IaAddress = 5;
    public const ushort OptionRequest = 6;
    public const ushort Preference = 7;
    public const ushort ElapsedTime = 8;
    public const ushort StatusCode = 13;
    public const ushort SolMaxRt = 82;
}

/// <summary>Status codes (RFC 8415 §21.13).</summary>
public static class Dhcp6StatusCode
{
    public const ushort Success = 0;
    public const ushort UnspecFail = 1;
    public const ushort NoAddrsAvail = 2;
    public const ushort NoBinding = 3;
    public const ushort NotOnLink = 4;
    public const ushort UseMulticast = 5;
}

public sealed record Dhcp6Status(ushort Code, string Message);

/// <summary>An IA Address option: one address and its lifetimes in seconds.</summary>
public sealed record Dhcp6IaAddress(IPAddress Address, uint PreferredLifetime, uint ValidLifetime, Dhcp6Status? Status = null);

/// <summary>An IA_NA option: the identity association's IAID, T1, T2, its addresses and status.</summary>
public sealed record Dhcp6IaNa(uint Iaid, uint T1, uint T2, IReadOnlyList<Dhcp6IaAddress> Addresses, Dhcp6Status? Status = null);
