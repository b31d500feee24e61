using System.Net;
using System.Net.Sockets;
using Kdump.Config.Network;
using Kdump.Linux;

namespace Kdump.Initramfs.Network;

/// <summary>The running kernel's IPv4 addresses (an RTM_GETADDR dump) and host-name resolution.</summary>
public static class LiveAddresses
{
    private const int MaxDatagrams = 4096;

    public static IReadOnlyList<InterfaceAddress> Read()
    {
        var fd = Netlink.OpenRoute();
        if (fd.IsError) throw new InitramfsBuildException($"cannot open an rtnetlink socket: {Errno.Name(fd.Errno)}");
        try
        {
            var sent = Netlink.Send((int)fd.Value, RtnetlinkAddresses.GetAddrRequest(1, BitConverter.IsLittleEndian));
            if (sent.IsError) throw new InitramfsBuildException($"rtnetlink RTM_GETADDR: {Errno.Name(sent.Errno)}");
            var result = new List<InterfaceAddress>();
            var buffer = new byte[64 * 1024];
            for (var i = 0; i < MaxDatagrams; i++)
            {
                var n = Netlink.Receive((int)fd.Value, buffer);
                if (n.IsError) throw new InitramfsBuildException($"rtnetlink RTM_GETADDR reply: {Errno.Name(n.Errno)}");
                if (RtnetlinkAddresses.ParseDatagram(buffer.AsSpan(0, (int)n.Value), BitConverter.IsLittleEndian, result)) return result;
            }
            throw new InitramfsBuildException($"rtnetlink RTM_GETADDR: no NLMSG_DONE after {MaxDatagrams} datagrams");
        }
        finally
        {
            Netlink.Close((int)fd.Value);
        }
    }

    public static uint? Resolve(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host, AddressFamily.InterNetwork).FirstOrDefault() is { } a ? Ipv4Network.FromIPAddress(a) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
