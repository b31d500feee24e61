using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary>
/// An rtnetlink socket (netlink(7)): the first kernel's addresses for mkdumprd. Only the socket
/// calls are here; requests and replies are built and read by Kdump.Config.Network.
/// </summary>
public static partial class Netlink
{
    private const string Lib = "libc";

    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint send(int sockfd, byte[] buf, nuint len, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint recv(int sockfd, [Out] byte[] buf, nuint len, int flags);

    /// <summary>socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE); the kernel binds it on first send.</summary>
    public static SyscallResult OpenRoute()
    {
        var fd = LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        return fd < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(fd);
    }

    public static SyscallResult Send(int fd, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var n = send(fd, message, (nuint)message.Length, 0);
        return n < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(n);
    }

    /// <summary>One datagram into <paramref name="buffer"/>; the value is its length.</summary>
    public static SyscallResult Receive(int fd, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var n = recv(fd, buffer, (nuint)buffer.Length, 0);
        return n < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(n);
    }

    public static void Close(int fd) => LibC.close(fd);
}
