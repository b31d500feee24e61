using Kdump.Primitives.Units;

namespace Kdump.Memory;

/// <summary>
/// A kernel-virtual range that the dump itself maps to physical memory, as an ELF PT_LOAD with
/// <c>p_vaddr</c> does in /proc/vmcore. kexec-tools' vmcore-dmesg translates only through these.
/// </summary>
public readonly record struct KernelSegment(VirtAddr VirtualStart, PhysAddr PhysicalStart, ulong SizeBytes)
{
    public bool Contains(VirtAddr address) =>
        address.Value >= VirtualStart.Value && address.Value - VirtualStart.Value < SizeBytes;
}
