using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary>
/// A packet socket (packet(7)) for the capture kernel's DHCP client: <c>AF_PACKET</c>,
/// <c>SOCK_DGRAM</c> (the kernel adds and strips the Ethernet header), protocol ETH_P_IP, bound to
/// one interface. The interface has no address yet, so the IP stack would neither send from
/// 0.0.0.0 nor deliver a reply; udhcpc and the kernel's ipconfig work at this level too. Only the
/// socket calls are here: Kdump.Capture frames the IPv4/UDP packets. Layouts are checked against
/// the C headers by a test.
/// </summary>
public static partial class PacketSocket
{
    private const string Lib = "libc";

    public const int AF_PACKET = 17;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const ushort ETH_P_IP = 0x0800;
    public const ushort ARPHRD_ETHER = 1;
    public const int ETH_ALEN = 6;
    public const short POLLIN = 0x1;

    /// <summary>struct sockaddr_ll (linux/if_packet.h, 20 bytes).</summary>
    public static class SockaddrLlFields
    {
        public const int Family = 0;        // sll_family (u16, host order)
        public const int Protocol = 2;      // sll_protocol (be16)
        public const int Ifindex = 4;       // sll_ifindex (int, host order)
        public const int Hatype = 8;        // sll_hatype (u16)
        public const int Pkttype = 10;      // sll_pkttype (u8)
        public const int Halen = 11;        // sll_halen (u8)
        public const int Address = 12;      // sll_addr[8]
        public const int Size = 20;
    }

    /// <summary>struct pollfd (poll.h, 8 bytes).</summary>
    public static class PollfdFields
    {
        public const int Fd = 0;            // fd (int)
        public const int Events = 4;        // events (short)
        public const int Revents = 6;       // revents (short)
        public const int Size = 8;
    }

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int bind(int sockfd, byte[] addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint sendto(int sockfd, byte[] buf, nuint len, int flags, byte[] dest_addr, uint addrlen);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint recv(int sockfd, [Out] byte[] buf, nuint len, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int poll([In, Out] byte[] fds, nuint nfds, int timeout);

    /// <summary>
    /// socket(AF_PACKET, SOCK_DGRAM|SOCK_CLOEXEC, htons(ETH_P_IP)), then bind to <paramref name="ifname"/>'s
    /// index (<see cref="NetDevice.InterfaceIndex"/>, given back in <paramref name="ifindex"/>) so that only its packets
    /// arrive. The value is the descriptor.
    /// </summary>
    public static SyscallResult Open(string ifname, out int ifindex)
    {
        ifindex = 0;
        var fd = LibC.socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, NetworkOrderProtocol);
        if (fd < 0) return SyscallResult.Fail(Marshal.GetLastPInvokeError());
        var index = NetDevice.InterfaceIndex(ifname);
        if (index.IsError)
        {
            LibC.close(fd);
            return index;
        }
        ifindex = (int)index.Value;
        var sll = Sockaddr(ifindex, []);
        if (bind(fd, sll, SockaddrLlFields.Size) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.close(fd);
            return SyscallResult.Fail(errno);
        }
        return SyscallResult.Ok(fd);
    }

    /// <summary>One IPv4 packet to the link-layer address <paramref name="destination"/> (ff:ff:ff:ff:ff:ff for a broadcast) on the bound interface.</summary>
    public static SyscallResult Send(int fd, int ifindex, byte[] packet, ReadOnlySpan<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var sll = Sockaddr(ifindex, destination);
        var n = sendto(fd, packet, (nuint)packet.Length, 0, sll, SockaddrLlFields.Size);
        return n < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(n);
    }

    /// <summary>poll(2) for POLLIN: 1 when a packet is waiting, 0 when <paramref name="timeoutMs"/> passed (EINTR counts as 0).</summary>
    public static SyscallResult WaitReadable(int fd, int timeoutMs)
    {
        var p = new byte[PollfdFields.Size];
        MemoryMarshal.Write(p.AsSpan(PollfdFields.Fd), fd);
        MemoryMarshal.Write(p.AsSpan(PollfdFields.Events), POLLIN);
        var n = poll(p, 1, timeoutMs);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errno.EINTR ? SyscallResult.Ok(0) : SyscallResult.Fail(errno);
        }
        return SyscallResult.Ok(n);
    }

    /// <summary>One packet (the IPv4 packet, no link header) into <paramref name="buffer"/>; the value is its length.</summary>
    public static SyscallResult Receive(int fd, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var n = recv(fd, buffer, (nuint)buffer.Length, 0);
        return n < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(n);
    }

    public static void Close(int fd) => LibC.close(fd);

    private static int NetworkOrderProtocol => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(ETH_P_IP) : ETH_P_IP;

    private static byte[] Sockaddr(int ifindex, ReadOnlySpan<byte> address)
    {
        if (address.Length > 8) throw new ArgumentException($"a link-layer address of {address.Length} bytes does not fit sll_addr", nameof(address));
        var sll = new byte[SockaddrLlFields.Size];
        MemoryMarshal.Write(sll.AsSpan(SockaddrLlFields.Family), (ushort)AF_PACKET);
        BinaryPrimitives.WriteUInt16BigEndian(sll.AsSpan(SockaddrLlFields.Protocol), ETH_P_IP);
        MemoryMarshal.Write(sll.AsSpan(SockaddrLlFields.Ifindex), ifindex);
        MemoryMarshal.Write(sll.AsSpan(SockaddrLlFields.Hatype), ARPHRD_ETHER);
        sll[SockaddrLlFields.Halen] = (byte)address.Length;
        address.CopyTo(sll.AsSpan(SockaddrLlFields.Address));
        return sll;
    }
}
