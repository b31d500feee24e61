using System.Net;
using System.Net.Sockets;
using Kdump.Config.Network;
using Kdump.Linux;

namespace Kdump.Initramfs.Network;

/// <summary>The running kernel's IPv4 addresses (an RTM_GETADDR dump; IPv6 ones come from /proc/net/if_inet6) and host-name resolution.</summary>
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

    /// <summary>The name's first IPv4 address, else its first IPv6 one; null when it has neither.</summary>
    public static IPAddress? Resolve(string host)
    {
        try
        {
            var all = Dns.GetHostAddresses(host);
            return all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId == 0);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
