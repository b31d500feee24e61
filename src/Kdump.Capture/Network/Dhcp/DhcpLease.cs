using Kdump.Config.Network;

namespace Kdump.Capture.Network.Dhcp;

/// <summary>
/// What a DHCPACK granted: the address with its prefix (option 1), the server that granted it
/// (option 54), the first router (option 3), the name servers (option 6) and the lease time
/// (option 51; null when the server sent none).
/// </summary>
public sealed record DhcpLease(Ipv4Network Address, uint Server, uint? Router, IReadOnlyList<uint> Nameservers, uint? LeaseSeconds);
