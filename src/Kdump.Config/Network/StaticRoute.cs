using System.Net;

namespace Kdump.Config.Network;

/// <summary>
/// A route other than the default one (upstream's <c>rd.route=</c>): through <see cref="Gateway"/>,
/// or, without one, on the link itself (<c>ip route add 10.5.0.0/16 dev eth0</c>); of the record's family.
/// </summary>
public sealed record StaticRoute(IpPrefix Destination, IPAddress? Gateway)
{
    /// <summary>No gateway: the destination is reached on the interface's link.</summary>
    public bool IsOnLink => Gateway is null;
}
