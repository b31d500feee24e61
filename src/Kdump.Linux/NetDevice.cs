using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Kdump.Linux;

/// <summary>
/// The netdevice(7) and route ioctls the capture program uses to bring up its interface, as
/// <c>ip link set NAME name NEW</c>, <c>ip addr add</c>, <c>ip link set up</c> and <c>route add</c>
/// do them, on an AF_INET datagram socket (AF_INET6 for IPv6 addresses and routes). Struct layouts
/// are LP64 (x86_64, aarch64); a test checks them against the C headers. IPv4 addresses are numeric
/// values (10.0.2.15 = 0x0A00020F), IPv6 ones their 16 bytes in network order.
/// </summary>
public static class NetDevice
{
    public const uint SIOCADDRT = 0x890B;
    public const uint SIOCGIFINDEX = 0x8933;
    public const uint SIOCGIFFLAGS = 0x8913;
    public const uint SIOCSIFFLAGS = 0x8914;
    public const uint SIOCSIFADDR = 0x8916;
    public const uint SIOCSIFNETMASK = 0x891C;
    public const uint SIOCSIFNAME = 0x8923;
    public const uint SIOCSIFHWADDR = 0x8924;
    public const uint SIOCBRADDBR = 0x89A0;
    public const uint SIOCBRADDIF = 0x89A2;
    public const uint SIOCSIFVLAN = 0x8983;
    public const int ADD_VLAN_CMD = 0;
    public const int SET_VLAN_NAME_TYPE_CMD = 6;
    public const int VLAN_NAME_TYPE_PLUS_VID_NO_PAD = 2;        // vlan5
    public const int VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD = 3;    // eth0.5, each namespace's default (net/8021q/vlan.c vlan_init_net)
    public const short IFF_UP = 0x1;
    public const ushort RTF_UP = 0x0001;
    public const ushort RTF_GATEWAY = 0x0002;
    public const ushort AF_INET = 2;
    public const ushort AF_INET6 = 10;

    /// <summary>struct in6_ifreq (include/uapi/linux/ipv6.h): SIOCSIFADDR on an AF_INET6 socket.</summary>
    public static class In6IfreqFields
    {
        public const int Address = 0;       // ifr6_addr (struct in6_addr)
        public const int PrefixLength = 16; // ifr6_prefixlen (__u32)
        public const int Ifindex = 20;      // ifr6_ifindex (int)
        public const int Size = 24;
    }

    /// <summary>struct in6_rtmsg (include/uapi/linux/ipv6_route.h) on LP64: SIOCADDRT on an AF_INET6 socket.</summary>
    public static class In6RtmsgFields
    {
        public const int Destination = 0;        // rtmsg_dst
        public const int Source = 16;            // rtmsg_src
        public const int Gateway = 32;           // rtmsg_gateway
        public const int Type = 48;              // rtmsg_type (__u32; 0: the kernel's RTN_UNICAST)
        public const int DestinationLength = 52; // rtmsg_dst_len (__u16)
        public const int SourceLength = 54;      // rtmsg_src_len (__u16)
        public const int Metric = 56;            // rtmsg_metric (__u32; 0: IP6_RT_PRIO_USER)
        public const int Info = 64;              // rtmsg_info (unsigned long)
        public const int Flags = 72;             // rtmsg_flags (__u32)
        public const int Ifindex = 76;           // rtmsg_ifindex (int)
        public const int Size = 80;
    }

    /// <summary>struct ifreq: ifr_name, then a union of ifr_addr, ifr_netmask, ifr_flags, ifr_newname.</summary>
    public static class IfreqFields
    {
        public const int Name = 0;          // ifr_name[IFNAMSIZ]
        public const int Union = 16;        // ifr_addr / ifr_netmask (struct sockaddr) / ifr_flags (short) / ifr_newname[IFNAMSIZ] / ifr_ifindex (int)
        public const int Size = 40;
        public const int IFNAMSIZ = 16;
    }

    /// <summary>struct vlan_ioctl_args (include/uapi/linux/if_vlan.h).</summary>
    public static class VlanIoctlArgsFields
    {
        public const int Command = 0;       // cmd (int)
        public const int Device1 = 4;       // device1[24]: the parent
        public const int Union = 28;        // u: device2[24] / VID (int) / …
        public const int DeviceLength = 24;
        public const int Size = 56;
    }

