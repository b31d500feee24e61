using System.Buffers;

namespace Kdump.Kernel.Printk.Formatting;

/// <summary>
/// makedumpfile 1.7.5+ <c>--dump-dmesg</c> output (<c>printk.c:dump_record</c>,
/// <c>makedumpfile.c:dump_log_entry</c>): <c>"[%5lld.%06ld] "</c>, then — when the kernel exports
/// <c>caller_id</c> — <c>"[%8s] "</c> of <c>T&lt;pid&gt;</c>/<c>C&lt;cpu&gt;</c> (makedumpfile commit
/// 48bb1e0, first in 1.7.5); an embedded '\n' is followed by spaces as wide as that prefix;
/// data-less records and wrap markers are skipped; the legacy buffer is copied raw.
/// <para>
/// One deliberate difference: upstream escapes a non-printable byte through a signed <c>char</c>,
/// so bytes 0x80–0xff print as <c>\xffffffc3</c>; we print <c>\xc3</c> (docs/compat/makedumpfile.md).
/// </para>
/// </summary>
public static class MakedumpfileDmesgFormat
{
    /// <summary>makedumpfile's <c>PID_CHARS_DEFAULT</c>.</summary>
    public const int CallerColumnWidth = 8;

    public static void Write(PrintkLog log, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(destination);
        if (log.Layout == PrintkLayoutKind.Legacy)
        {
            destination.Write(log.RawText.Span);
            return;
        }
        var line = new ArrayBufferWriter<byte>(4096);
        foreach (var record in log.Records)
        {
            if (record.Kind != PrintkRecordKind.Message) continue;
            AppendRecord(line, record, log.HasCallerIds);
            DmesgText.Flush(line, destination);
        }
    }

    public static void AppendRecord(ArrayBufferWriter<byte> output, PrintkRecord record, bool withCaller)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(record);
        var start = output.WrittenCount;
        DmesgText.AppendTimestamp(output, record.TimestampNs);
        if (withCaller)
            DmesgText.Append(output, $"[{(record.CallerText ?? "T0").PadLeft(CallerColumnWidth)}] ");
        var indent = output.WrittenCount - start;
        foreach (var b in record.Text.Span)
        {
            if (b == (byte)'\n')
            {
                DmesgText.Append(output, (byte)'\n');
                output.GetSpan(indent)[..indent].Fill((byte)' ');
                output.Advance(indent);
            }
            else if (DmesgText.IsPrintOrSpace(b))
            {
                DmesgText.Append(output, b);
            }
            else
            {
                DmesgText.AppendEscaped(output, b);
            }
        }
        DmesgText.Append(output, (byte)'\n');
    }
}
