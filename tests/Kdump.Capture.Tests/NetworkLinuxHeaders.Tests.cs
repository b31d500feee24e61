using Kdump.Config.Network;
using Kdump.Linux;
using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>
/// The ioctl numbers, flags and struct layouts of <see cref="NetDevice"/> and the rtnetlink
/// constants of <see cref="RtnetlinkAddresses"/> and <see cref="Netlink"/>, the packet socket calls
/// of <see cref="PacketSocket"/> (DHCP in the capture kernel), against the C headers:
/// a program compiled with gcc prints each value.
/// </summary>
public sealed class NetworkLinuxHeadersTests
{
    private const string Program = """
        #include <stdio.h>
        #include <stddef.h>
        #include <errno.h>
        #include <sys/socket.h>
        #include <sys/ioctl.h>
        #include <net/if.h>
        #include <net/route.h>
        #include <netinet/in.h>
        #include <linux/netlink.h>
        #include <linux/rtnetlink.h>
        #include <linux/if_addr.h>
        #include <netpacket/packet.h>
        #include <net/ethernet.h>
        #include <net/if_arp.h>
        #include <poll.h>
        #include <linux/sockios.h>
        #include <linux/if_vlan.h>
        #include <linux/ipv6.h>
        #include <linux/if_link.h>
        #define P(name) printf("%s=%llu\n", #name, (unsigned long long)(name))
        int main(void) {
            P(SIOCADDRT); P(SIOCGIFFLAGS); P(SIOCSIFFLAGS); P(SIOCSIFADDR); P(SIOCSIFNETMASK); P(SIOCSIFNAME);
            P(SIOCSIFHWADDR); P(SIOCBRADDBR); P(SIOCBRADDIF); P(offsetof(struct ifreq, ifr_hwaddr));
            P(SIOCSIFVLAN); P(ADD_VLAN_CMD); P(SET_VLAN_NAME_TYPE_CMD); P(VLAN_NAME_TYPE_PLUS_VID_NO_PAD); P(VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD); P(sizeof(struct vlan_ioctl_args)); P(offsetof(struct vlan_ioctl_args, cmd));
            P(offsetof(struct vlan_ioctl_args, device1)); P(offsetof(struct vlan_ioctl_args, u.VID)); P(sizeof(((struct vlan_ioctl_args *)0)->device1));
            P(IFF_UP); P(RTF_UP); P(RTF_GATEWAY); P(AF_INET); P(IFNAMSIZ);
            P(sizeof(struct ifreq)); P(offsetof(struct ifreq, ifr_name)); P(offsetof(struct ifreq, ifr_addr));
            P(offsetof(struct ifreq, ifr_flags)); P(offsetof(struct ifreq, ifr_newname)); P(offsetof(struct ifreq, ifr_netmask));
            P(sizeof(struct sockaddr_in)); P(offsetof(struct sockaddr_in, sin_family)); P(offsetof(struct sockaddr_in, sin_port)); P(offsetof(struct sockaddr_in, sin_addr));
            P(sizeof(struct rtentry)); P(offsetof(struct rtentry, rt_dst)); P(offsetof(struct rtentry, rt_gateway)); P(offsetof(struct rtentry, rt_genmask));
            P(offsetof(struct rtentry, rt_flags)); P(offsetof(struct rtentry, rt_metric)); P(offsetof(struct rtentry, rt_dev));
            P(AF_NETLINK); P(SOCK_RAW); P(SOCK_CLOEXEC); P(NETLINK_ROUTE);
            P(NLMSG_ERROR); P(NLMSG_DONE); P(RTM_NEWADDR); P(RTM_GETADDR); P(NLM_F_REQUEST); P(NLM_F_DUMP);
            P(IFA_ADDRESS); P(IFA_LOCAL); P(IFA_FLAGS); P(IFA_F_PERMANENT); P(IFA_F_SECONDARY);
            P(sizeof(struct nlmsghdr)); P(offsetof(struct nlmsghdr, nlmsg_type)); P(offsetof(struct nlmsghdr, nlmsg_flags)); P(offsetof(struct nlmsghdr, nlmsg_seq));
            P(sizeof(struct ifaddrmsg)); P(offsetof(struct ifaddrmsg, ifa_prefixlen)); P(offsetof(struct ifaddrmsg, ifa_flags));
            P(offsetof(struct ifaddrmsg, ifa_scope)); P(offsetof(struct ifaddrmsg, ifa_index)); P(sizeof(struct rtattr));
            P(AF_PACKET); P(SOCK_DGRAM); P(ETH_P_IP); P(ARPHRD_ETHER); P(ETH_ALEN); P(SIOCGIFINDEX); P(POLLIN); P(EINTR);
            P(offsetof(struct ifreq, ifr_ifindex)); P(sizeof(struct sockaddr_ll)); P(offsetof(struct sockaddr_ll, sll_family));
            P(offsetof(struct sockaddr_ll, sll_protocol)); P(offsetof(struct sockaddr_ll, sll_ifindex)); P(offsetof(struct sockaddr_ll, sll_hatype));
            P(offsetof(struct sockaddr_ll, sll_pkttype)); P(offsetof(struct sockaddr_ll, sll_halen)); P(offsetof(struct sockaddr_ll, sll_addr));
            P(sizeof(struct pollfd)); P(offsetof(struct pollfd, fd)); P(offsetof(struct pollfd, events)); P(offsetof(struct pollfd, revents));
            P(AF_INET6); P(sizeof(struct in6_ifreq)); P(offsetof(struct in6_ifreq, ifr6_addr)); P(offsetof(struct in6_ifreq, ifr6_prefixlen)); P(offsetof(struct in6_ifreq, ifr6_ifindex));
            P(sizeof(struct in6_rtmsg)); P(offsetof(struct in6_rtmsg, rtmsg_dst)); P(offsetof(struct in6_rtmsg, rtmsg_src)); P(offsetof(struct in6_rtmsg, rtmsg_gateway));
            P(offsetof(struct in6_rtmsg, rtmsg_type)); P(offsetof(struct in6_rtmsg, rtmsg_dst_len)); P(offsetof(struct in6_rtmsg, rtmsg_src_len)); P(offsetof(struct in6_rtmsg, rtmsg_metric));
            P(offsetof(struct in6_rtmsg, rtmsg_info)); P(offsetof(struct in6_rtmsg, rtmsg_flags)); P(offsetof(struct in6_rtmsg, rtmsg_ifindex));
            P(RTM_NEWLINK); P(RTM_GETLINK); P(IFLA_PROTINFO); P(IFLA_INET6_FLAGS); P(sizeof(struct ifinfomsg)); P(offsetof(struct ifinfomsg, ifi_family));
            P(offsetof(struct ifinfomsg, ifi_type)); P(offsetof(struct ifinfomsg, ifi_index)); P(offsetof(struct ifinfomsg, ifi_flags)); P(offsetof(struct ifinfomsg, ifi_change));
            P(SOL_SOCKET); P(SO_BINDTODEVICE);
            return 0;
        }
        """;

