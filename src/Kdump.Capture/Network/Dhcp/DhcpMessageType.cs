namespace Kdump.Capture.Network.Dhcp;

/// <summary>Option 53, DHCP message type (RFC 2132 §9.6).</summary>
public enum DhcpMessageType : byte
{
    Discover = 1,   // DHCPDISCOVER
    Offer = 2,      // DHCPOFFER
    Request = 3,    // DHCPREQUEST
    Decline = 4,    // DHCPDECLINE
    Ack = 5,        // DHCPACK
    Nak = 6,        // DHCPNAK
    Release = 7,    // DHCPRELEASE
    Inform = 8,     // DHCPINFORM
}
