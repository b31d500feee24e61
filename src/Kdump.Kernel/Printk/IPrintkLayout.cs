using Kdump.Kernel.Memory;
using Kdump.Primitives;

namespace Kdump.Kernel.Printk;

/// <summary>One generation of the kernel log buffer; probed by VMCOREINFO keys, never by version string.</summary>
public interface IPrintkLayout
{
    PrintkLayoutKind Kind { get; }

    bool Probe(VmcoreInfo info);

    /// <summary>Reads the buffer (bounded by <paramref name="limits"/>) and returns its records lazily.</summary>
    PrintkLog Read(VmcoreInfo info, KernelMemory memory, ParseLimits limits);

    /// <summary>
    /// makedumpfile --partial-dmesg: the records since the log was last cleared, where the layout
    /// keeps that point in VMCOREINFO; the others read the whole log, as upstream does.
    /// </summary>
    PrintkLog ReadSinceClear(VmcoreInfo info, KernelMemory memory, ParseLimits limits) => Read(info, memory, limits);
}
