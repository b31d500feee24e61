using System.Net;

namespace Kdump.Capture.Network.Dhcp6;

/// <summary>
/// What <see cref="Dhcp6Client"/> needs from the link: send a message to the servers, wait for
/// replies to the client port, and a monotonic clock. The Linux one (Linux/UdpDhcp6Transport) is a
/// UDP socket on the interface's link-local address; tests play a server.
/// </summary>
public interface IDhcp6Transport : IDisposable
{
    /// <summary>Monotonic time the client measures its timeouts and budget on.</summary>
    TimeSpan Now { get; }

    /// <summary>Sends one message from port 546 to [ff02::1:2]:547 on the interface; null on success, else why not.</summary>
    string? Send(ReadOnlySpan<byte> message);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for one UDP payload sent to port 546;
    /// <paramref name="message"/> is null when the time ran out, else <paramref name="from"/> is
    /// its sender. Null on success, else why the link failed.
    /// </summary>
    string? Receive(TimeSpan timeout, out byte[]? message, out IPAddress? from);
}
