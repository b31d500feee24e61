using Kdump.Config;
using Kdump.Config.IO;
using Kdump.Config.Network;
using Kdump.Initramfs.Devices;

namespace Kdump.Initramfs.Network;

/// <summary>
/// What mkdumprd asks the first kernel about its network, as upstream asks <c>ip</c> and sysfs:
/// routes from <c>/proc/net/route</c>, interface facts from <c>/sys/class/net</c> and nameservers
/// from <c>/etc/resolv.conf</c>, all read through the root (so a prepared tree answers them), and
/// the addresses from an address source (rtnetlink on a live system, see <see cref="LiveAddresses"/>).
/// </summary>
public sealed class HostNetwork(IRootFileSystem root, Func<IReadOnlyList<InterfaceAddress>> addresses, Func<string, uint?> resolveHost, bool littleEndianKernel)
{
    private const int MaxTextBytes = 1 << 20;
    private const int MaxDepth = 32;

    /// <summary>The running system: files under <paramref name="rootDirectory"/>, addresses and name resolution of the running kernel.</summary>
    public static HostNetwork Live(string rootDirectory) =>
        new(new DirectoryRootFileSystem(rootDirectory), LiveAddresses.Read, LiveAddresses.Resolve, BitConverter.IsLittleEndian);

    public IReadOnlyList<Ipv4Route> Routes()
    {
        var text = root.ReadAllText(ProcNetRoute.Path, MaxTextBytes);
        return text is null ? [] : ProcNetRoute.Parse(text, littleEndianKernel);
    }

    public IReadOnlyList<InterfaceAddress> Addresses() => addresses();

    /// <summary>An IPv4 literal as is, else the first IPv4 address the name resolves to (<c>getent ahosts</c>).</summary>
    public uint? Resolve(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Ipv4Network.TryParseAddress(host) ?? resolveHost(host);
    }

    /// <summary><c>/sys/class/net/NAME/ifindex</c>.</summary>
    public int? InterfaceIndex(string name) =>
        int.TryParse(Read($"/sys/class/net/{name}/ifindex"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary><c>/sys/class/net/NAME/address</c> (upstream's <c>kdump_get_mac_addr</c>).</summary>
    public string? MacAddress(string name) => Read($"/sys/class/net/{name}/address") is { } t ? CaptureNetworkConfig.NormalizeMac(t) : null;

    /// <summary>A software interface (bond, bridge, vlan, team, …) has no <c>device</c> link.</summary>
    public bool IsHardware(string name) => root.ResolveLink($"/sys/class/net/{name}/device") is not null;

    /// <summary>
    /// The modules behind the interface's device and every parent device up the sysfs tree
    /// (<c>driver/module</c> links; built-in drivers have none): e.g. virtio_net, then virtio_pci.
    /// </summary>
    public IReadOnlyList<string> DriverModules(string name)
    {
        var modules = new List<string>();
        var devices = new BlockDevices(root);
        var device = devices.Canonicalize($"/sys/class/net/{name}/device");
        var depth = 0;
        for (var p = device; p.StartsWith("/sys/devices/", StringComparison.Ordinal) && depth++ < MaxDepth; p = SystemPath.Directory(p))
        {
            if (root.ResolveLink(p + "/driver/module") is { } module && !modules.Contains(SystemPath.FileName(module), StringComparer.Ordinal))
                modules.Add(SystemPath.FileName(module));
        }
        return modules;
    }

    /// <summary>IPv4 <c>nameserver</c> lines of /etc/resolv.conf (upstream's <c>kdump_setup_dns</c>).</summary>
    public IReadOnlyList<uint> Nameservers()
    {
        var result = new List<uint>();
        foreach (var line in (root.ReadAllText("/etc/resolv.conf", MaxTextBytes) ?? "").Split('\n'))
        {
            var w = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 2 && w[0] == "nameserver" && Ipv4Network.TryParseAddress(w[1]) is { } a && !result.Contains(a)) result.Add(a);
        }
        return result;
    }

    private string? Read(string path)
    {
        try { return root.ReadAllText(path, 4096)?.Trim(); }
        catch (KdumpConfigException) { return null; }
    }
}
