using Kdump.Kernel.Arch;
using Kdump.Kernel.Memory;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Kernel;

/// <summary>A dump seen as the kernel saw itself: its VMCOREINFO and its kernel-virtual memory.</summary>
public sealed class KernelView
{
    private KernelView(VmcoreInfo info, KernelMemory memory, IKernelArchitecture? architecture)
    {
        VmcoreInfo = info;
        Memory = memory;
        Architecture = architecture;
    }

    public VmcoreInfo VmcoreInfo { get; }

    public KernelMemory Memory { get; }

    /// <summary>The architecture detected from VMCOREINFO, or null when none matched.</summary>
    public IKernelArchitecture? Architecture { get; }

    /// <exception cref="DumpFeatureNotSupportedException">Page tables are needed and the architecture is unknown.</exception>
    public static KernelView Open(IDump dump, TranslationStrategy strategy, ParseLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var info = VmcoreInfo.Parse(dump.VmcoreInfo.Span, limits, dump.Name);
        var architecture = KernelArchitectures.Detect(info);
        var translator = strategy switch
        {
            TranslationStrategy.Segments => SegmentTranslator.FromVmcoreInfo(dump.KernelSegments, info),
            TranslationStrategy.SegmentsElsePageTables when HasVirtualRanges(dump) => SegmentTranslator.FromVmcoreInfo(dump.KernelSegments, info),
            _ => PageTables(dump, info, architecture),
        };
        return new KernelView(info, new KernelMemory(dump.Physical, translator, dump.Layout, dump.Name), architecture);
    }

    /// <summary>
    /// True when some segment carries a real kernel virtual address. QEMU's paging=false ELF has
    /// PT_LOADs with <c>p_vaddr</c> 0 or equal to <c>p_paddr</c> (the BIOS ROM), which map nothing
    /// the kernel uses; /proc/vmcore's kernel-text and direct-map ranges never have vaddr == paddr.
    /// </summary>
    public static bool HasVirtualRanges(IDump dump)
    {
        ArgumentNullException.ThrowIfNull(dump);
        return dump.KernelSegments.Any(s => s.VirtualStart.Value != 0 && s.VirtualStart.Value != s.PhysicalStart.Value);
    }

    private static IVirtualTranslator PageTables(IDump dump, VmcoreInfo info, IKernelArchitecture? architecture)
    {
        if (architecture is null)
        {
            throw new DumpFeatureNotSupportedException(info.IsEmpty
                ? $"'{dump.Name}' has no VMCOREINFO: cannot translate kernel virtual addresses"
                : $"'{dump.Name}': VMCOREINFO names no supported architecture's page-table root (supported: {string.Join(", ", KernelArchitectures.All.Select(a => a.Name))})")
            { FilePath = dump.Name };
        }
        return architecture.CreatePageTableTranslator(info, dump.Physical, dump.KernelSegments);
    }
}