    /// <summary>struct sockaddr_in (16 bytes).</summary>
    public static class SockaddrInFields
    {
        public const int Family = 0;        // sin_family (host order)
        public const int Port = 2;          // sin_port
        public const int Address = 4;       // sin_addr (network order)
        public const int Size = 16;
    }

    /// <summary>struct rtentry (include/uapi/linux/route.h) on LP64.</summary>
    public static class RtentryFields
    {
        public const int Destination = 8;   // rt_dst
        public const int Gateway = 24;      // rt_gateway
        public const int Genmask = 40;      // rt_genmask
        public const int Flags = 56;        // rt_flags (unsigned short)
        public const int Metric = 80;       // rt_metric (short)
        public const int Device = 88;       // rt_dev (char *)
        public const int Size = 120;
    }

    public static SyscallResult SetAddress(string ifname, uint address) => Ioctl(SIOCSIFADDR, Ifreq(ifname, sockaddr: address));

    public static SyscallResult SetNetmask(string ifname, uint mask) => Ioctl(SIOCSIFNETMASK, Ifreq(ifname, sockaddr: mask));

    /// <summary>SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP added.</summary>
    public static SyscallResult SetUp(string ifname) => ChangeFlags(ifname, up: true);

    /// <summary>SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP cleared (kexec's ifdown before a reboot).</summary>
    public static SyscallResult SetDown(string ifname) => ChangeFlags(ifname, up: false);

    private static SyscallResult ChangeFlags(string ifname, bool up)
    {
        var req = Ifreq(ifname);
        var r = Ioctl(SIOCGIFFLAGS, req);
        if (r.IsError) return r;
        var u = req.AsSpan(IfreqFields.Union);
        var current = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt16LittleEndian(u) : BinaryPrimitives.ReadInt16BigEndian(u);
        WriteShort(u, (short)(up ? current | IFF_UP : current & ~IFF_UP));
        return Ioctl(SIOCSIFFLAGS, req);
    }

    /// <summary>SIOCSIFNAME (the interface must be down).</summary>
    public static SyscallResult Rename(string ifname, string newName)
    {
        var req = Ifreq(ifname);
        WriteName(req.AsSpan(IfreqFields.Union, IfreqFields.IFNAMSIZ), newName);
        return Ioctl(SIOCSIFNAME, req);
    }

    /// <summary>SIOCGIFINDEX: the interface's index (ifr_ifindex, a host-order int).</summary>
    public static SyscallResult InterfaceIndex(string ifname)
    {
        var req = Ifreq(ifname);
        var r = Ioctl(SIOCGIFINDEX, req);
        return r.IsError ? r : SyscallResult.Ok(MemoryMarshal.Read<int>(req.AsSpan(IfreqFields.Union)));
    }

    /// <summary>SIOCSIFHWADDR: the interface's Ethernet address (ifr_hwaddr: sa_family ARPHRD_ETHER, then the 6 bytes).</summary>
    public static SyscallResult SetHardwareAddress(string ifname, ReadOnlySpan<byte> mac)
    {
        if (mac.Length != 6) throw new ArgumentException("an Ethernet address is 6 bytes", nameof(mac));
        var req = Ifreq(ifname);
        WriteShort(req.AsSpan(IfreqFields.Union), (short)PacketSocket.ARPHRD_ETHER);
        mac.CopyTo(req.AsSpan(IfreqFields.Union + 2));
        return Ioctl(SIOCSIFHWADDR, req);
    }

    /// <summary>SIOCBRADDBR: a new bridge (the argument is the name itself, NUL-terminated; what brctl addbr does).</summary>
    public static SyscallResult AddBridge(string name)
    {
        var arg = new byte[IfreqFields.IFNAMSIZ];
        WriteName(arg, name);
        return Ioctl(SIOCBRADDBR, arg);
    }

    /// <summary>SIOCBRADDIF: <paramref name="port"/> joins <paramref name="bridge"/> (ifr_ifindex is the port's index; brctl addif).</summary>
    public static SyscallResult AddBridgePort(string bridge, string port)
    {
        var index = InterfaceIndex(port);
        if (index.IsError) return index;
        var req = Ifreq(bridge);
        MemoryMarshal.Write(req.AsSpan(IfreqFields.Union), (int)index.Value);
        return Ioctl(SIOCBRADDIF, req);
    }

