using System.Diagnostics;
using Kdump.Capture.Network.Dhcp;
using Kdump.Linux;

namespace Kdump.Capture.Linux;

/// <summary>
/// DHCP over a <see cref="PacketSocket"/> bound to one interface: each message goes out framed
/// as 0.0.0.0:68 → 255.255.255.255:67 to the Ethernet broadcast address; what comes in is every
/// IPv4 packet of the interface (ours going out included), of which only whole UDP datagrams from
/// port 67 to port 68 are handed up.
/// </summary>
public sealed class PacketDhcpTransport : IDhcpTransport
{
    private const uint AnyAddress = 0;
    private const uint BroadcastAddress = 0xFFFFFFFF;
    private static readonly byte[] s_ethernetBroadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private readonly int _fd;
    private readonly int _ifindex;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    // An Ethernet MTU's worth: DHCP replies are far smaller; a longer packet arrives truncated and is dropped.
    private readonly byte[] _buffer = new byte[1500];

    private PacketDhcpTransport(int fd, int ifindex)
    {
        _fd = fd;
        _ifindex = ifindex;
    }

    /// <summary>Opens the socket on <paramref name="name"/>; null on success, else why not.</summary>
    public static string? Open(string name, out IDhcpTransport? transport)
    {
        transport = null;
        var fd = PacketSocket.Open(name, out var ifindex);
        if (fd.IsError) return $"packet socket on {name} (socket, SIOCGIFINDEX, bind): {Errno.Name(fd.Errno)}";
        transport = new PacketDhcpTransport((int)fd.Value, ifindex);
        return null;
    }

    public TimeSpan Now => _clock.Elapsed;

    public string? Send(ReadOnlySpan<byte> message)
    {
        var packet = Ipv4UdpPacket.Build(AnyAddress, BroadcastAddress, DhcpMessage.ClientPort, DhcpMessage.ServerPort, message);
        var r = PacketSocket.Send(_fd, _ifindex, packet, s_ethernetBroadcast);
        return r.IsError ? $"sendto: {Errno.Name(r.Errno)}" : null;
    }

    public string? Receive(TimeSpan timeout, out byte[]? message)
    {
        message = null;
        var until = Now + timeout;
        while (until - Now is var remaining && remaining > TimeSpan.Zero)
        {
            var ready = PacketSocket.WaitReadable(_fd, (int)Math.Ceiling(remaining.TotalMilliseconds));
            if (ready.IsError) return $"poll: {Errno.Name(ready.Errno)}";
            if (ready.Value == 0) continue;
            var n = PacketSocket.Receive(_fd, _buffer);
            if (n.IsError) return $"recv: {Errno.Name(n.Errno)}";
            // Not an error: the interface carries other traffic (and our own broadcasts to port 67).
            // The UDP checksum is not required to hold: a packet socket can see it still to be
            // filled in by offload (CHECKSUM_PARTIAL); the IPv4 header's is checked.
            if (!Ipv4UdpPacket.TryRead(_buffer.AsSpan(0, (int)n.Value), out var d, out _)
                || d.SourcePort != DhcpMessage.ServerPort || d.DestinationPort != DhcpMessage.ClientPort) continue;
            message = _buffer.AsSpan(d.PayloadOffset, d.PayloadLength).ToArray();
            return null;
        }
        return null;
    }

    private bool _closed;

    // Once only: a second close could hit a descriptor the process has reused meanwhile.
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        PacketSocket.Close(_fd);
    }
}
