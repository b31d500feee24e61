using System.Net;
using Kdump.Capture.Network;
using Kdump.Capture.Network.Dhcp;
using Kdump.Capture.Network.Dhcp6;
using Kdump.Config.Network;
using Kdump.Linux;

namespace Kdump.Capture.Linux;

/// <summary>
/// The capture kernel's interface calls: netdevice(7) and SIOCADDRT ioctls (IPv4 and IPv6) through <see cref="NetDevice"/>,
/// bonds through the bonding driver's sysfs files, bridges through SIOCBRADDBR/SIOCBRADDIF, VLANs through SIOCSIFVLAN, and DHCP on a packet socket (<see cref="PacketDhcpTransport"/>).
/// </summary>
public sealed class NetworkControl : INetworkControl
{
    public string? Rename(string name, string newName) => Why(NetDevice.Rename(name, newName), $"SIOCSIFNAME {name} {newName}");

    public string? SetAddress(string name, IpPrefix address)
    {
        if (address.IsIpv6) return Why(NetDevice.SetAddress6(name, address.Address.GetAddressBytes(), address.PrefixLength), $"SIOCSIFADDR (inet6) {name} {address}");
        var v4 = address.ToIpv4();
        return Why(NetDevice.SetAddress(name, v4.Address), $"SIOCSIFADDR {name} {address}")
            ?? Why(NetDevice.SetNetmask(name, v4.Mask), $"SIOCSIFNETMASK {name} {address}");
    }

    public string? SetUp(string name) => Why(NetDevice.SetUp(name), $"SIOCSIFFLAGS {name} up");

    public string? SetDown(string name) => Why(NetDevice.SetDown(name), $"SIOCSIFFLAGS {name} down");

    public string? SetHardwareAddress(string name, string mac) =>
        Why(NetDevice.SetHardwareAddress(name, CaptureNetworkConfig.MacBytes(mac)), $"SIOCSIFHWADDR {name} {mac}");

    public string? AddRoute(IpPrefix destination, IPAddress? gateway, string name)
    {
        var what = gateway is null ? $"{destination} dev {name}" : destination.IsIpv6 ? $"{destination} via {gateway} dev {name}" : $"{destination} via {gateway}";
        var added = destination.IsIpv6
            ? NetDevice.AddRoute6(destination.Address.GetAddressBytes(), destination.PrefixLength, gateway?.GetAddressBytes(), name)
            : AddRoute4(destination.ToIpv4(), gateway, name);
        // The same route, already there, is done: a router's advertisement may have made it
        // meanwhile (IPv6: the kernel then makes that one permanent, fib6_add_rt2node), or it is
        // the kernel's own prefix route of a second address.
        return added.IsError && added.Errno == Errno.EEXIST ? null : Why(added, $"SIOCADDRT{(destination.IsIpv6 ? " (inet6)" : "")} {what}");
    }

    private static SyscallResult AddRoute4(Ipv4Network destination, IPAddress? gateway, string name) => gateway is null
        ? NetDevice.AddRouteOnLink(destination.Address & destination.Mask, destination.Mask, name)
        : NetDevice.AddRoute(destination.Address & destination.Mask, destination.Mask, Ipv4Network.FromIPAddress(gateway));

    public string? IgnoreRouterAdvertisements(string name) => WriteSysfs($"/proc/sys/net/ipv6/conf/{name}/accept_ra", "0");

    public string? IgnoreDefaultRouter(string name) => WriteSysfs($"/proc/sys/net/ipv6/conf/{name}/accept_ra_defrtr", "0");

    public string? AddBond(string name) =>
        Directory.Exists($"/sys/class/net/{name}/bonding") ? null : WriteSysfs("/sys/class/net/bonding_masters", "+" + name);

    public string? SetBondOption(string bond, string option, string value) => WriteSysfs($"/sys/class/net/{bond}/bonding/{option}", value);

    public string? Enslave(string bond, string slave) => WriteSysfs($"/sys/class/net/{bond}/bonding/slaves", "+" + slave);

    public string? AddBridge(string name) => Why(NetDevice.AddBridge(name), $"SIOCBRADDBR {name}");

    public string? AddVlan(string parent, int id, out string name) => Why(NetDevice.AddVlan(parent, id, out name), $"SIOCSIFVLAN add {parent} {id}");

    public string? AddBridgePort(string bridge, string port) => Why(NetDevice.AddBridgePort(bridge, port), $"SIOCBRADDIF {bridge} {port}");

    /// <summary>One write(2) of the value, as <c>echo</c> makes it (the bonding driver reports a refusal as the write's error).</summary>
    private static string? WriteSysfs(string path, string value)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            f.Write(System.Text.Encoding.ASCII.GetBytes(value + "\n"));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"write {value} to {path}: {e.Message}";
        }
    }

    public string? OpenDhcp(string name, out IDhcpTransport? transport) => PacketDhcpTransport.Open(name, out transport);

    public string? ReadRouterAdvertisement(string name, out RouterAdvertisementState state)
    {
        state = default;
        if (IfIndex(name, out var index) is { } why) return why;
        var fd = Netlink.OpenRoute();
        if (fd.IsError) return $"rtnetlink socket: {Errno.Name(fd.Errno)}";
        try
        {
            var sent = Netlink.Send((int)fd.Value, RtnetlinkInet6Links.GetLinkRequest(1, BitConverter.IsLittleEndian));
            if (sent.IsError) return $"rtnetlink RTM_GETLINK (inet6): {Errno.Name(sent.Errno)}";
            var flags = new Dictionary<int, uint>();
            // Each interface's reply carries its IPv6 settings and statistics: a page or so per interface.
            var buffer = new byte[64 * 1024];
            for (var i = 0; i < 4096; i++)
            {
                var n = Netlink.Receive((int)fd.Value, buffer);
                if (n.IsError) return $"rtnetlink RTM_GETLINK (inet6) reply: {Errno.Name(n.Errno)}";
                if (!RtnetlinkInet6Links.ParseDatagram(buffer.AsSpan(0, (int)n.Value), BitConverter.IsLittleEndian, flags)) continue;
                if (!flags.TryGetValue(index, out var f)) return $"{name} has no IPv6 state (rtnetlink RTM_GETLINK, inet6)";
                state = new RouterAdvertisementState((f & RtnetlinkInet6Links.IF_RA_RCVD) != 0, (f & RtnetlinkInet6Links.IF_RA_MANAGED) != 0,
                    (f & RtnetlinkInet6Links.IF_RA_OTHERCONF) != 0);
                return null;
            }
            return "rtnetlink RTM_GETLINK (inet6): no NLMSG_DONE";
        }
        catch (Kdump.Config.KdumpConfigException e)
        {
            return e.Message;
        }
        finally
        {
            Netlink.Close((int)fd.Value);
        }
    }

    public string? OpenDhcp6(string name, out IDhcp6Transport? transport)
    {
        transport = null;
        return IfIndex(name, out var index) ?? UdpDhcp6Transport.Open(name, index, out transport);
    }

    /// <summary>The interface's index, from /sys/class/net/NAME/ifindex.</summary>
    private static string? IfIndex(string name, out int index)
    {
        index = 0;
        var path = $"/sys/class/net/{name}/ifindex";
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index) && index > 0
                ? null : $"{path}: not an interface index: '{text}'";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot read {path}: {e.Message}";
        }
    }

    public void Delay(TimeSpan time) => Thread.Sleep(time);

    private static string? Why(SyscallResult r, string call) => r.IsError ? $"{call}: {Errno.Name(r.Errno)}" : null;
}
