using System.Buffers;
using System.Globalization;
using System.Text;

namespace Kdump.Kernel.Printk.Formatting;

/// <summary>Byte-level pieces shared by the dmesg formats (C locale <c>isprint</c>/<c>isspace</c>, timestamps).</summary>
internal static class DmesgText
{
    /// <summary><c>"[%5llu.%06llu] "</c> of seconds and truncated microseconds.</summary>
    public static void AppendTimestamp(ArrayBufferWriter<byte> output, ulong timestampNs)
    {
        var seconds = timestampNs / 1_000_000_000;
        var micros = timestampNs % 1_000_000_000 / 1000;
        Append(output, string.Create(CultureInfo.InvariantCulture, $"[{seconds,5}.{micros:D6}] "));
    }

    /// <summary>C-locale <c>isprint(c) || isspace(c)</c>: 0x20–0x7e and \t \n \v \f \r.</summary>
    public static bool IsPrintOrSpace(byte b) => b is >= 0x20 and <= 0x7e or >= 0x09 and <= 0x0d;

    /// <summary><c>\x%02x</c> of the unsigned byte.</summary>
    public static void AppendEscaped(ArrayBufferWriter<byte> output, byte b)
    {
        const string Hex = "0123456789abcdef";
        var s = output.GetSpan(4);
        s[0] = (byte)'\\';
        s[1] = (byte)'x';
        s[2] = (byte)Hex[b >> 4];
        s[3] = (byte)Hex[b & 0xf];
        output.Advance(4);
    }

    public static void Append(ArrayBufferWriter<byte> output, string ascii)
    {
        var n = Encoding.ASCII.GetBytes(ascii, output.GetSpan(ascii.Length));
        output.Advance(n);
    }

    public static void Append(ArrayBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    public static void Flush(ArrayBufferWriter<byte> output, Stream destination)
    {
        destination.Write(output.WrittenSpan);
        output.ResetWrittenCount();
    }
}
