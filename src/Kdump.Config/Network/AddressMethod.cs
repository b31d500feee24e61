namespace Kdump.Config.Network;

/// <summary>How the capture kernel gets its address (upstream: <c>ip=&lt;static&gt;</c>, <c>ip=dhcp</c>, <c>ip=auto6</c>).</summary>
public enum AddressMethod
{
    /// <summary>The first kernel's permanent address, prefix and gateway, copied (IPv4 or IPv6).</summary>
    Static,

    /// <summary>The first kernel's IPv4 address was leased (not permanent): lease one again.</summary>
    Dhcp,

    /// <summary>
    /// The first kernel's IPv6 address was not permanent (a router advertisement's, SLAAC): the
    /// capture kernel's own autoconfiguration makes one again from the next advertisement.
    /// </summary>
    Auto,
}
