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

    private static int Align4(int n) => checked((n + 3) & ~3);

    /// <summary>RTM_GETADDR, NLM_F_REQUEST|NLM_F_DUMP, for AF_INET.</summary>
    public static byte[] GetAddrRequest(uint sequence, bool littleEndian)
    {
        var b = new byte[NlmsghdrFields.Size + IfaddrmsgFields.Size];
        U32(b.AsSpan(NlmsghdrFields.Length), (uint)b.Length, littleEndian);
        U16(b.AsSpan(NlmsghdrFields.Type), RTM_GETADDR, littleEndian);
        U16(b.AsSpan(NlmsghdrFields.Flags), NLM_F_REQUEST | NLM_F_DUMP, littleEndian);
        U32(b.AsSpan(NlmsghdrFields.Sequence), sequence, littleEndian);
        b[NlmsghdrFields.Size + IfaddrmsgFields.Family] = AF_INET;
        return b;
    }

    /// <summary>
    /// One datagram of the reply: its IPv4 RTM_NEWADDR messages are added to
    /// <paramref name="into"/>; true once NLMSG_DONE is seen. NLMSG_ERROR and malformed lengths
    /// throw, naming the offset.
    /// </summary>
    public static bool ParseDatagram(ReadOnlySpan<byte> datagram, bool littleEndian, List<InterfaceAddress> into)
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
                    // struct nlmsgerr: a negative errno (s32) first.
                    var errno = body.Length >= 4 ? unchecked(-(int)R32(body, littleEndian)) : 0;
                    throw Malformed($"NLMSG_ERROR errno {errno} at offset {offset}");
                case RTM_NEWADDR:
                    if (ParseAddress(body, offset + NlmsghdrFields.Size, littleEndian) is { } a) into.Add(a);
                    break;
            }
            // The last message of a datagram may end without its alignment padding.
            offset = Math.Min(datagram.Length, Align4(offset + (int)length));
        }
        if (offset != datagram.Length) throw Malformed($"{datagram.Length - offset} trailing bytes at offset {offset}");
        return false;
    }

    private static InterfaceAddress? ParseAddress(ReadOnlySpan<byte> body, int bodyOffset, bool littleEndian)
    {
        if (body.Length < IfaddrmsgFields.Size) throw Malformed($"RTM_NEWADDR of {body.Length} bytes at offset {bodyOffset}");
        if (body[IfaddrmsgFields.Family] != AF_INET) return null;
        var prefix = body[IfaddrmsgFields.PrefixLength];
        if (prefix > 32) throw Malformed($"ifa_prefixlen {prefix} at offset {bodyOffset + IfaddrmsgFields.PrefixLength}");
        uint flags = body[IfaddrmsgFields.Flags];
        var scope = body[IfaddrmsgFields.Scope];
        var index = R32(body[IfaddrmsgFields.Index..], littleEndian);
        uint? local = null, address = null;
        var o = IfaddrmsgFields.Size;
        while (body.Length - o >= RtattrFields.Size)
        {
            var len = R16(body[(o + RtattrFields.Length)..], littleEndian);
            if (len < RtattrFields.Size || len > body.Length - o) throw Malformed($"rta_len {len} at offset {bodyOffset + o}");
            var type = R16(body[(o + RtattrFields.Type)..], littleEndian);
            var payload = body[(o + RtattrFields.Size)..(o + len)];
            switch (type)
            {
                // Addresses are network order whatever the host's.
                case IFA_LOCAL when payload.Length == 4: local = BinaryPrimitives.ReadUInt32BigEndian(payload); break;
                case IFA_ADDRESS when payload.Length == 4: address = BinaryPrimitives.ReadUInt32BigEndian(payload); break;
                case IFA_FLAGS when payload.Length == 4: flags = R32(payload, littleEndian); break;
            }
            o = Math.Min(body.Length, Align4(o + len));
        }
        if ((local ?? address) is not { } ip) return null;
        if (index > int.MaxValue) throw Malformed($"ifa_index {index} at offset {bodyOffset + IfaddrmsgFields.Index}");
        return new InterfaceAddress((int)index, new Ipv4Network(ip, prefix), flags, scope);
    }

    private static KdumpConfigException Malformed(string what) => KdumpConfigException.At(Source, null, what);

    private static uint R32(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static ushort R16(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static void U32(Span<byte> b, uint v, bool le)
    {
        if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, v); else BinaryPrimitives.WriteUInt32BigEndian(b, v);
    }

    private static void U16(Span<byte> b, ushort v, bool le)
    {
        if (le) BinaryPrimitives.WriteUInt16LittleEndian(b, v); else BinaryPrimitives.WriteUInt16BigEndian(b, v);
    }
}
