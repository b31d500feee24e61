using System.Net;
using System.Net.Sockets;
using Kdump.Capture.Network;

namespace Kdump.Capture.Fence;

/// <summary>
/// <see cref="IFenceKdumpNetwork"/> on UDP sockets, one per node as upstream opens them. Names
/// resolve as everywhere in the capture kernel: an address literal, else the hosts file
/// (<see cref="HostsFile"/>), read at each lookup; there is no DNS.
/// </summary>
public sealed class SocketFenceKdumpNetwork(string hostsPath) : IFenceKdumpNetwork
{
    public IPAddress? Resolve(string name, AddressFamily family, out string error)
    {
        if (HostsFile.Resolve(name, HostsFile.Read(hostsPath), family) is { } address)
        {
            error = "";
            return address;
        }
        // getaddrinfo's words: a literal of the other family, or a name nothing gives.
        error = IPAddress.TryParse(name, out _) ? "Address family for hostname not supported" : "Name or service not known";
        return null;
    }

    public IFenceKdumpSocket? Open(AddressFamily family, out string error)
    {
        Socket? socket = null;
        try
        {
            socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            // .NET sets IPV6_V6ONLY; a C socket (the kernel's default) also reaches ::ffff:a.b.c.d.
            if (family == AddressFamily.InterNetworkV6) socket.DualMode = true;
            error = "";
            return new UdpNodeSocket(socket);
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            error = e.Message;
            return null;
        }
    }

    private sealed class UdpNodeSocket(Socket socket) : IFenceKdumpSocket
    {
        public string? Send(IPEndPoint to, ReadOnlySpan<byte> datagram)
        {
            ArgumentNullException.ThrowIfNull(to);
            try
            {
                socket.SendTo(datagram, SocketFlags.None, to);
                return null;
            }
            catch (SocketException e)
            {
                return e.Message;
            }
        }

        public void Dispose() => socket.Dispose();
    }

    /// <summary>sleep(3) takes any int of seconds; Thread.Sleep at most int.MaxValue milliseconds.</summary>
    public void Sleep(TimeSpan duration)
    {
        for (var left = duration; left > TimeSpan.Zero; left -= s_longestSleep)
            Thread.Sleep(left < s_longestSleep ? left : s_longestSleep);
    }

    private static readonly TimeSpan s_longestSleep = TimeSpan.FromDays(1);
}
