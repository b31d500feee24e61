using Kdump.Linux;

namespace Kdump.Config.Crashkernel;

/// <summary>
/// <c>/proc/iomem</c> as kdump-utils reads it: System RAM total (<c>get_system_size</c>),
/// "Crash kernel" ranges, and the kernel image ranges (<c>get_kernel_size</c> fallback).
/// </summary>
public sealed class ProcIomem
{
    private ProcIomem(IReadOnlyList<IomemResource> resources) => Resources = resources;

    public IReadOnlyList<IomemResource> Resources { get; }

    /// <summary>Parses the file text; malformed lines are errors naming the line.</summary>
    public static ProcIomem Parse(string text, string fileName = "/proc/iomem")
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<IomemResource>();
        var lineNumber = 0;
        foreach (var line in TextLines.Split(text))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            if (!IomemLines.TryParse(line, out var resource))
                throw KdumpConfigException.At(fileName, lineNumber, $"cannot parse '{Shorten(line)}' as 'start-end : name'");
            list.Add(resource);
        }
        return new ProcIomem(list);
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";

    /// <summary>Σ of every "System RAM" range (any depth, like upstream's sed), in bytes.</summary>
    public ulong SystemRamBytes => Sum("System RAM");

    /// <summary>"Crash kernel" ranges (the main reservation and, on x86_64, the low one).</summary>
    public IReadOnlyList<IomemResource> CrashKernelRanges => [.. Resources.Where(r => r.Name == IomemLines.CrashKernel)];

    /// <summary>Σ of "Crash kernel" ranges, in bytes.</summary>
    public ulong CrashKernelBytes => Sum(IomemLines.CrashKernel);

    /// <summary><c>get_kernel_size</c> fallback: Σ of Kernel code, rodata, data and bss.</summary>
    public ulong KernelImageBytes => Sum("Kernel code") + Sum("Kernel rodata") + Sum("Kernel data") + Sum("Kernel bss");

    /// <summary>End of the last line (<c>need_64bit_headers</c>).</summary>
    public ulong LastEnd => Resources.Count == 0 ? 0 : Resources[^1].End;

    private ulong Sum(string name)
    {
        ulong total = 0;
        foreach (var r in Resources)
        {
            if (r.Name == name) total = checked(total + r.Length);
        }
        return total;
    }

    /// <summary>
    /// kdump-lib.sh <c>get_system_size</c>: System RAM in MiB, rounded up to 128 MiB (as
    /// <c>parse_crashkernel_mem</c> does), then integer GiB.
    /// </summary>
    public ulong SystemSizeGiB => SystemSizeGiBFromBytes(SystemRamBytes);

    public static ulong SystemSizeGiBFromBytes(ulong bytes)
    {
        var mb = bytes / MemorySize.MiB;
        return (mb + 127) / 128 * 128 / 1024;
    }
}
