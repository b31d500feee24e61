using System.Net;
using Kdump.Capture.Network.Dhcp;
using Kdump.Capture.Network.Dhcp6;
using Kdump.Config.Network;

namespace Kdump.Capture.Network;

/// <summary>
/// The interface calls of the capture kernel's network bring-up (what <c>ip link</c>, <c>ip addr</c>
/// and <c>ip route</c> do in upstream's initramfs). Each returns null on success, else why not.
/// <see cref="Linux.NetworkControl"/> is the real one; tests record calls.
/// </summary>
public interface INetworkControl
{
    /// <summary><c>ip link set NAME name NEWNAME</c> (the interface is down).</summary>
    string? Rename(string name, string newName);

    /// <summary><c>ip addr add ADDRESS/PREFIX dev NAME</c>, IPv4 or IPv6 (an IPv6 one is permanent and goes through DAD).</summary>
    string? SetAddress(string name, IpPrefix address);

    /// <summary><c>ip link set NAME up</c>.</summary>
    string? SetUp(string name);

    /// <summary><c>ip link set NAME down</c>.</summary>
    string? SetDown(string name);

    /// <summary><c>ip link set NAME address MAC</c> (SIOCSIFHWADDR).</summary>
    string? SetHardwareAddress(string name, string mac);

    /// <summary>
    /// <c>ip route add DESTINATION via GATEWAY dev NAME</c> (0.0.0.0/0 and ::/0 are the default
    /// routes). IPv4 lets the kernel pick the device that reaches the gateway; IPv6 names
    /// <paramref name="name"/>, through which a link-local gateway is reached. Without a gateway,
    /// <c>ip route add DESTINATION dev NAME</c>: on the link of <paramref name="name"/>.
    /// </summary>
    string? AddRoute(IpPrefix destination, IPAddress? gateway, string name);

    /// <summary>
    /// <c>sysctl net.ipv6.conf.NAME.accept_ra=0</c>: a static IPv6 interface (NetworkManager's
    /// <c>ipv6.method manual</c>) takes no address or route from a router's advertisements.
    /// </summary>
    string? IgnoreRouterAdvertisements(string name);

    /// <summary>
    /// <c>sysctl net.ipv6.conf.NAME.accept_ra_defrtr=0</c>: an interface toward fence_kdump nodes
    /// takes its address from router advertisements but not their default route.
    /// </summary>
    string? IgnoreDefaultRouter(string name);

    /// <summary>
    /// Makes the bond NAME (<c>echo +NAME &gt; /sys/class/net/bonding_masters</c>); one the bonding
    /// module made when it loaded (bond0) is taken as it is.
    /// </summary>
    string? AddBond(string name);

    /// <summary><c>echo VALUE &gt; /sys/class/net/BOND/bonding/OPTION</c> (the mode first, while the bond is down and has no slaves).</summary>
    string? SetBondOption(string bond, string option, string value);

    /// <summary><c>echo +SLAVE &gt; /sys/class/net/BOND/bonding/slaves</c> (the slave is down).</summary>
    string? Enslave(string bond, string slave);

    /// <summary><c>brctl addbr NAME</c> (SIOCBRADDBR).</summary>
    string? AddBridge(string name);

    /// <summary>
    /// <c>vconfig add PARENT ID</c> (SIOCSIFVLAN): a VLAN, down, named <c>PARENT.ID</c>, or
    /// <c>vlanID</c> when that is longer than 15 bytes; <paramref name="name"/> is the one made.
    /// </summary>
    string? AddVlan(string parent, int id, out string name);

    /// <summary><c>brctl addif BRIDGE PORT</c> (SIOCBRADDIF).</summary>
    string? AddBridgePort(string bridge, string port);

    /// <summary>
    /// A DHCP client's link on NAME, which is up and has no address yet (what udhcpc opens: a packet
    /// socket bound to the interface). The caller disposes <paramref name="transport"/>.
    /// </summary>
    string? OpenDhcp(string name, out IDhcpTransport? transport);

    /// <summary>
    /// What routers have told NAME so far, as the kernel keeps it (<c>if_flags</c>, read through
    /// rtnetlink's IFLA_INET6_FLAGS): whether an advertisement came, and its M and O flags.
    /// </summary>
    string? ReadRouterAdvertisement(string name, out RouterAdvertisementState state);

    /// <summary>
    /// A DHCPv6 client's link on NAME, whose link-local address has passed DAD (a UDP socket on
    /// port 546 bound to the interface). The caller disposes <paramref name="transport"/>.
    /// </summary>
    string? OpenDhcp6(string name, out IDhcp6Transport? transport);

    /// <summary>Waits (the NIC may still be probing).</summary>
    void Delay(TimeSpan time);
}

/// <summary>
/// What the kernel holds of the routers' advertisements on an interface: whether one was received,
/// and its Managed (addresses by DHCPv6) and Other configuration flags (RFC 4861 §4.2).
/// </summary>
public readonly record struct RouterAdvertisementState(bool Received, bool Managed, bool OtherConfiguration);
