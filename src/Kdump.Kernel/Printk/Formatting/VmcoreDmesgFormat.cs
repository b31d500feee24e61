using System.Buffers;

namespace Kdump.Kernel.Printk.Formatting;

/// <summary>
/// kexec-tools' vmcore-dmesg output (<c>util_lib/elf_info.c:dump_record</c>,
/// <c>dump_dmesg_structured</c>, <c>dump_dmesg_legacy</c>): one line per record,
/// <c>"[%5llu.%06llu] "</c> + text with every byte that is neither printable nor space written as
/// <c>\x%02x</c>, then '\n'; embedded newlines are copied as they are; data-less records and
/// printk_log wrap markers print their bare timestamp line; no caller column. The legacy buffer is
/// copied raw.
/// </summary>
public static class VmcoreDmesgFormat
{
    /// <summary>
    /// Writes <paramref name="log"/> to <paramref name="destination"/> record by record; if the
    /// record stream throws (a corrupt chain), everything before it has been written.
    /// </summary>
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
            AppendRecord(line, record);
            DmesgText.Flush(line, destination);
        }
    }

    /// <summary>The bytes of one record's line.</summary>
    public static void AppendRecord(ArrayBufferWriter<byte> output, PrintkRecord record)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(record);
        DmesgText.AppendTimestamp(output, record.TimestampNs);
        foreach (var b in record.Text.Span)
        {
            if (DmesgText.IsPrintOrSpace(b)) DmesgText.Append(output, b);
            else DmesgText.AppendEscaped(output, b);
        }
        DmesgText.Append(output, (byte)'\n');
    }
}
