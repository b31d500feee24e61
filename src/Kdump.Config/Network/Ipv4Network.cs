using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Kdump.Config.Network;

/// <summary>
/// An IPv4 address with a prefix length (<c>10.0.2.15/24</c>). Addresses are handled as their
/// numeric value (<c>10.0.2.15</c> = 0x0A00020F) so that masks and comparisons are plain arithmetic.
/// </summary>
public readonly record struct Ipv4Network(uint Address, int PrefixLength)
{
    public uint Mask => MaskOf(PrefixLength);

    public bool Contains(uint address) => (address & Mask) == (Address & Mask);

    public IPAddress IPAddress => ToIPAddress(Address);

    public override string ToString() => $"{Format(Address)}/{PrefixLength}";

    /// <summary>The netmask of a prefix length 0..32.</summary>
    public static uint MaskOf(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        return prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
    }

    /// <summary>The prefix length of a contiguous netmask, or null (<c>255.0.255.0</c> is none).</summary>
    public static int? PrefixOf(uint mask)
    {
        var length = System.Numerics.BitOperations.LeadingZeroCount(~mask);
        return MaskOf(length) == mask ? length : null;
    }

    /// <summary><c>a.b.c.d/n</c> (n 0..32); null when malformed.</summary>
    public static Ipv4Network? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return null;
        if (TryParseAddress(text[..slash]) is not { } address) return null;
        if (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix > 32) return null;
        return new Ipv4Network(address, prefix);
    }

    /// <summary>A dotted-quad IPv4 address (exactly four decimal parts, as <c>inet_pton</c> takes it), or null.</summary>
    public static uint? TryParseAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('.');
        if (parts.Length != 4) return null;
        uint value = 0;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)) return null;
            var b = uint.Parse(p, System.Globalization.CultureInfo.InvariantCulture);
            if (b > 255) return null;
            value = (value << 8) | b;
        }
        return value;
    }

    public static string Format(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}";

    public static IPAddress ToIPAddress(uint address)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, address);
        return new IPAddress(b);
    }

    public static uint FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }
}
