namespace Kdump.Initramfs.Cpio;

/// <summary>
/// Bounds checked before anything sized by an initramfs header is allocated or walked. The
/// defaults are far above what dracut or our mkdumprd write (tens of thousands of entries, tens
/// of MiB) and far below what would hurt kdumpctl.
/// </summary>
public sealed record CpioReadLimits
{
    public static CpioReadLimits Default { get; } = new();

    /// <summary>Entries over all archives of one image.</summary>
    public int MaxEntries
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 1 << 20;

    /// <summary>c_namesize, NUL included (PATH_MAX).</summary>
    public int MaxNameBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 4096;

    /// <summary>Bytes of one file that is read into memory (the others are skipped).</summary>
    public int MaxExtractedFileBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 16 << 20;

    /// <summary>Bytes walked after decompression, archives and the zero padding around them (a decompression bomb stops here).</summary>
    public long MaxArchiveBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 4L << 30;

    /// <summary>Concatenated archives (early cpio, main cpio, …).</summary>
    public int MaxArchives
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 64;
}
