using Kdump.Kernel.Memory;
using Kdump.Memory;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Arch.X64;

/// <summary>
/// x86_64 (arch/x86/kernel/crash_core_64.c, later vmcore_info_64.c): VMCOREINFO exports
/// <c>SYMBOL(init_top_pgt)</c> (<c>init_level4_pgt</c> before Linux 4.13), <c>NUMBER(phys_base)</c>,
/// <c>NUMBER(pgtable_l5_enabled)</c>, <c>KERNELOFFSET</c>, <c>NUMBER(KERNEL_IMAGE_SIZE)</c> and
/// <c>NUMBER(sme_mask)</c>. The root table lives in the kernel image, so its physical address is
/// <c>symbol − __START_KERNEL_map + phys_base</c>; SYMBOL() values already include the KASLR slide.
/// </summary>
public sealed class X64Architecture : IKernelArchitecture
{
    public static X64Architecture Instance { get; } = new();

    private X64Architecture()
    {
    }

    /// <summary>A PT_LOAD's p_paddr when it has none (makedumpfile's NOT_PADDR).</summary>
    private const ulong NotPaddr = ulong.MaxValue;

    public string Name => "x86_64";

    public bool Probe(VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return TryGetRootSymbol(info, out _);
    }

    public IVirtualTranslator CreatePageTableTranslator(VmcoreInfo info, IPhysicalMemory physical, IReadOnlyList<KernelSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!TryGetRootSymbol(info, out var root))
            throw new DumpFeatureNotSupportedException("VMCOREINFO has neither SYMBOL(init_top_pgt) nor SYMBOL(init_level4_pgt): cannot walk x86_64 page tables");
        var physBase = GetPhysBase(info, segments);
        var layout = GetLayout(info);
        var smeMask = info.TryGetNumber("sme_mask", out var sme) ? unchecked((ulong)sme) : 0;
        if (root.Value < X64AddressLayout.StartKernelMap)
            throw DumpErrors.Corrupt(null, "VMCOREINFO SYMBOL(init_top_pgt)", $"0x{root.Value:x}", null,
                "is below __START_KERNEL_map (0xffffffff80000000)");
        var rootPhysical = new PhysAddr(unchecked(root.Value - X64AddressLayout.StartKernelMap + physBase));
        return new X64PageTableWalker(physical, rootPhysical, layout, smeMask);
    }

    /// <summary>5-level paging when <c>NUMBER(pgtable_l5_enabled)</c> is non-zero (Linux 4.14+ exports it).</summary>
    public static X64AddressLayout GetLayout(VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.TryGetNumber("pgtable_l5_enabled", out var l5) && l5 != 0 ? X64AddressLayout.FiveLevel : X64AddressLayout.FourLevel;
    }

    /// <summary>
    /// <c>NUMBER(phys_base)</c>; otherwise derived from the first kernel-text segment with a physical
    /// address (<c>p_paddr − (p_vaddr − __START_KERNEL_map)</c>; a p_paddr of −1 is kexec-tools'
    /// "none"), otherwise 0 — makedumpfile's <c>get_phys_base_x86_64</c> order.
    /// </summary>
    public static ulong GetPhysBase(VmcoreInfo info, IReadOnlyList<KernelSegment> segments) => GetPhysBase(info, segments, out _);

    /// <inheritdoc cref="GetPhysBase(VmcoreInfo, IReadOnlyList{KernelSegment})"/>
    /// <param name="info">VMCOREINFO of the dump.</param>
    /// <param name="segments">The dump's kernel segments.</param>
    /// <param name="source">Which rule gave the value (makedumpfile -D names it).</param>
    public static ulong GetPhysBase(VmcoreInfo info, IReadOnlyList<KernelSegment> segments, out PhysBaseSource source)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(segments);
        if (info.TryGetNumber("phys_base", out var pb))
        {
            source = PhysBaseSource.VmcoreInfo;
            return unchecked((ulong)pb);
        }
        foreach (var s in segments)
        {
            if (s.VirtualStart.Value >= X64AddressLayout.StartKernelMap && s.PhysicalStart.Value != NotPaddr)
            {
                source = PhysBaseSource.PtLoad;
                return unchecked(s.PhysicalStart.Value - (s.VirtualStart.Value - X64AddressLayout.StartKernelMap));
            }
        }
        source = PhysBaseSource.Default;
        return 0;
    }

    private static bool TryGetRootSymbol(VmcoreInfo info, out VirtAddr root) =>
        info.TryGetSymbol("init_top_pgt", out root) || info.TryGetSymbol("init_level4_pgt", out root);
}
