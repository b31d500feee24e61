using System.Net;

namespace Kdump.Config.Network;

/// <summary>A route through a gateway that is not the default one (upstream's <c>rd.route=</c>); both of the record's family.</summary>
public sealed record StaticRoute(IpPrefix Destination, IPAddress Gateway);
