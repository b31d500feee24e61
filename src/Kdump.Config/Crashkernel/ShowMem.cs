using System.Globalization;

namespace Kdump.Config.Crashkernel;

/// <summary><c>kdumpctl showmem</c>: the reserved size from <c>/sys/kernel/kexec_crash_size</c>.</summary>
public static class ShowMem
{
    /// <summary>Parses the decimal byte count of <c>kexec_crash_size</c> (or fadump's <c>mem_reserved</c>).</summary>
    public static ulong ParseCrashSize(string text, string fileName = "/sys/kernel/kexec_crash_size")
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (!ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            throw KdumpConfigException.At(fileName, 1, $"expected a byte count, found '{(t.Length > 40 ? t[..40] + "…" : t)}'");
        return bytes;
    }

    /// <summary>The dinfo line: <c>Reserved &lt;N&gt;MB memory for crash kernel</c> (integer MiB).</summary>
    public static string Message(ulong reservedBytes) =>
        Messages.KdumpctlText.ReservedMemory(reservedBytes / MemorySize.MiB);
}
