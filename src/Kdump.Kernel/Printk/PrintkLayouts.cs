using Kdump.Kernel.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Printk;

/// <summary>
/// The log layouts in the order every tool probes them (makedumpfile <c>dump_dmesg</c>, kexec-tools
/// <c>dump_dmesg</c>, drgn): <c>SYMBOL(prb)</c>, then <c>SYMBOL(log_first_idx)</c>, then plain <c>log_buf</c>.
/// </summary>
public static class PrintkLayouts
{
    public static IReadOnlyList<IPrintkLayout> All { get; } = [new LocklessRingBuffer(), new VariableLengthLog(), new LegacyLogBuffer()];

    /// <exception cref="DumpFeatureNotSupportedException">No layout's symbols are in VMCOREINFO.</exception>
    public static IPrintkLayout Detect(VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return All.FirstOrDefault(l => l.Probe(info)) ?? throw new DumpFeatureNotSupportedException(
            info.IsEmpty
                ? "the dump has no VMCOREINFO: cannot locate the kernel log"
                : "VMCOREINFO has none of SYMBOL(prb), SYMBOL(log_first_idx) or SYMBOL(log_buf): cannot locate the kernel log");
    }

    public static PrintkLog Read(VmcoreInfo info, KernelMemory memory, ParseLimits? limits = null) =>
        Detect(info).Read(info, memory, limits ?? ParseLimits.Default);

    /// <summary>The records since the last clear where the layout records it (<see cref="IPrintkLayout.ReadSinceClear"/>).</summary>
    public static PrintkLog ReadSinceClear(VmcoreInfo info, KernelMemory memory, ParseLimits? limits = null) =>
        Detect(info).ReadSinceClear(info, memory, limits ?? ParseLimits.Default);
}