    [Fact]
    public void Ioctl_rtnetlink_and_packet_socket_layouts_match_the_headers()
    {
        var c = CProgram.Values(Program, "net-headers");
        var expected = new Dictionary<string, ulong>
        {
            ["SIOCADDRT"] = NetDevice.SIOCADDRT, ["SIOCGIFFLAGS"] = NetDevice.SIOCGIFFLAGS, ["SIOCSIFFLAGS"] = NetDevice.SIOCSIFFLAGS,
            ["SIOCSIFADDR"] = NetDevice.SIOCSIFADDR, ["SIOCSIFNETMASK"] = NetDevice.SIOCSIFNETMASK, ["SIOCSIFNAME"] = NetDevice.SIOCSIFNAME,
            ["SIOCSIFHWADDR"] = NetDevice.SIOCSIFHWADDR, ["SIOCBRADDBR"] = NetDevice.SIOCBRADDBR, ["SIOCBRADDIF"] = NetDevice.SIOCBRADDIF,
            ["offsetof(struct ifreq, ifr_hwaddr)"] = NetDevice.IfreqFields.Union,
            ["SIOCSIFVLAN"] = NetDevice.SIOCSIFVLAN, ["ADD_VLAN_CMD"] = NetDevice.ADD_VLAN_CMD, ["SET_VLAN_NAME_TYPE_CMD"] = NetDevice.SET_VLAN_NAME_TYPE_CMD,
            ["VLAN_NAME_TYPE_PLUS_VID_NO_PAD"] = NetDevice.VLAN_NAME_TYPE_PLUS_VID_NO_PAD, ["VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD"] = NetDevice.VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD, ["sizeof(struct vlan_ioctl_args)"] = NetDevice.VlanIoctlArgsFields.Size,
            ["offsetof(struct vlan_ioctl_args, cmd)"] = NetDevice.VlanIoctlArgsFields.Command, ["offsetof(struct vlan_ioctl_args, device1)"] = NetDevice.VlanIoctlArgsFields.Device1,
            ["offsetof(struct vlan_ioctl_args, u.VID)"] = NetDevice.VlanIoctlArgsFields.Union, ["sizeof(((struct vlan_ioctl_args *)0)->device1)"] = NetDevice.VlanIoctlArgsFields.DeviceLength,
            ["IFF_UP"] = (ulong)NetDevice.IFF_UP, ["RTF_UP"] = NetDevice.RTF_UP, ["RTF_GATEWAY"] = NetDevice.RTF_GATEWAY,
            ["AF_INET"] = NetDevice.AF_INET, ["IFNAMSIZ"] = NetDevice.IfreqFields.IFNAMSIZ,
            ["sizeof(struct ifreq)"] = NetDevice.IfreqFields.Size, ["offsetof(struct ifreq, ifr_name)"] = NetDevice.IfreqFields.Name,
            ["offsetof(struct ifreq, ifr_addr)"] = NetDevice.IfreqFields.Union, ["offsetof(struct ifreq, ifr_flags)"] = NetDevice.IfreqFields.Union,
            ["offsetof(struct ifreq, ifr_newname)"] = NetDevice.IfreqFields.Union, ["offsetof(struct ifreq, ifr_netmask)"] = NetDevice.IfreqFields.Union,
            ["sizeof(struct sockaddr_in)"] = NetDevice.SockaddrInFields.Size, ["offsetof(struct sockaddr_in, sin_family)"] = NetDevice.SockaddrInFields.Family,
            ["offsetof(struct sockaddr_in, sin_port)"] = NetDevice.SockaddrInFields.Port, ["offsetof(struct sockaddr_in, sin_addr)"] = NetDevice.SockaddrInFields.Address,
            ["sizeof(struct rtentry)"] = NetDevice.RtentryFields.Size, ["offsetof(struct rtentry, rt_dst)"] = NetDevice.RtentryFields.Destination,
            ["offsetof(struct rtentry, rt_gateway)"] = NetDevice.RtentryFields.Gateway, ["offsetof(struct rtentry, rt_genmask)"] = NetDevice.RtentryFields.Genmask,
            ["offsetof(struct rtentry, rt_flags)"] = NetDevice.RtentryFields.Flags, ["offsetof(struct rtentry, rt_metric)"] = NetDevice.RtentryFields.Metric,
            ["offsetof(struct rtentry, rt_dev)"] = NetDevice.RtentryFields.Device,
            ["AF_NETLINK"] = Netlink.AF_NETLINK, ["SOCK_RAW"] = Netlink.SOCK_RAW, ["SOCK_CLOEXEC"] = Netlink.SOCK_CLOEXEC, ["NETLINK_ROUTE"] = Netlink.NETLINK_ROUTE,
            ["NLMSG_ERROR"] = RtnetlinkAddresses.NLMSG_ERROR, ["NLMSG_DONE"] = RtnetlinkAddresses.NLMSG_DONE,
            ["RTM_NEWADDR"] = RtnetlinkAddresses.RTM_NEWADDR, ["RTM_GETADDR"] = RtnetlinkAddresses.RTM_GETADDR,
            ["NLM_F_REQUEST"] = RtnetlinkAddresses.NLM_F_REQUEST, ["NLM_F_DUMP"] = RtnetlinkAddresses.NLM_F_DUMP,
            ["IFA_ADDRESS"] = RtnetlinkAddresses.IFA_ADDRESS, ["IFA_LOCAL"] = RtnetlinkAddresses.IFA_LOCAL, ["IFA_FLAGS"] = RtnetlinkAddresses.IFA_FLAGS,
            ["IFA_F_PERMANENT"] = 0x80, ["IFA_F_SECONDARY"] = 0x01,
            ["sizeof(struct nlmsghdr)"] = RtnetlinkAddresses.NlmsghdrFields.Size, ["offsetof(struct nlmsghdr, nlmsg_type)"] = RtnetlinkAddresses.NlmsghdrFields.Type,
            ["offsetof(struct nlmsghdr, nlmsg_flags)"] = RtnetlinkAddresses.NlmsghdrFields.Flags, ["offsetof(struct nlmsghdr, nlmsg_seq)"] = RtnetlinkAddresses.NlmsghdrFields.Sequence,
            ["sizeof(struct ifaddrmsg)"] = RtnetlinkAddresses.IfaddrmsgFields.Size, ["offsetof(struct ifaddrmsg, ifa_prefixlen)"] = RtnetlinkAddresses.IfaddrmsgFields.PrefixLength,
            ["offsetof(struct ifaddrmsg, ifa_flags)"] = RtnetlinkAddresses.IfaddrmsgFields.Flags, ["offsetof(struct ifaddrmsg, ifa_scope)"] = RtnetlinkAddresses.IfaddrmsgFields.Scope,
            ["offsetof(struct ifaddrmsg, ifa_index)"] = RtnetlinkAddresses.IfaddrmsgFields.Index, ["sizeof(struct rtattr)"] = RtnetlinkAddresses.RtattrFields.Size,
            ["AF_PACKET"] = PacketSocket.AF_PACKET, ["SOCK_DGRAM"] = PacketSocket.SOCK_DGRAM, ["ETH_P_IP"] = PacketSocket.ETH_P_IP,
            ["ARPHRD_ETHER"] = PacketSocket.ARPHRD_ETHER, ["ETH_ALEN"] = PacketSocket.ETH_ALEN, ["SIOCGIFINDEX"] = NetDevice.SIOCGIFINDEX,
            ["POLLIN"] = (ulong)PacketSocket.POLLIN, ["EINTR"] = Errno.EINTR, ["offsetof(struct ifreq, ifr_ifindex)"] = NetDevice.IfreqFields.Union,
            ["sizeof(struct sockaddr_ll)"] = PacketSocket.SockaddrLlFields.Size, ["offsetof(struct sockaddr_ll, sll_family)"] = PacketSocket.SockaddrLlFields.Family,
            ["offsetof(struct sockaddr_ll, sll_protocol)"] = PacketSocket.SockaddrLlFields.Protocol, ["offsetof(struct sockaddr_ll, sll_ifindex)"] = PacketSocket.SockaddrLlFields.Ifindex,
            ["offsetof(struct sockaddr_ll, sll_hatype)"] = PacketSocket.SockaddrLlFields.Hatype, ["offsetof(struct sockaddr_ll, sll_pkttype)"] = PacketSocket.SockaddrLlFields.Pkttype,
            ["offsetof(struct sockaddr_ll, sll_halen)"] = PacketSocket.SockaddrLlFields.Halen, ["offsetof(struct sockaddr_ll, sll_addr)"] = PacketSocket.SockaddrLlFields.Address,
            ["sizeof(struct pollfd)"] = PacketSocket.PollfdFields.Size, ["offsetof(struct pollfd, fd)"] = PacketSocket.PollfdFields.Fd,
            ["offsetof(struct pollfd, events)"] = PacketSocket.PollfdFields.Events, ["offsetof(struct pollfd, revents)"] = PacketSocket.PollfdFields.Revents,
            ["AF_INET6"] = NetDevice.AF_INET6, ["sizeof(struct in6_ifreq)"] = NetDevice.In6IfreqFields.Size,
            ["offsetof(struct in6_ifreq, ifr6_addr)"] = NetDevice.In6IfreqFields.Address, ["offsetof(struct in6_ifreq, ifr6_prefixlen)"] = NetDevice.In6IfreqFields.PrefixLength,
            ["offsetof(struct in6_ifreq, ifr6_ifindex)"] = NetDevice.In6IfreqFields.Ifindex, ["sizeof(struct in6_rtmsg)"] = NetDevice.In6RtmsgFields.Size,
            ["offsetof(struct in6_rtmsg, rtmsg_dst)"] = NetDevice.In6RtmsgFields.Destination, ["offsetof(struct in6_rtmsg, rtmsg_src)"] = NetDevice.In6RtmsgFields.Source,
            ["offsetof(struct in6_rtmsg, rtmsg_gateway)"] = NetDevice.In6RtmsgFields.Gateway, ["offsetof(struct in6_rtmsg, rtmsg_type)"] = NetDevice.In6RtmsgFields.Type,
            ["offsetof(struct in6_rtmsg, rtmsg_dst_len)"] = NetDevice.In6RtmsgFields.DestinationLength, ["offsetof(struct in6_rtmsg, rtmsg_src_len)"] = NetDevice.In6RtmsgFields.SourceLength,
            ["offsetof(struct in6_rtmsg, rtmsg_metric)"] = NetDevice.In6RtmsgFields.Metric, ["offsetof(struct in6_rtmsg, rtmsg_info)"] = NetDevice.In6RtmsgFields.Info,
            ["offsetof(struct in6_rtmsg, rtmsg_flags)"] = NetDevice.In6RtmsgFields.Flags, ["offsetof(struct in6_rtmsg, rtmsg_ifindex)"] = NetDevice.In6RtmsgFields.Ifindex,
            ["RTM_NEWLINK"] = RtnetlinkInet6Links.RTM_NEWLINK, ["RTM_GETLINK"] = RtnetlinkInet6Links.RTM_GETLINK, ["IFLA_PROTINFO"] = RtnetlinkInet6Links.IFLA_PROTINFO,
            ["IFLA_INET6_FLAGS"] = RtnetlinkInet6Links.IFLA_INET6_FLAGS, ["sizeof(struct ifinfomsg)"] = RtnetlinkInet6Links.IfinfomsgFields.Size,
            ["offsetof(struct ifinfomsg, ifi_family)"] = RtnetlinkInet6Links.IfinfomsgFields.Family, ["offsetof(struct ifinfomsg, ifi_type)"] = RtnetlinkInet6Links.IfinfomsgFields.Type,
            ["offsetof(struct ifinfomsg, ifi_index)"] = RtnetlinkInet6Links.IfinfomsgFields.Index, ["offsetof(struct ifinfomsg, ifi_flags)"] = RtnetlinkInet6Links.IfinfomsgFields.Flags,
            ["offsetof(struct ifinfomsg, ifi_change)"] = RtnetlinkInet6Links.IfinfomsgFields.Change,
            ["SOL_SOCKET"] = Kdump.Capture.Linux.UdpDhcp6Transport.SOL_SOCKET, ["SO_BINDTODEVICE"] = Kdump.Capture.Linux.UdpDhcp6Transport.SO_BINDTODEVICE,
        };
        Assert.Equal(expected.Count, c.Count);
        foreach (var (name, value) in expected) Assert.True(c[name] == value, $"{name}: ours {value}, the headers' {c[name]}");
    }

