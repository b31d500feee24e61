using System.Buffers.Binary;
using Kdump.Config;
using Kdump.Config.Network;

namespace Kdump.Capture.Tests;

/// <summary>
/// <see cref="RtnetlinkInet6Links"/> on replies built here as inet6_fill_ifinfo lays them out
/// (ifinfomsg, then IFLA_PROTINFO nesting IFLA_INET6_FLAGS), and on damaged ones. The kernel's
/// own reply is read in <see cref="NetworkLinuxHeadersTests"/>.
/// </summary>
public sealed class RtnetlinkInet6LinksTests
{
    private static byte[] Attribute(ushort type, byte[] payload)
    {
        var b = new byte[(4 + payload.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), type);
        payload.CopyTo(b, 4);
        return b;
    }

    private static byte[] Message(ushort type, byte[] body)
    {
        var b = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)b.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), type);
        body.CopyTo(b, 16);
        return b;
    }

    private static byte[] Link(byte family, int index, params byte[][] attributes)
    {
        var info = new byte[16];
        info[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(info.AsSpan(4), index);
        return Message(RtnetlinkInet6Links.RTM_NEWLINK, [.. info, .. attributes.SelectMany(a => a)]);
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    [Fact]
    public void Each_inet6_links_flags_are_read_from_the_nested_protinfo()
    {
        // IFLA_INET6_CONF (5) before the flags, as the kernel puts it; NLA_F_NESTED (0x8000) on the nest.
        var eth0 = Link(RtnetlinkInet6Links.AF_INET6, 2, Attribute(3, [0x65, 0x74, 0x68, 0x30, 0]),
            Attribute(0x8000 | RtnetlinkInet6Links.IFLA_PROTINFO, [.. Attribute(5, new byte[12]), .. Attribute(RtnetlinkInet6Links.IFLA_INET6_FLAGS, U32(0x80000070))]));
        var other = Link(2, 3, Attribute(RtnetlinkInet6Links.IFLA_PROTINFO, Attribute(RtnetlinkInet6Links.IFLA_INET6_FLAGS, U32(0x40))));   // AF_INET: not ours
        var flags = new Dictionary<int, uint>();
        Assert.False(RtnetlinkInet6Links.ParseDatagram([.. eth0, .. other], true, flags));
        Assert.True(RtnetlinkInet6Links.ParseDatagram(Message(RtnetlinkAddresses.NLMSG_DONE, U32(0)), true, flags));
        Assert.Equal(new Dictionary<int, uint> { [2] = 0x80000070 }, flags);
        // nlmsghdr (32 bytes, RTM_GETLINK, NLM_F_REQUEST|NLM_F_DUMP, seq 9, pid 0), ifinfomsg for AF_INET6.
        Assert.Equal("20000000" + "1200" + "0103" + "09000000" + "00000000" + "0a00000000000000" + "0000000000000000",
            Convert.ToHexString(RtnetlinkInet6Links.GetLinkRequest(9, true)).ToLowerInvariant());
    }

    [Theory]
    [InlineData("flags", "IFLA_INET6_FLAGS of 2 bytes at offset 40")]
    [InlineData("nest", "rta_len 64 at offset 36")]
    [InlineData("index", "ifi_index 0 at offset 20")]
    [InlineData("error", "NLMSG_ERROR errno 1 at offset 0")]
    public void Damaged_replies_are_refused_with_what_and_where(string damage, string expected)
    {
        var datagram = damage switch
        {
            "flags" => Link(RtnetlinkInet6Links.AF_INET6, 2, Attribute(RtnetlinkInet6Links.IFLA_PROTINFO, Attribute(RtnetlinkInet6Links.IFLA_INET6_FLAGS, [1, 2]))),
            "nest" => Link(RtnetlinkInet6Links.AF_INET6, 2, Attribute(RtnetlinkInet6Links.IFLA_PROTINFO, [0x40, 0, 1, 0, 0, 0, 0, 0])),
            "index" => Link(RtnetlinkInet6Links.AF_INET6, 0),
            _ => Message(RtnetlinkAddresses.NLMSG_ERROR, U32(unchecked((uint)-1))),
        };
        var e = Assert.Throws<KdumpConfigException>(() => RtnetlinkInet6Links.ParseDatagram(datagram, true, []));
        Assert.EndsWith(expected, e.Message, StringComparison.Ordinal);
    }
}
