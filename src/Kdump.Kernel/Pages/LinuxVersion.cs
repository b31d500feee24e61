using System.Globalization;

namespace Kdump.Kernel.Pages;

/// <summary>
/// The kernel release as makedumpfile compares it (<c>KERNEL_VERSION(a, b, c)</c> from
/// <c>OSRELEASE</c>): only a few struct-page widths depend on it, everything else is detected
/// from VMCOREINFO keys.
/// </summary>
internal readonly record struct LinuxVersion(int Major, int Minor, int Patch) : IComparable<LinuxVersion>
{
    /// <summary>Assumed when OSRELEASE is missing or unparsable: the newest layout.</summary>
    public static LinuxVersion Latest { get; } = new(int.MaxValue, 0, 0);

    public static LinuxVersion Parse(string? osRelease)
    {
        if (string.IsNullOrEmpty(osRelease)) return Latest;
        Span<int> parts = stackalloc int[3];
        var part = 0;
        var i = 0;
        while (part < 3)
        {
            var start = i;
            while (i < osRelease.Length && char.IsAsciiDigit(osRelease[i])) i++;
            if (i == start || !int.TryParse(osRelease.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out parts[part]))
                break;
            part++;
            if (i >= osRelease.Length || osRelease[i] != '.') break;
            i++;
        }
        return part < 2 ? Latest : new LinuxVersion(parts[0], parts[1], part > 2 ? parts[2] : 0);
    }

    public int CompareTo(LinuxVersion other)
    {
        var c = Major.CompareTo(other.Major);
        if (c != 0) return c;
        c = Minor.CompareTo(other.Minor);
        return c != 0 ? c : Patch.CompareTo(other.Patch);
    }

    public static bool operator <(LinuxVersion left, LinuxVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(LinuxVersion left, LinuxVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(LinuxVersion left, LinuxVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(LinuxVersion left, LinuxVersion right) => left.CompareTo(right) >= 0;
}
