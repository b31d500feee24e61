using System.Buffers.Binary;

namespace Kdump.Config.Network;

/// <summary>
/// What every rtnetlink dump reply shares (include/uapi/linux/netlink.h, rtnetlink.h): messages
/// of one datagram, each a <c>struct nlmsghdr</c> and a body, 4-aligned; attributes
/// (<c>struct rtattr</c>) after a body's fixed part. Netlink is in the byte order of the kernel;
/// the readers take it as a parameter. <see cref="RtnetlinkAddresses"/> and
/// <see cref="RtnetlinkInet6Links"/> read their message kinds with it.
/// </summary>
public static class Rtnetlink
{
    /// <summary>One message of a reply: its type, its body (after the header) and the body's offset in the datagram.</summary>
    public delegate void MessageVisitor(ushort type, ReadOnlySpan<byte> body, int bodyOffset);

    /// <summary>One attribute: its type (NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off), payload and the payload's offset in the datagram.</summary>
    public delegate void AttributeVisitor(ushort type, ReadOnlySpan<byte> payload, int payloadOffset);

    /// <summary>An attribute type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.</summary>
    private const ushort NLA_TYPE_MASK = 0x3FFF;

    /// <summary>
    /// Each message of <paramref name="datagram"/> but NLMSG_DONE and NLMSG_ERROR to
    /// <paramref name="visit"/>; true once NLMSG_DONE is seen. NLMSG_ERROR and malformed lengths
    /// throw, naming <paramref name="source"/> and the offset.
    /// </summary>
    public static bool ReadDatagram(ReadOnlySpan<byte> datagram, bool littleEndian, string source, MessageVisitor visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        var offset = 0;
        while (datagram.Length - offset >= RtnetlinkAddresses.NlmsghdrFields.Size)
        {
            var m = datagram[offset..];
            var length = R32(m[RtnetlinkAddresses.NlmsghdrFields.Length..], littleEndian);
            if (length < RtnetlinkAddresses.NlmsghdrFields.Size || length > (uint)m.Length)
                throw Malformed(source, $"nlmsg_len {length} at offset {offset} (datagram {datagram.Length} bytes)");
            var type = R16(m[RtnetlinkAddresses.NlmsghdrFields.Type..], littleEndian);
            var body = m[RtnetlinkAddresses.NlmsghdrFields.Size..(int)length];
            switch (type)
            {
                case RtnetlinkAddresses.NLMSG_DONE:
                    return true;
                case RtnetlinkAddresses.NLMSG_ERROR:
                    // struct nlmsgerr: a negative errno (s32) first.
                    var errno = body.Length >= 4 ? unchecked(-(int)R32(body, littleEndian)) : 0;
                    throw Malformed(source, $"NLMSG_ERROR errno {errno} at offset {offset}");
                default:
                    visit(type, body, offset + RtnetlinkAddresses.NlmsghdrFields.Size);
                    break;
            }
            // The last message of a datagram may end without its alignment padding.
            offset = Math.Min(datagram.Length, Align4(offset + (int)length));
        }
        if (offset != datagram.Length) throw Malformed(source, $"{datagram.Length - offset} trailing bytes at offset {offset}");
        return false;
    }

    /// <summary>Each rtattr of <paramref name="span"/> from <paramref name="start"/>, whose offset in the datagram is <paramref name="spanOffset"/>.</summary>
    public static void ReadAttributes(ReadOnlySpan<byte> span, int start, int spanOffset, bool littleEndian, string source, AttributeVisitor visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        var o = start;
        while (span.Length - o >= RtnetlinkAddresses.RtattrFields.Size)
        {
            var len = R16(span[(o + RtnetlinkAddresses.RtattrFields.Length)..], littleEndian);
            if (len < RtnetlinkAddresses.RtattrFields.Size || len > span.Length - o) throw Malformed(source, $"rta_len {len} at offset {spanOffset + o}");
            var type = (ushort)(R16(span[(o + RtnetlinkAddresses.RtattrFields.Type)..], littleEndian) & NLA_TYPE_MASK);
            visit(type, span[(o + RtnetlinkAddresses.RtattrFields.Size)..(o + len)], spanOffset + o + RtnetlinkAddresses.RtattrFields.Size);
            o = Math.Min(span.Length, Align4(o + len));
        }
    }

    /// <summary>A dump request: the header (NLM_F_REQUEST | NLM_F_DUMP) and a zeroed fixed part of <paramref name="bodySize"/> bytes, whose first byte is <paramref name="family"/>.</summary>
    public static byte[] DumpRequest(ushort type, uint sequence, int bodySize, byte family, bool littleEndian)
    {
        var b = new byte[RtnetlinkAddresses.NlmsghdrFields.Size + bodySize];
        W32(b.AsSpan(RtnetlinkAddresses.NlmsghdrFields.Length), (uint)b.Length, littleEndian);
        W16(b.AsSpan(RtnetlinkAddresses.NlmsghdrFields.Type), type, littleEndian);
        W16(b.AsSpan(RtnetlinkAddresses.NlmsghdrFields.Flags), RtnetlinkAddresses.NLM_F_REQUEST | RtnetlinkAddresses.NLM_F_DUMP, littleEndian);
        W32(b.AsSpan(RtnetlinkAddresses.NlmsghdrFields.Sequence), sequence, littleEndian);
        b[RtnetlinkAddresses.NlmsghdrFields.Size] = family;
        return b;
    }

    public static KdumpConfigException Malformed(string source, string what) => KdumpConfigException.At(source, null, what);

    public static uint R32(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    public static ushort R16(ReadOnlySpan<byte> b, bool le) => le ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static int Align4(int n) => checked((n + 3) & ~3);

    private static void W32(Span<byte> b, uint v, bool le)
    {
        if (le) BinaryPrimitives.WriteUInt32LittleEndian(b, v); else BinaryPrimitives.WriteUInt32BigEndian(b, v);
    }

    private static void W16(Span<byte> b, ushort v, bool le)
    {
        if (le) BinaryPrimitives.WriteUInt16LittleEndian(b, v); else BinaryPrimitives.WriteUInt16BigEndian(b, v);
    }
}
