namespace Kdump.Config.Network;

/// <summary>How the capture kernel gets its address (upstream: <c>ip=&lt;static&gt;</c> or <c>ip=dhcp</c>).</summary>
public enum AddressMethod
{
    /// <summary>The first kernel's permanent address, prefix and gateway, copied.</summary>
    Static,

    /// <summary>The first kernel's address was leased (not permanent): lease one again.</summary>
    Dhcp,
}
