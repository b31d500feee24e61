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
}
