namespace Kdump.Capture.Network.Dhcp;

/// <summary>
/// What <see cref="DhcpClient"/> needs from the link: broadcast a message to the servers, wait for
/// replies to the client port, and a monotonic clock. The Linux one (Linux/PacketDhcpTransport)
/// frames IPv4/UDP itself on a packet socket; tests play a server.
/// </summary>
public interface IDhcpTransport : IDisposable
{
    /// <summary>Monotonic time the client measures its timeouts and budget on.</summary>
    TimeSpan Now { get; }

    /// <summary>Sends one DHCP message from 0.0.0.0:68 to 255.255.255.255:67 (link broadcast); null on success, else why not.</summary>
    string? Send(ReadOnlySpan<byte> message);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for one UDP payload sent to port 68 from port 67;
    /// <paramref name="message"/> is null when the time ran out. Null on success, else why the link failed.
    /// </summary>
    string? Receive(TimeSpan timeout, out byte[]? message);
}
