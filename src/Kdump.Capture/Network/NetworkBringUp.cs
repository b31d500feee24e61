using System.Text;
using Kdump.Config;
using Kdump.Config.Network;

namespace Kdump.Capture.Network;

/// <summary>
/// Brings up the network mkdumprd recorded (<see cref="CaptureNetworkConfig"/>) before an ssh or
/// nfs dump: the NIC's modules are already loaded from modules.load; its interface is found by
/// MAC under /sys/class/net (waiting for the driver, like upstream's wait for the device), named
/// as in the first kernel, given the same address and routes, and set up; nameservers go to
/// /etc/resolv.conf. DHCP is recorded by mkdumprd but not done here.
/// </summary>
public static class NetworkBringUp
{
    /// <summary>Upstream's cloned NetworkManager profile waits this long for the device (connection.wait-device-timeout 60000).</summary>
    public static readonly TimeSpan DeviceWait = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// False (after logging why) when a recorded network cannot be brought up; true with
    /// <paramref name="config"/> null when the image records none.
    /// </summary>
    public static bool TryBringUp(ICaptureSystem system, CapturePaths paths, Action<string> log, out CaptureNetworkConfig? config)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(log);
        config = null;
        var file = paths.Host(CaptureNetworkConfig.ImagePath);
        if (!File.Exists(file)) return true;
        try
        {
            config = CaptureNetworkConfig.Parse(File.ReadAllText(file), CaptureNetworkConfig.ImagePath);
        }
        catch (Exception e) when (e is KdumpConfigException or IOException)
        {
            log($"cannot read {CaptureNetworkConfig.ImagePath}: {e.Message}");
            return false;
        }
        if (system.NetworkControl is not { } net)
        {
            log("this capture system cannot configure a network");
            return false;
        }
        return BringUp(net, paths, config, log);
    }

    private static bool BringUp(INetworkControl net, CapturePaths paths, CaptureNetworkConfig config, Action<string> log)
    {
        var found = FindByMac(net, paths, config.MacAddress, log);
        if (found is null)
        {
            log($"no network interface with MAC {config.MacAddress} after {DeviceWait.TotalSeconds:0}s");
            return false;
        }
        var name = found;
        if (found != config.Interface)
        {
            // ifname=NAME:MAC; a clash with another interface's name leaves the kernel's name.
            if (net.Rename(found, config.Interface) is { } why) log($"cannot rename {found} to {config.Interface}: {why}");
            else name = config.Interface;
        }
        if (net.SetUp("lo") is { } loWhy) log($"cannot set lo up: {loWhy}");
        if (config.Method == AddressMethod.Dhcp)
        {
            log($"{name}: the first kernel leased its address by DHCP; kdump-capture does not do DHCP yet");
            return false;
        }
        string? error = net.SetAddress(name, config.Address!.Value) ?? net.SetUp(name);
        if (error is null && config.Gateway is { } gw) error = net.AddRoute(new Ipv4Network(0, 0), gw);
        foreach (var r in config.Routes)
        {
            if (error is not null) break;
            error = net.AddRoute(r.Destination, r.Gateway);
        }
        if (error is not null)
        {
            log($"cannot configure {name}: {error}");
            return false;
        }
        if (config.Nameservers.Count > 0) WriteResolvConf(paths, config.Nameservers);
        log($"{name} ({config.MacAddress}) is {config.Address}" + (config.Gateway is { } g ? $" via {Ipv4Network.Format(g)}" : ""));
        return true;
    }

    /// <summary>The interface under /sys/class/net whose <c>address</c> is <paramref name="mac"/>, waiting up to <see cref="DeviceWait"/>.</summary>
    private static string? FindByMac(INetworkControl net, CapturePaths paths, string mac, Action<string> log)
    {
        var dir = paths.Host("/sys/class/net");
        var waited = TimeSpan.Zero;
        while (true)
        {
            if (Directory.Exists(dir))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
                {
                    var address = Path.Combine(entry, "address");
                    if (File.Exists(address) && CaptureNetworkConfig.NormalizeMac(File.ReadAllText(address)) == mac) return Path.GetFileName(entry);
                }
            }
            if (waited >= DeviceWait) return null;
            if (waited.Ticks % TimeSpan.FromSeconds(10).Ticks == 0 && waited > TimeSpan.Zero)
                log($"Waiting for the network interface {mac} ({waited.TotalSeconds:0}s / {DeviceWait.TotalSeconds:0}s)");
            net.Delay(s_poll);
            waited += s_poll;
        }
    }

    private static void WriteResolvConf(CapturePaths paths, IReadOnlyList<uint> nameservers)
    {
        var sb = new StringBuilder();
        foreach (var n in nameservers) sb.Append("nameserver ").Append(Ipv4Network.Format(n)).Append('\n');
        var path = paths.Host("/etc/resolv.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sb.ToString());
    }
}
