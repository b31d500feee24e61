using System.Buffers.Binary;
using static Kdump.Config.Network.RtnetlinkAddresses;

namespace Kdump.Config.Network;

/// <summary>
/// The rtnetlink exchange that tells what routers have said to an interface: an RTM_GETLINK dump
/// for AF_INET6, whose RTM_NEWLINK replies carry IFLA_PROTINFO → IFLA_INET6_FLAGS (net/ipv6/addrconf.c,
/// inet6_fill_ifla6_attrs), the interface's <c>if_flags</c>: a router advertisement received and
/// its M and O flags (include/net/if_inet6.h). NetworkManager starts DHCPv6 from the same flags.
/// Netlink is in the byte order of the kernel; the reader takes it as a parameter.
/// </summary>
public static class RtnetlinkInet6Links
{
    public const string Source = "rtnetlink RTM_GETLINK (AF_INET6) reply";

    /// <summary>struct ifinfomsg (16 bytes), after the header.</summary>
    public static class IfinfomsgFields
    {
        public const int Family = 0;     // ifi_family (u8), a pad byte after it
        public const int Type = 2;       // ifi_type (u16)
        public const int Index = 4;      // ifi_index (s32)
        public const int Flags = 8;      // ifi_flags (u32)
        public const int Change = 12;    // ifi_change (u32)
        public const int Size = 16;
    }

    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_GETLINK = 18;
    public const byte AF_INET6 = 10;
    public const ushort IFLA_PROTINFO = 12;
    public const ushort IFLA_INET6_FLAGS = 1;

    /// <summary>An attribute type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.</summary>
    private const ushort NLA_TYPE_MASK = 0x3FFF;

    /// <summary>if_flags bits (include/net/if_inet6.h).</summary>
    public const uint IF_RS_SENT = 0x10;
    public const uint IF_RA_RCVD = 0x20;
    public const uint IF_RA_MANAGED = 0x40;
    public const uint IF_RA_OTHERCONF = 0x80;
    public const uint IF_READY = 0x80000000;

    private static int Align4(int n) => checked((n + 3) & ~3);

    /// <summary>RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP, for AF_INET6.</summary>
    public static byte[] GetLinkRequest(uint sequence, bool littleEndian)
    {
        var b = new byte[NlmsghdrFields.Size + IfinfomsgFields.Size];
        W32(b.AsSpan(NlmsghdrFields.Length), (uint)b.Length, littleEndian);
        W16(b.AsSpan(NlmsghdrFields.Type), RTM_GETLINK, littleEndian);
        W16(b.AsSpan(NlmsghdrFields.Flags), NLM_F_REQUEST | NLM_F_DUMP, littleEndian);
        W32(b.AsSpan(NlmsghdrFields.Sequence), sequence, littleEndian);
        b[NlmsghdrFields.Size + IfinfomsgFields.Family] = AF_INET6;
        return b;
    }

    /// <summary>
    /// One datagram of the reply: each AF_INET6 RTM_NEWLINK's interface index and IFLA_INET6_FLAGS
    /// go into <paramref name="into"/>; true once NLMSG_DONE is seen. NLMSG_ERROR and malformed
    /// lengths throw, naming the offset.
    /// </summary>
    public static bool ParseDatagram(ReadOnlySpan<byte> datagram, bool littleEndian, Dictionary<int, uint> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var offset = 0;
        while (datagram.Length - offset >= NlmsghdrFields.Size)
        {
            var m = datagram[offset..];
            var length = R32(m[NlmsghdrFields.Length..], littleEndian);
            if (length < NlmsghdrFields.Size || length > (uint)m.Length)
                throw Malformed($"nlmsg_len {length} at offset {offset} (datagram {datagram.Length} bytes)");
            var type = R16(m[NlmsghdrFields.Type..], littleEndian);
            var body = m[NlmsghdrFields.Size..(int)length];
            switch (type)
            {
                case NLMSG_DONE:
                    return true;
                case NLMSG_ERROR:
                    var errno = body.Length >= 4 ? unchecked(-(int)R32(body, littleEndian)) : 0;
                    throw Malformed($"NLMSG_ERROR errno {errno} at offset {offset}");
                case RTM_NEWLINK:
                    ParseLink(body, offset + NlmsghdrFields.Size, littleEndian, into);
                    break;
            }
            offset = Math.Min(datagram.Length, Align4(offset + (int)length));
        }
        if (offset != datagram.Length) throw Malformed($"{datagram.Length - offset} trailing bytes at offset {offset}");
        return false;
    }

    private static void ParseLink(ReadOnlySpan<byte> body, int bodyOffset, bool littleEndian, Dictionary<int, uint> into)
    {
        if (body.Length < IfinfomsgFields.Size) throw Malformed($"RTM_NEWLINK of {body.Length} bytes at offset {bodyOffset}");
        if (body[IfinfomsgFields.Family] != AF_INET6) return;
        var index = unchecked((int)R32(body[IfinfomsgFields.Index..], littleEndian));
        if (index <= 0) throw Malformed($"ifi_index {index} at offset {bodyOffset + IfinfomsgFields.Index}");
        foreach (var (type, payload, at) in Attributes(body, IfinfomsgFields.Size, bodyOffset, littleEndian))
        {
            if (type != IFLA_PROTINFO) continue;
            foreach (var (innerType, inner, innerAt) in Attributes(payload, 0, at, littleEndian))
            {
                if (innerType != IFLA_INET6_FLAGS) continue;
                if (inner.Length != 4) throw Malformed($"IFLA_INET6_FLAGS of {inner.Length} bytes at offset {innerAt}");
                into[index] = R32(inner, littleEndian);
            }
        }
    }

    /// <summary>The rtattrs of <paramref name="span"/> from <paramref name="start"/>: type (flags masked off), payload, and the payload's offset in the datagram.</summary>
    private static List<(ushort Type, byte[] Payload, int At)> Attributes(ReadOnlySpan<byte> span, int start, int spanOffset, bool littleEndian)
    {
        var list = new List<(ushort, byte[], int)>();
        var o = start;
        while (span.Length - o >= RtattrFields.Size)
        {
            var len = R16(span[(o + RtattrFields.Length)..], littleEndian);
            if (len < RtattrFields.Size || len > span.Length - o) throw Malformed($"rta_len {len} at offset {spanOffset + o}");
            var type = (ushort)(R16(span[(o + RtattrFields.Type)..], littleEndian) & NLA_TYPE_MASK);
            list.Add((type, span[(o + RtattrFields.Size)..(o + len)].ToArray(), spanOffset + o + RtattrFields.Size));
            o = Math.Min(span.Length, Align4(o + len));
        }
        return list;
    }

    private static KdumpConfigException Malformed(string what) => KdumpConfigException.At(Source, null, what);

    private static uint R32(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static ushort R16(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static void W32(Span<byte> b, uint v, bool le)
    {
        if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, v); else BinaryPrimitives.WriteUInt32BigEndian(b, v);
    }

    private static void W16(Span<byte> b, ushort v, bool le)
    {
        if (le) BinaryPrimitives.WriteUInt16LittleEndian(b, v); else BinaryPrimitives.WriteUInt16BigEndian(b, v);
    }
}
