namespace Kdump.Primitives;

/// <summary>
/// Upper bounds checked before any allocation sized by a value read from a dump.
/// Defaults are far above anything a real kernel produces and far below what would hurt
/// a 128 MiB capture kernel.
/// </summary>
public sealed record ParseLimits
{
    public static ParseLimits Default { get; } = new();

    /// <summary>Program headers in an ELF vmcore (one per memory range, plus notes).</summary>
    public int MaxProgramHeaders
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 65_536;

    /// <summary>Bytes of all PT_NOTE segments together (one NT_PRSTATUS per CPU plus VMCOREINFO).</summary>
    public int MaxNoteBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 64 << 20;

    /// <summary>Bytes of the VMCOREINFO text.</summary>
    public int MaxVmcoreInfoBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 1 << 20;

    /// <summary>Bytes of a printk ring or log_buf read as a whole.</summary>
    public int MaxLogBufferBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 1 << 30;

    /// <summary>Records in a printk descriptor ring.</summary>
    public int MaxPrintkRecords
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 1 << 24;

    /// <summary>
    /// Width of a physical address (MAX_PHYSMEM_BITS: 52 on x86_64 with 5-level paging and on arm64
    /// LPA). A PT_LOAD ending above it is corrupt: its pfns would size bitmaps and page walks.
    /// </summary>
    public int MaxPhysicalAddressBits
    {
        get;
        init => field = value is > 0 and < 64 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 52;

    /// <summary>Bytes read into memory at once for a bitmap or table (larger ones are streamed).</summary>
    public int MaxInMemoryTableBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 256 << 20;
}