    /// <summary>
    /// The running kernel's own RTM_GETLINK (AF_INET6) reply, read by <see cref="RtnetlinkInet6Links"/>:
    /// lo's if_flags have IF_READY (set when IPv6 comes up on any interface, addrconf_notify) and
    /// never a router advertisement. The IF_RA_* bits are not in the uapi headers; the VM case
    /// network-vm.sh ssh dhcp6 shows IF_RA_MANAGED from a real advertisement.
    /// </summary>
    [Fact]
    public void The_kernels_inet6_link_dump_gives_los_flags_and_no_router_advertisement()
    {
        Assert.True(File.Exists("/proc/net/if_inet6"), "this test needs a kernel with IPv6");
        var lo = int.Parse(File.ReadAllText("/sys/class/net/lo/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var fd = Netlink.OpenRoute();
        Assert.False(fd.IsError);
        var flags = new Dictionary<int, uint>();
        try
        {
            Assert.False(Netlink.Send((int)fd.Value, RtnetlinkInet6Links.GetLinkRequest(7, BitConverter.IsLittleEndian)).IsError);
            var buffer = new byte[64 * 1024];
            var done = false;
            for (var i = 0; i < 1000 && !done; i++)
            {
                var n = Netlink.Receive((int)fd.Value, buffer);
                Assert.False(n.IsError);
                done = RtnetlinkInet6Links.ParseDatagram(buffer.AsSpan(0, (int)n.Value), BitConverter.IsLittleEndian, flags);
            }
            Assert.True(done);
        }
        finally
        {
            Netlink.Close((int)fd.Value);
        }
        Assert.True((flags[lo] & RtnetlinkInet6Links.IF_READY) != 0, $"lo's if_flags 0x{flags[lo]:x}");
        Assert.Equal(0u, flags[lo] & (RtnetlinkInet6Links.IF_RA_RCVD | RtnetlinkInet6Links.IF_RA_MANAGED));

        Assert.Null(new Kdump.Capture.Linux.NetworkControl().ReadRouterAdvertisement("lo", out var state));
        Assert.Equal(default, state);
        Assert.Equal("cannot read /sys/class/net/no-such-nic/ifindex: Could not find a part of the path '/sys/class/net/no-such-nic/ifindex'.",
            new Kdump.Capture.Linux.NetworkControl().ReadRouterAdvertisement("no-such-nic", out _));
    }
}
