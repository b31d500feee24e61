namespace Kdump.Config.Network;

/// <summary>A route through a gateway that is not the default one (upstream's <c>rd.route=</c>).</summary>
public sealed record StaticRoute(Ipv4Network Destination, uint Gateway);
