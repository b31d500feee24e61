using System.Buffers.Binary;

namespace Kdump.Config.Network;

/// <summary>
/// The rtnetlink exchange behind <c>ip -4 addr show</c>: an RTM_GETADDR dump request and its
/// RTM_NEWADDR replies (include/uapi/linux/netlink.h, rtnetlink.h, if_addr.h). Netlink is in the
/// byte order of the kernel; the reader takes it as a parameter.
/// </summary>
public static class RtnetlinkAddresses
{
    public const string Source = "rtnetlink RTM_GETADDR reply";

    /// <summary>struct nlmsghdr (16 bytes).</summary>
    public static class NlmsghdrFields
    {
        public const int Length = 0;     // nlmsg_len (u32, header included)
        public const int Type = 4;       // nlmsg_type (u16)
        public const int Flags = 6;      // nlmsg_flags (u16)
        public const int Sequence = 8;   // nlmsg_seq (u32)
        public const int Pid = 12;       // nlmsg_pid (u32)
        public const int Size = 16;
    }

    /// <summary>struct ifaddrmsg (8 bytes), after the header.</summary>
    public static class IfaddrmsgFields
    {
        public const int Family = 0;     // ifa_family (u8)
        public const int PrefixLength = 1; // ifa_prefixlen (u8)
        public const int Flags = 2;      // ifa_flags (u8)
        public const int Scope = 3;      // ifa_scope (u8)
        public const int Index = 4;      // ifa_index (u32)
        public const int Size = 8;
    }

    /// <summary>struct rtattr (4 bytes), then the payload; RTA_ALIGN 4.</summary>
    public static class RtattrFields
    {
        public const int Length = 0;     // rta_len (u16, header included)
        public const int Type = 2;       // rta_type (u16)
        public const int Size = 4;
    }

    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_GETADDR = 22;
    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_DUMP = 0x300;
    public const byte AF_INET = 2;
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_FLAGS = 8;

    /// <summary>RTM_GETADDR, NLM_F_REQUEST|NLM_F_DUMP, for AF_INET.</summary>
    public static byte[] GetAddrRequest(uint sequence, bool littleEndian) =>
        Rtnetlink.DumpRequest(RTM_GETADDR, sequence, IfaddrmsgFields.Size, AF_INET, littleEndian);

    /// <summary>
    /// One datagram of the reply: its IPv4 RTM_NEWADDR messages are added to
    /// <paramref name="into"/>; true once NLMSG_DONE is seen. NLMSG_ERROR and malformed lengths
    /// throw, naming the offset.
    /// </summary>
    public static bool ParseDatagram(ReadOnlySpan<byte> datagram, bool littleEndian, List<InterfaceAddress> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        return Rtnetlink.ReadDatagram(datagram, littleEndian, Source, (type, body, bodyOffset) =>
        {
            if (type == RTM_NEWADDR && ParseAddress(body, bodyOffset, littleEndian) is { } a) into.Add(a);
        });
    }

    private static InterfaceAddress? ParseAddress(ReadOnlySpan<byte> body, int bodyOffset, bool littleEndian)
    {
        if (body.Length < IfaddrmsgFields.Size) throw Rtnetlink.Malformed(Source, $"RTM_NEWADDR of {body.Length} bytes at offset {bodyOffset}");
        if (body[IfaddrmsgFields.Family] != AF_INET) return null;
        var prefix = body[IfaddrmsgFields.PrefixLength];
        if (prefix > 32) throw Rtnetlink.Malformed(Source, $"ifa_prefixlen {prefix} at offset {bodyOffset + IfaddrmsgFields.PrefixLength}");
        uint flags = body[IfaddrmsgFields.Flags];
        var scope = body[IfaddrmsgFields.Scope];
        var index = Rtnetlink.R32(body[IfaddrmsgFields.Index..], littleEndian);
        uint? local = null, address = null;
        Rtnetlink.ReadAttributes(body, IfaddrmsgFields.Size, bodyOffset, littleEndian, Source, (type, payload, _) =>
        {
            switch (type)
            {
                // Addresses are network order whatever the host's.
                case IFA_LOCAL when payload.Length == 4: local = BinaryPrimitives.ReadUInt32BigEndian(payload); break;
                case IFA_ADDRESS when payload.Length == 4: address = BinaryPrimitives.ReadUInt32BigEndian(payload); break;
                case IFA_FLAGS when payload.Length == 4: flags = Rtnetlink.R32(payload, littleEndian); break;
            }
        });
        if ((local ?? address) is not { } ip) return null;
        if (index > int.MaxValue) throw Rtnetlink.Malformed(Source, $"ifa_index {index} at offset {bodyOffset + IfaddrmsgFields.Index}");
        return new InterfaceAddress((int)index, new Ipv4Network(ip, prefix), flags, scope);
    }
}