    /// <summary>
    /// SIOCSIFVLAN ADD_VLAN_CMD (what vconfig add does): VLAN <paramref name="id"/> on
    /// <paramref name="parent"/>, which the kernel names <c>PARENT.ID</c> (the default name type);
    /// when that does not fit IFNAMSIZ (the kernel's ERANGE: a 13-byte NIC name and a 3-digit id)
    /// the name type is <c>vlanID</c> for this one call. <paramref name="name"/> is the name made.
    /// Needs the 8021q module.
    /// </summary>
    public static SyscallResult AddVlan(string parent, int id, out string name)
    {
        name = VlanName(parent, id);
        if (FitsParentDotId(parent, id)) return VlanCommand(ADD_VLAN_CMD, parent, id);
        var set = VlanCommand(SET_VLAN_NAME_TYPE_CMD, "", VLAN_NAME_TYPE_PLUS_VID_NO_PAD);
        if (set.IsError) return set;
        var add = VlanCommand(ADD_VLAN_CMD, parent, id);
        _ = VlanCommand(SET_VLAN_NAME_TYPE_CMD, "", VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD);
        return add;
    }

    /// <summary>The name <see cref="AddVlan"/> gives: <c>PARENT.ID</c> when it fits IFNAMSIZ with its NUL, else <c>vlanID</c>.</summary>
    public static string VlanName(string parent, int id)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return FitsParentDotId(parent, id) ? FormattableString.Invariant($"{parent}.{id}") : FormattableString.Invariant($"vlan{id}");
    }

    private static bool FitsParentDotId(string parent, int id) => FormattableString.Invariant($"{parent}.{id}").Length < IfreqFields.IFNAMSIZ;

    /// <summary>One SIOCSIFVLAN call: <c>cmd</c>, <c>device1</c> and the int of <c>u</c> (VID or name_type).</summary>
    private static SyscallResult VlanCommand(int command, string device, int value)
    {
        var args = new byte[VlanIoctlArgsFields.Size];
        MemoryMarshal.Write(args.AsSpan(VlanIoctlArgsFields.Command), command);
        WriteName(args.AsSpan(VlanIoctlArgsFields.Device1, VlanIoctlArgsFields.DeviceLength), device);
        MemoryMarshal.Write(args.AsSpan(VlanIoctlArgsFields.Union), value);
        return Ioctl(SIOCSIFVLAN, args);
    }

    /// <summary>SIOCADDRT: <paramref name="destination"/>/<paramref name="mask"/> via <paramref name="gateway"/>; the kernel picks the device that reaches the gateway.</summary>
    public static SyscallResult AddRoute(uint destination, uint mask, uint gateway)
    {
        var rt = Rtentry(destination, mask, RTF_UP | RTF_GATEWAY);
        WriteSockaddrIn(rt.AsSpan(RtentryFields.Gateway), gateway);
        return Ioctl(SIOCADDRT, rt);
    }

    /// <summary>A struct rtentry with its destination, genmask and (native-order) flags; the rest zero.</summary>
    private static byte[] Rtentry(uint destination, uint mask, int flags)
    {
        var rt = new byte[RtentryFields.Size];
        WriteSockaddrIn(rt.AsSpan(RtentryFields.Destination), destination);
        WriteSockaddrIn(rt.AsSpan(RtentryFields.Genmask), mask);
        MemoryMarshal.Write(rt.AsSpan(RtentryFields.Flags), (ushort)flags);
        return rt;
    }

    /// <summary>
    /// SIOCADDRT: <paramref name="destination"/>/<paramref name="mask"/> on the link of
    /// <paramref name="ifname"/>, no gateway (<c>ip route add … dev IF</c>): rt_dev points at the name.
    /// </summary>
    public static unsafe SyscallResult AddRouteOnLink(uint destination, uint mask, string ifname)
    {
        // RtentryFields are LP64's: rt_dev is an 8-byte pointer.
        if (IntPtr.Size != 8) throw new PlatformNotSupportedException("struct rtentry is laid out for 64-bit Linux");
        var name = new byte[IfreqFields.IFNAMSIZ];
        WriteName(name, ifname);
        var rt = Rtentry(destination, mask, RTF_UP);
        fixed (byte* dev = name)
        {
            MemoryMarshal.Write(rt.AsSpan(RtentryFields.Device), (nint)dev);
            return Ioctl(SIOCADDRT, rt);
        }
    }

    /// <summary>
    /// SIOCSIFADDR on an AF_INET6 socket (what <c>ip -6 addr add</c> does through rtnetlink): a
    /// permanent address with its prefix route; the kernel runs DAD on it while it is tentative.
    /// </summary>
    public static SyscallResult SetAddress6(string ifname, ReadOnlySpan<byte> address, int prefixLength)
    {
        if (address.Length != 16) throw new ArgumentException("an IPv6 address is 16 bytes", nameof(address));
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 128);
        var index = InterfaceIndex(ifname);
        if (index.IsError) return index;
        var req = new byte[In6IfreqFields.Size];
        address.CopyTo(req.AsSpan(In6IfreqFields.Address));
        MemoryMarshal.Write(req.AsSpan(In6IfreqFields.PrefixLength), (uint)prefixLength);
        MemoryMarshal.Write(req.AsSpan(In6IfreqFields.Ifindex), (int)index.Value);
        return Ioctl(SIOCSIFADDR, req, LibC.AF_INET6);
    }

    /// <summary>
    /// SIOCADDRT on an AF_INET6 socket: <paramref name="destination"/>/<paramref name="prefixLength"/>
    /// via <paramref name="gateway"/> through <paramref name="ifname"/> (a link-local gateway is
    /// only reachable through a named device); without a gateway (null), on that device's link.
    /// </summary>
    public static SyscallResult AddRoute6(ReadOnlySpan<byte> destination, int prefixLength, byte[]? gateway, string ifname)
    {
        if (destination.Length != 16 || gateway is { Length: not 16 }) throw new ArgumentException("an IPv6 address is 16 bytes");
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 128);
        var index = InterfaceIndex(ifname);
        if (index.IsError) return index;
        var rt = new byte[In6RtmsgFields.Size];
        destination.CopyTo(rt.AsSpan(In6RtmsgFields.Destination));
        gateway?.CopyTo(rt.AsSpan(In6RtmsgFields.Gateway));
        MemoryMarshal.Write(rt.AsSpan(In6RtmsgFields.DestinationLength), (ushort)prefixLength);
        MemoryMarshal.Write(rt.AsSpan(In6RtmsgFields.Flags), (uint)(gateway is null ? RTF_UP : RTF_UP | RTF_GATEWAY));
        MemoryMarshal.Write(rt.AsSpan(In6RtmsgFields.Ifindex), (int)index.Value);
        return Ioctl(SIOCADDRT, rt, LibC.AF_INET6);
    }

    private static byte[] Ifreq(string ifname, uint? sockaddr = null)
    {
        var req = new byte[IfreqFields.Size];
        WriteName(req.AsSpan(IfreqFields.Name, IfreqFields.IFNAMSIZ), ifname);
        if (sockaddr is { } a) WriteSockaddrIn(req.AsSpan(IfreqFields.Union), a);
        return req;
    }

    private static void WriteName(Span<byte> field, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length >= field.Length) throw new ArgumentException($"interface name '{name}' is longer than {field.Length - 1} bytes", nameof(name));
        bytes.CopyTo(field);
    }

    private static void WriteSockaddrIn(Span<byte> b, uint address)
    {
        WriteShort(b[SockaddrInFields.Family..], (short)AF_INET);
        BinaryPrimitives.WriteUInt32BigEndian(b[SockaddrInFields.Address..], address);
    }

    // Host-order shorts (sin_family, ifr_flags).
    private static void WriteShort(Span<byte> b, short v)
    {
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteInt16LittleEndian(b, v);
        else BinaryPrimitives.WriteInt16BigEndian(b, v);
    }

    private static SyscallResult Ioctl(uint request, byte[] arg, int family = LibC.AF_INET)
    {
        var fd = LibC.socket(family, LibC.SOCK_DGRAM | LibC.O_CLOEXEC, 0);
        if (fd < 0) return SyscallResult.Fail(Marshal.GetLastPInvokeError());
        try
        {
            return LibC.ioctl(fd, request, arg) < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok();
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
