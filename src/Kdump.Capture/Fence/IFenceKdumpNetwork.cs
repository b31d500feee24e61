using System.Net;
using System.Net.Sockets;

namespace Kdump.Capture.Fence;

/// <summary>What <see cref="FenceKdumpSend"/> asks of the system: name lookup, a socket per node, a pause.</summary>
public interface IFenceKdumpNetwork
{
    /// <summary>
    /// The node's address of <paramref name="family"/> (<see cref="AddressFamily.Unspecified"/>:
    /// either), or null with getaddrinfo's words for why not in <paramref name="error"/>.
    /// </summary>
    IPAddress? Resolve(string name, AddressFamily family, out string error);

    /// <summary>
    /// A UDP socket of <paramref name="family"/> for one node, as upstream opens one per node while
    /// it reads the command line; null with strerror's words in <paramref name="error"/> when the
    /// kernel gives none (a capture kernel without IPv6).
    /// </summary>
    IFenceKdumpSocket? Open(AddressFamily family, out string error);

    void Sleep(TimeSpan duration);
}

/// <summary>One node's socket.</summary>
public interface IFenceKdumpSocket : IDisposable
{
    /// <summary>One UDP datagram; null when sent, else strerror's words.</summary>
    string? Send(IPEndPoint to, ReadOnlySpan<byte> datagram);
}
