namespace Kdump.Formats;

/// <summary>
/// Result of a per-page read on hot paths, where excluded pages are common and exceptions
/// would cost too much (libkdumpfile's <c>kdump_status</c> subset).
/// </summary>
public enum PageReadStatus
{
    /// <summary>The bytes were read.</summary>
    Ok,

    /// <summary>The page is not in the dump (filtered out, or outside every range).</summary>
    NotStored,

    /// <summary>The page is in the dump but its stored form is damaged.</summary>
    Corrupt,
}
