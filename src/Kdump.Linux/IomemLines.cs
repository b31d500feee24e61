using System.Globalization;

namespace Kdump.Linux;

/// <summary>One <c>/proc/iomem</c> line: <c>  start-end : name</c>; <see cref="Depth"/> = indentation / 2.</summary>
public sealed record IomemResource(ulong Start, ulong End, string Name, int Depth)
{
    /// <summary>Inclusive range length (<c>end - start + 1</c>).</summary>
    public ulong Length => End - Start + 1;
}

/// <summary>
/// <c>/proc/iomem</c> lines, the one parser for every tool: kdump-utils' view of the file
/// (Kdump.Config's ProcIomem, strict) and the kexec-tools and makedumpfile readers that skip what
/// their sscanf does not match (<see cref="ReadLenient"/>).
/// </summary>
public static class IomemLines
{
    public const string CrashKernel = "Crash kernel";

    /// <summary>
    /// <c>"  start-end : name"</c> with hexadecimal bounds, <c>end ≥ start</c>; trailing blanks of
    /// the name dropped. False for anything else (a blank line included).
    /// </summary>
    public static bool TryParse(string line, out IomemResource resource)
    {
        ArgumentNullException.ThrowIfNull(line);
        resource = new IomemResource(0, 0, "", 0);
        var indent = 0;
        while (indent < line.Length && line[indent] == ' ') indent++;
        var sep = line.IndexOf(" : ", indent, StringComparison.Ordinal);
        var dash = line.IndexOf('-', indent);
        if (sep < 0 || dash < 0 || dash > sep
            || !ulong.TryParse(line.AsSpan(indent, dash - indent), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            || !ulong.TryParse(line.AsSpan(dash + 1, sep - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            return false;
        }
        resource = new IomemResource(start, end, line[(sep + 3)..].TrimEnd(), indent / 2);
        return true;
    }

    /// <summary>The lines that parse, in file order; the others are skipped.</summary>
    public static IEnumerable<IomemResource> ReadLenient(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            if (TryParse(line, out var r)) yield return r;
        }
    }
}
