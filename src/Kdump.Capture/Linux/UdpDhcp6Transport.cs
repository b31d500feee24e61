using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kdump.Capture.Network.Dhcp6;

namespace Kdump.Capture.Linux;

/// <summary>
/// DHCPv6 over a UDP socket on port 546 bound to one interface (SO_BINDTODEVICE): messages go to
/// [ff02::1:2]:547 out of that interface from its link-local address (the caller waits for it to
/// pass DAD; until then a send fails with EADDRNOTAVAIL); replies come back to that address.
/// </summary>
public sealed class UdpDhcp6Transport : IDhcp6Transport
{
    internal const int SOL_SOCKET = 1;
    internal const int SO_BINDTODEVICE = 25;

    private readonly Socket _socket;
    private readonly IPEndPoint _servers;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    // A whole UDP datagram of an Ethernet MTU and more; a longer one arrives truncated and is dropped as malformed.
    private readonly byte[] _buffer = new byte[9000];

    private UdpDhcp6Transport(Socket socket, int ifindex)
    {
        _socket = socket;
        _servers = new IPEndPoint(new IPAddress(Dhcp6Message.AllServers.GetAddressBytes(), ifindex), Dhcp6Message.ServerPort);
    }

    /// <summary>Opens the socket on <paramref name="name"/> (index <paramref name="ifindex"/>); null on success, else why not.</summary>
    public static string? Open(string name, int ifindex, out IDhcp6Transport? transport)
    {
        transport = null;
        Socket? socket = null;
        try
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            socket.SetRawSocketOption(SOL_SOCKET, SO_BINDTODEVICE, System.Text.Encoding.ASCII.GetBytes(name + "\0"));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, ifindex);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, Dhcp6Message.ClientPort));
            transport = new UdpDhcp6Transport(socket, ifindex);
            return null;
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            return $"UDP socket on {name} port {Dhcp6Message.ClientPort}: {e.SocketErrorCode} ({e.Message})";
        }
    }

    public TimeSpan Now => _clock.Elapsed;

    public string? Send(ReadOnlySpan<byte> message)
    {
        try
        {
            _socket.SendTo(message, SocketFlags.None, _servers);
            return null;
        }
        catch (SocketException e)
        {
            return $"sendto {_servers}: {e.SocketErrorCode} ({e.Message})";
        }
    }

    public string? Receive(TimeSpan timeout, out byte[]? message, out IPAddress? from)
    {
        message = null;
        from = null;
        var until = Now + timeout;
        try
        {
            while (until - Now is var remaining && remaining > TimeSpan.Zero)
            {
                if (!_socket.Poll((int)Math.Min(int.MaxValue, Math.Ceiling(remaining.TotalMicroseconds)), SelectMode.SelectRead)) continue;
                EndPoint sender = new IPEndPoint(IPAddress.IPv6Any, 0);
                var n = _socket.ReceiveFrom(_buffer, SocketFlags.None, ref sender);
                // Servers answer from port 547 (relays too); anything else on 546 is not for the client.
                if (sender is not IPEndPoint { Port: Dhcp6Message.ServerPort } ep) continue;
                from = ep.Address;
                message = _buffer.AsSpan(0, n).ToArray();
                return null;
            }
            return null;
        }
        catch (SocketException e)
        {
            return $"recvfrom: {e.SocketErrorCode} ({e.Message})";
        }
    }

    public void Dispose() => _socket.Dispose();
}
