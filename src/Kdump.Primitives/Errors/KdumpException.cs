namespace Kdump.Primitives.Errors;

/// <summary>
/// Root of the small error taxonomy (after libkdumpfile's <c>kdump_status</c>). Messages name
/// the file, the field, the value and the file offset where they are known.
/// </summary>
public abstract class KdumpException : Exception
{
    protected KdumpException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The dump or config file the error is about, if any.</summary>
    public string? FilePath { get; init; }

    /// <summary>File offset of the offending bytes, if known.</summary>
    public long? Offset { get; init; }
}

/// <summary>The data contradicts its own format (CORRUPT).</summary>
public sealed class DumpCorruptException(string message, Exception? inner = null) : KdumpException(message, inner);

/// <summary>The file ends before a structure it declares (EOF).</summary>
public sealed class UnexpectedEndOfDumpException(string message, Exception? inner = null) : KdumpException(message, inner);

/// <summary>The data is valid but uses something this build does not implement (NOTIMPL).</summary>
public sealed class DumpFeatureNotSupportedException(string message, Exception? inner = null) : KdumpException(message, inner);

/// <summary>An address whose page is not in the dump (NODATA): excluded, or never present.</summary>
public sealed class PageNotStoredException(string message, Exception? inner = null) : KdumpException(message, inner)
{
    public ulong Address { get; init; }
}

/// <summary>The file is a dump of another format than the one required; the message says which.</summary>
public sealed class DumpFormatMismatchException(string message, Exception? inner = null) : KdumpException(message, inner)
{
    /// <summary>Short name of the format actually found, e.g. "flattened".</summary>
    public string? DetectedFormat { get; init; }
}
