using Kdump.Kernel.Memory;
using Kdump.Memory;

namespace Kdump.Kernel.Arch;

/// <summary>
/// One architecture's kernel address-space knowledge. The probe decides from VMCOREINFO keys only
/// (the arch code exports its own page-table root), so it works for every dump format.
/// </summary>
public interface IKernelArchitecture
{
    /// <summary>Name as the kernel's <c>uname -m</c> says it.</summary>
    string Name { get; }

    /// <summary>True when the VMCOREINFO entries are this architecture's.</summary>
    bool Probe(VmcoreInfo info);

    /// <summary>A page-table walker from the kernel's top-level table (what makedumpfile's readmem(VADDR) does).</summary>
    IVirtualTranslator CreatePageTableTranslator(VmcoreInfo info, IPhysicalMemory physical, IReadOnlyList<KernelSegment> segments);
}
