using System.Globalization;
using System.Text;

namespace Kdump.Config.Crashkernel;

/// <summary>
/// <c>kdumpctl estimate</c> as a pure computation and its exact stdout
/// (<c>estimated = kernel + modules + 3 × initrd + 16M runtime + LUKS</c>; recommended = max with the baseline).
/// </summary>
public sealed record CrashkernelEstimate(
    ulong ReservedBytes,
    ulong RecommendedBytes,
    ulong KernelImageBytes,
    ulong ModulesBytes,
    ulong InitrdBytes,
    ulong RuntimeBytes,
    ulong LuksBytes,
    IReadOnlyList<(string Name, ulong Size)> LargeModules)
{
    public const ulong Runtime = 16 * MemorySize.MiB;

    public static CrashkernelEstimate Compute(EstimateInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var baseline = ParseBaselineMiB(inputs.Baseline);
        var wanted = new HashSet<string>(inputs.InitrdModules.Select(m => m.Trim()).Where(m => m.Length > 0), StringComparer.Ordinal);
        ulong modules = 0;
        var large = new List<(string, ulong)>();
        var lineNumber = 0;
        foreach (var line in TextLines.Split(inputs.ProcModules))
        {
            lineNumber++;
            var f = Shell.ShellChars.SplitWords(line);
            if (f.Length < 2 || !wanted.Contains(f[0])) continue;
            if (!ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                throw KdumpConfigException.At("/proc/modules", lineNumber, $"module size '{f[1]}' is not a number");
            modules = checked(modules + size);
            // Upstream's comment says 2M; the test is >= 1 MiB.
            if (size / MemorySize.MiB >= 1) large.Add((f[0], size));
        }

        ulong luks = 0;
        foreach (var kib in inputs.LuksKeyslotMemoryKiB) luks = checked(luks + kib * 1024);
        if (luks != 0) luks = checked(luks + (inputs.Arch == "aarch64" ? 50UL : 20UL) * MemorySize.MiB);

        var estimated = checked(inputs.KernelImageBytes + modules + inputs.InitrdBytes * 3 + Runtime + luks);
        var baselineBytes = checked(baseline * MemorySize.MiB);
        var recommended = baselineBytes > estimated ? baselineBytes : estimated;
        return new CrashkernelEstimate(inputs.ReservedBytes, recommended, inputs.KernelImageBytes, modules,
            inputs.InitrdBytes, Runtime, luks, large);
    }

    /// <summary>Baseline string → MiB (<c>M</c>, <c>G</c>×1024, <c>T</c>×1048576), like do_estimate.</summary>
    public static ulong ParseBaselineMiB(string baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (baseline.Length < 2) throw new KdumpConfigException($"invalid baseline size '{baseline}'");
        var factor = baseline[^1] switch { 'M' => 1UL, 'G' => 1024UL, 'T' => 1048576UL, _ => 0UL };
        if (factor == 0 || !ulong.TryParse(baseline.AsSpan(0, baseline.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new KdumpConfigException($"invalid baseline size '{baseline}'");
        return checked(n * factor);
    }

    /// <summary>The stdout of <c>kdumpctl estimate</c>, '\n'-terminated lines.</summary>
    public string Format()
    {
        static ulong M(ulong b) => b / MemorySize.MiB;
        var sb = new StringBuilder();
        if (LuksBytes != 0)
            sb.Append("Encrypted kdump target requires extra memory, assuming using the keyslot with maximum memory requirement\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Reserved crashkernel:    {M(ReservedBytes)}M\n");
        sb.Append(CultureInfo.InvariantCulture, $"Recommended crashkernel: {M(RecommendedBytes)}M\n");
        sb.Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"Kernel image size:   {M(KernelImageBytes)}M\n");
        sb.Append(CultureInfo.InvariantCulture, $"Kernel modules size: {M(ModulesBytes)}M\n");
        sb.Append(CultureInfo.InvariantCulture, $"Initramfs size:      {M(InitrdBytes)}M\n");
        sb.Append(CultureInfo.InvariantCulture, $"Runtime reservation: {M(RuntimeBytes)}M\n");
        if (LuksBytes != 0) sb.Append(CultureInfo.InvariantCulture, $"LUKS required size:  {M(LuksBytes)}M\n");
        sb.Append("Large modules:");
        if (LargeModules.Count == 0)
        {
            sb.Append(" <none>\n");
        }
        else
        {
            sb.Append('\n');
            foreach (var (name, size) in LargeModules) sb.Append(CultureInfo.InvariantCulture, $"    {name}: {size}\n");
        }
        if (ReservedBytes < RecommendedBytes)
            sb.Append(CultureInfo.InvariantCulture, $"WARNING: Current crashkernel size is lower than recommended size {M(RecommendedBytes)}M.\n");
        return sb.ToString();
    }
}
