namespace Kdump.Kernel.Printk;

/// <summary>
/// The kernel log found in a dump. Structured layouts give <see cref="Records"/>, produced lazily:
/// a corruption found mid-way surfaces as <see cref="PrintkCorruptException"/> from the enumerator
/// after the good records, so callers can write those first as upstream does. The legacy layout
/// gives <see cref="RawText"/> (already rotated oldest-first) and no records.
/// </summary>
public sealed class PrintkLog(PrintkLayoutKind layout, IEnumerable<PrintkRecord> records, ReadOnlyMemory<byte> rawText, bool hasCallerIds)
{
    public PrintkLayoutKind Layout { get; } = layout;

    public IEnumerable<PrintkRecord> Records { get; } = records;

    public ReadOnlyMemory<byte> RawText { get; } = rawText;

    /// <summary>True when the kernel exports <c>caller_id</c> (makedumpfile then prints the caller column).</summary>
    public bool HasCallerIds { get; } = hasCallerIds;
}
