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

    /// <summary>if_flags bits (include/net/if_inet6.h).</summary>
    public const uint IF_RS_SENT = 0x10;
    public const uint IF_RA_RCVD = 0x20;
    public const uint IF_RA_MANAGED = 0x40;
    public const uint IF_RA_OTHERCONF = 0x80;
    public const uint IF_READY = 0x80000000;

    /// <summary>RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP, for AF_INET6.</summary>
    public static byte[] GetLinkRequest(uint sequence, bool littleEndian) =>
        Rtnetlink.DumpRequest(RTM_GETLINK, sequence, IfinfomsgFields.Size, AF_INET6, littleEndian);

    /// <summary>
    /// One datagram of the reply: each AF_INET6 RTM_NEWLINK's interface index and IFLA_INET6_FLAGS
    /// go into <paramref name="into"/>; true once NLMSG_DONE is seen. NLMSG_ERROR and malformed
    /// lengths throw, naming the offset.
    /// </summary>
    public static bool ParseDatagram(ReadOnlySpan<byte> datagram, bool littleEndian, Dictionary<int, uint> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        return Rtnetlink.ReadDatagram(datagram, littleEndian, Source, (type, body, bodyOffset) =>
        {
            if (type == RTM_NEWLINK) ParseLink(body, bodyOffset, littleEndian, into);
        });
    }

    private static void ParseLink(ReadOnlySpan<byte> body, int bodyOffset, bool littleEndian, Dictionary<int, uint> into)
    {
        if (body.Length < IfinfomsgFields.Size) throw Rtnetlink.Malformed(Source, $"RTM_NEWLINK of {body.Length} bytes at offset {bodyOffset}");
        if (body[IfinfomsgFields.Family] != AF_INET6) return;
        var index = unchecked((int)Rtnetlink.R32(body[IfinfomsgFields.Index..], littleEndian));
        if (index <= 0) throw Rtnetlink.Malformed(Source, $"ifi_index {index} at offset {bodyOffset + IfinfomsgFields.Index}");
        Rtnetlink.ReadAttributes(body, IfinfomsgFields.Size, bodyOffset, littleEndian, Source, (type, payload, payloadOffset) =>
        {
            if (type != IFLA_PROTINFO) return;
            Rtnetlink.ReadAttributes(payload, 0, payloadOffset, littleEndian, Source, (innerType, inner, innerOffset) =>
            {
                if (innerType != IFLA_INET6_FLAGS) return;
                if (inner.Length != 4) throw Rtnetlink.Malformed(Source, $"IFLA_INET6_FLAGS of {inner.Length} bytes at offset {innerOffset}");
                into[index] = Rtnetlink.R32(inner, littleEndian);
            });
        });
    }
}
