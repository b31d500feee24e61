using Kdump.Dump;
using Kdump.Kernel.Pages;

namespace Kdump.Tools.Makedumpfile;

/// <summary>
/// The struct page classifier for -d bits 2/4/8/16. The classifier (Kdump.Kernel.Pages) is being
/// written separately; until it is there this returns null and the command refuses those levels.
/// </summary>
internal static class PageFilterFactory
{
    public static IPageFilter? Create(DumpInput input, DumpLevel level)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = level;
        return null;
    }
}
