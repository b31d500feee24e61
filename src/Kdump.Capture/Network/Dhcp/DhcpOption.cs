namespace Kdump.Capture.Network.Dhcp;

/// <summary>The option codes this client writes or reads (RFC 2132); others are skipped when read.</summary>
public static class DhcpOption
{
    public const byte Pad = 0;                      // §3.1, one byte, no length
    public const byte SubnetMask = 1;               // §3.3, 4 bytes
    public const byte Router = 3;                   // §3.5, n × 4 bytes, preferred first
    public const byte DomainNameServer = 6;         // §3.8, n × 4 bytes
    public const byte RequestedIpAddress = 50;      // §9.1, 4 bytes
    public const byte LeaseTime = 51;               // §9.2, 4 bytes, seconds
    public const byte OptionOverload = 52;          // §9.3, 1 byte: 1 file, 2 sname, 3 both carry options
    public const byte MessageType = 53;             // §9.6, 1 byte
    public const byte ServerIdentifier = 54;        // §9.7, 4 bytes
    public const byte ParameterRequestList = 55;    // §9.8, n ≥ 1 codes
    public const byte ClientIdentifier = 61;        // §9.14, type byte then n ≥ 1 bytes
    public const byte End = 255;                    // §3.2, one byte, no length

    /// <summary>A name for messages: "option 51 (lease time)".</summary>
    public static string Describe(byte code) => code switch
    {
        SubnetMask => "option 1 (subnet mask)",
        Router => "option 3 (router)",
        DomainNameServer => "option 6 (domain name server)",
        RequestedIpAddress => "option 50 (requested IP address)",
        LeaseTime => "option 51 (lease time)",
        OptionOverload => "option 52 (option overload)",
        MessageType => "option 53 (DHCP message type)",
        ServerIdentifier => "option 54 (server identifier)",
        ParameterRequestList => "option 55 (parameter request list)",
        ClientIdentifier => "option 61 (client identifier)",
        _ => $"option {code}",
    };
}
