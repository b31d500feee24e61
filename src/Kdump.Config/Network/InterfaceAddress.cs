namespace Kdump.Config.Network;

/// <summary>
/// One IPv4 address of an interface, as an RTM_NEWADDR message of <c>ip -4 addr</c> carries it
/// (include/uapi/linux/if_addr.h).
/// </summary>
/// <param name="InterfaceIndex">ifa_index</param>
/// <param name="Address">IFA_LOCAL (IFA_ADDRESS when absent) with ifa_prefixlen</param>
/// <param name="Flags">ifa_flags, widened by the IFA_FLAGS attribute</param>
/// <param name="Scope">ifa_scope (RT_SCOPE_UNIVERSE 0 … RT_SCOPE_HOST 254)</param>
public sealed record InterfaceAddress(int InterfaceIndex, Ipv4Network Address, uint Flags, byte Scope)
{
    private const uint IFA_F_SECONDARY = 0x01;
    private const uint IFA_F_PERMANENT = 0x80;
    private const byte RT_SCOPE_HOST = 254;

    /// <summary>Scope wider than host (lo's 127.0.0.1 is host scope).</summary>
    public bool IsBeyondHost => Scope < RT_SCOPE_HOST;

    /// <summary><c>ip addr show permanent</c> lists it: configured by hand, not leased (no valid_lft).</summary>
    public bool IsPermanent => (Flags & IFA_F_PERMANENT) != 0;

    public bool IsSecondary => (Flags & IFA_F_SECONDARY) != 0;
}
