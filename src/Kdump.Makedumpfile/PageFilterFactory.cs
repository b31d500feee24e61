using Kdump.Dump;
using Kdump.Kernel;
using Kdump.Kernel.Pages;

namespace Kdump.Makedumpfile;

/// <summary>The struct page classifier for -d bits 2/4/8/16 (and the always-dropped hwpoison/offline pages).</summary>
internal static class PageFilterFactory
{
    /// <summary>Null when the level needs no struct page (0 or 1): zero pages are found by content while copying.</summary>
    /// <param name="runningKernel">--mem-usage: upstream knows the release before it reads the page values (see MemMapPageFilter.Create).</param>
    public static IPageFilter? Create(DumpInput input, DumpLevel level, Action<string> warning, bool runningKernel = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if ((level & ~DumpLevel.Zero) == 0) return null;
        return MemMapPageFilter.Create(input.Kernel, input.PfnMap, level, warning, input.Dump.Name, buddyFromRelease: runningKernel);
    }
}
