namespace Kdump.Config.Network;

/// <summary>One IPv4 route of the main table, as <c>/proc/net/route</c> lists it.</summary>
/// <param name="Interface">Iface</param>
/// <param name="Destination">Destination with Mask: the prefix the route covers.</param>
/// <param name="Gateway">Gateway, when the RTF_GATEWAY flag is set; else null (on-link).</param>
/// <param name="Metric">Metric (lower wins between routes of the same prefix).</param>
/// <param name="IsReject">
/// An unreachable or prohibit route (RTF_REJECT), or a blackhole (no device, Iface <c>*</c>): the
/// kernel picks it like any route and then refuses to send.
/// </param>
public sealed record Ipv4Route(string Interface, Ipv4Network Destination, uint? Gateway, int Metric, bool IsReject = false)
{
    public bool IsDefault => Destination.PrefixLength == 0;

    public override string ToString() =>
        $"{(IsReject ? "reject " : "")}{Destination}{(Gateway is { } g ? " via " + Ipv4Network.Format(g) : "")} dev {Interface} metric {Metric}";
}
