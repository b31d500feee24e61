using System.Globalization;

namespace Kdump.Config.Network;

/// <summary>
/// <c>/proc/net/route</c> (net/ipv4/fib_trie.c <c>fib_route_seq_show</c>): a header line, then per
/// route tab-separated <c>Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT</c>.
/// Destination, Gateway and Mask are the network-order 32-bit values printed with <c>%08X</c> as the
/// host reads them, so the text depends on the byte order of the kernel that wrote it.
/// </summary>
public static class ProcNetRoute
{
    public const string Path = "/proc/net/route";

    /// <summary>Column positions (the header names them; the kernel never reorders them).</summary>
    private static class Fields
    {
        public const int Iface = 0;
        public const int Destination = 1;
        public const int Gateway = 2;
        public const int Flags = 3;
        public const int Metric = 6;
        public const int Mask = 7;
        public const int Count = 11;
    }

    // include/uapi/linux/route.h
    private const uint RTF_UP = 0x0001;
    private const uint RTF_GATEWAY = 0x0002;
    private const uint RTF_REJECT = 0x0200;

    /// <summary>The Iface of a route without a device.</summary>
    private const string NoDevice = "*";

    /// <summary>The routes that are up, in file order, reject ones marked. A malformed line is an error naming it.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="littleEndianKernel">The byte order of the kernel that wrote it.</param>
    public static IReadOnlyList<Ipv4Route> Parse(string text, bool littleEndianKernel)
    {
        ArgumentNullException.ThrowIfNull(text);
        var routes = new List<Ipv4Route>();
        var lines = text.Split('\n');
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var f = lines[i].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < Fields.Count) throw KdumpConfigException.At(Path, i + 1, $"{f.Length} fields, expected {Fields.Count}");
            var flags = Hex(Path, f[Fields.Flags], "Flags", i);
            if ((flags & RTF_UP) == 0) continue;
            var mask = Address(f[Fields.Mask], "Mask", i, littleEndianKernel);
            var prefix = Ipv4Network.PrefixOf(mask) ?? throw KdumpConfigException.At(Path, i + 1, $"Mask {f[Fields.Mask]} is not a contiguous netmask");
            if (!int.TryParse(f[Fields.Metric], NumberStyles.None, CultureInfo.InvariantCulture, out var metric))
                throw KdumpConfigException.At(Path, i + 1, $"Metric '{f[Fields.Metric]}' is not a number");
            var gateway = (flags & RTF_GATEWAY) != 0 ? Address(f[Fields.Gateway], "Gateway", i, littleEndianKernel) : (uint?)null;
            // fib_route_seq_show: RTF_REJECT for unreachable and prohibit; a blackhole has no flag, only no device.
            var reject = (flags & RTF_REJECT) != 0 || f[Fields.Iface] == NoDevice;
            routes.Add(new Ipv4Route(f[Fields.Iface], new Ipv4Network(Address(f[Fields.Destination], "Destination", i, littleEndianKernel), prefix), gateway, metric, reject));
        }
        return routes;
    }

    /// <summary>A hex field of a /proc table (at most 32 bits; the 0-based line <paramref name="index"/>), or an error naming file, line, field and value.</summary>
    internal static uint Hex(string path, string field, string name, int index) =>
        field.Length is > 0 and <= 8 && uint.TryParse(field, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw KdumpConfigException.At(path, index + 1, $"{name} '{field}' is not a 32-bit hex number");

    private static uint Address(string field, string name, int index, bool littleEndianKernel)
    {
        var raw = Hex(Path, field, name, index);
        // The printed value is the in-memory network-order word read natively.
        return littleEndianKernel ? System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(raw) : raw;
    }
}
