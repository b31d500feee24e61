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
            TranslationStrategy.SegmentsElsePageTables when dump.KernelSegments.Count > 0 => SegmentTranslator.FromVmcoreInfo(dump.KernelSegments, info),
            _ => PageTables(dump, info, architecture),
        };
        return new KernelView(info, new KernelMemory(dump.Physical, translator, dump.Layout, dump.Name), architecture);
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
