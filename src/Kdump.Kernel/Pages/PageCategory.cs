namespace Kdump.Kernel.Pages;

/// <summary>
/// Why a page is left out of a dump, in the categories of makedumpfile's final report
/// ("Excluded pages : …"). <see cref="Dumpable"/> pages are kept (subject to the zero check).
/// </summary>
public enum PageCategory : byte
{
    Dumpable = 0,
    Zero,
    NonPrivateCache,
    PrivateCache,
    User,
    Free,
    HwPoison,
    Offline,
}
