using System.Net;
using System.Net.Sockets;

namespace Kdump.Capture.Fence;

/// <summary>What <see cref="FenceKdumpSend"/> asks of the system: name lookup, a datagram, a pause.</summary>
public interface IFenceKdumpNetwork
{
    /// <summary>
    /// The node's address of <paramref name="family"/> (<see cref="AddressFamily.Unspecified"/>:
    /// either), or null with getaddrinfo's words for why not in <paramref name="error"/>.
    /// </summary>
    IPAddress? Resolve(string name, AddressFamily family, out string error);

    /// <summary>One UDP datagram; null when sent, else strerror's words.</summary>
    string? Send(IPEndPoint to, ReadOnlySpan<byte> datagram);

    void Sleep(TimeSpan duration);
}
