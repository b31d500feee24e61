namespace Kdump.Config.Network;

/// <summary>
/// <c>ip route get DST</c> over the main table, as mkdumprd asks it for the dump server: the route
/// and the source address the kernel would use.
/// </summary>
public static class RouteLookup
{
    /// <summary>
    /// The route to <paramref name="destination"/>: longest prefix, then lowest metric, then first
    /// listed (fib lookup order); null when there is none, or when the one the kernel picks is a
    /// reject route (<c>ip route get</c> fails there too, and nothing less specific is tried).
    /// </summary>
    public static Ipv4Route? Find(IReadOnlyList<Ipv4Route> routes, uint destination)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return Best(routes, r => r.Destination.Contains(destination), r => r.Destination.PrefixLength, r => r.Metric) is { IsReject: false } route ? route : null;
    }

    /// <summary>The fib's choice among routes of either family: longest prefix that holds the destination, then lowest metric, then first listed.</summary>
    internal static T? Best<T>(IEnumerable<T> routes, Func<T, bool> holds, Func<T, int> prefixLength, Func<T, long> metric) where T : class
    {
        T? best = null;
        foreach (var r in routes)
        {
            if (!holds(r)) continue;
            if (best is null
                || prefixLength(r) > prefixLength(best)
                || (prefixLength(r) == prefixLength(best) && metric(r) < metric(best)))
                best = r;
        }
        return best;
    }

    /// <summary>
    /// The kernel's <c>inet_select_addr</c> for the route's device: among its primary addresses
    /// wider than host scope, the first whose subnet holds the next hop (the gateway, or the
    /// destination on-link); else the first of them.
    /// </summary>
    /// <param name="addresses">The addresses of the route's interface, in the kernel's order.</param>
    public static InterfaceAddress? SourceAddress(IReadOnlyList<InterfaceAddress> addresses, Ipv4Route route, uint destination)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(route);
        var nextHop = route.Gateway ?? destination;
        var usable = addresses.Where(a => !a.IsSecondary && a.IsBeyondHost).ToList();
        return usable.FirstOrDefault(a => a.Address.Contains(nextHop)) ?? usable.FirstOrDefault();
    }
}
