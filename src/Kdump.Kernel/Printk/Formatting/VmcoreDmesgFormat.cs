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
    /// kexec-tools' cap on the output (its LOG_BUF_LEN_MAX, 2 GiB, since the vmcore-dmesg.txt of a
    /// damaged log once filled a dump target): a write that would pass it is not made.
    /// </summary>
    public const long MaxOutputBytes = 1L << 31;

    /// <summary>
    /// Writes <paramref name="log"/> to <paramref name="destination"/> record by record; if the
    /// record stream throws (a corrupt chain), everything before it has been written. A record
    /// whose line would take the output past <paramref name="maxBytes"/> is not written:
    /// <see cref="DmesgOutputTooLargeException"/>.
    /// </summary>
    public static void Write(PrintkLog log, Stream destination, long maxBytes = MaxOutputBytes)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (log.Layout == PrintkLayoutKind.Legacy)
        {
            if (log.RawText.Length > maxBytes) throw new DmesgOutputTooLargeException(maxBytes);
            destination.Write(log.RawText.Span);
            return;
        }
        var line = new ArrayBufferWriter<byte>(4096);
        long written = 0;
        foreach (var record in log.Records)
        {
            AppendRecord(line, record);
            written += line.WrittenCount;
            if (written > maxBytes) throw new DmesgOutputTooLargeException(maxBytes);
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

/// <summary>The log's text would pass <see cref="VmcoreDmesgFormat.MaxOutputBytes"/> (or a smaller cap); what came before it is written.</summary>
public sealed class DmesgOutputTooLargeException(long limit) : IOException(
    limit == VmcoreDmesgFormat.MaxOutputBytes
        ? "The vmcore-dmesg.txt over 2G in size is not supported."
        : $"The vmcore-dmesg.txt over {limit} bytes is not supported.");
