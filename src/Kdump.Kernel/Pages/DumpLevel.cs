namespace Kdump.Kernel.Pages;

/// <summary>makedumpfile's <c>-d</c> bits: what to leave out of a dump (0–31).</summary>
[Flags]
public enum DumpLevel
{
    /// <summary>Keep every page.</summary>
    None = 0,

    /// <summary>Pages whose content is all zero (found while copying, by content).</summary>
    Zero = 1,

    /// <summary>Page-cache pages without PG_private.</summary>
    CacheWithoutPrivate = 2,

    /// <summary>All page-cache pages.</summary>
    CacheWithPrivate = 4,

    /// <summary>Anonymous user pages and hugetlbfs pages.</summary>
    User = 8,

    /// <summary>Free pages (buddy allocator, unaccepted memory).</summary>
    Free = 16,

    All = Zero | CacheWithoutPrivate | CacheWithPrivate | User | Free,
}
