using System.Text.RegularExpressions;

namespace Kdump.Config.Crashkernel;

/// <summary>Outcome of parsing a number the way the kernel's <c>memparse</c> does.</summary>
public enum MemParseStatus
{
    Ok,
    /// <summary>No digits at the start (<c>cur == tmp</c> in the kernel).</summary>
    NoDigits,
    /// <summary>Does not fit 64 bits. The kernel silently wraps; we refuse.</summary>
    Overflow,
}

/// <summary>
/// Memory sizes in the two dialects that matter: the kernel's <c>memparse</c> (base-0
/// <c>simple_strtoull</c> + K/M/G/T/P/E suffix) and kdump-utils' <c>to_bytes</c> /
/// <c>memsize_add</c> (decimal + unit letter, re-expressed in the largest exact unit).
/// </summary>
public static partial class MemorySize
{
    public const ulong KiB = 1UL << 10;
    public const ulong MiB = 1UL << 20;
    public const ulong GiB = 1UL << 30;
    public const ulong TiB = 1UL << 40;

    private static readonly string[] s_units = ["", "K", "M", "G", "T", "P", "E"];

    /// <summary>
    /// Kernel <c>memparse</c> at the start of <paramref name="text"/>: <c>0x</c> hex, a leading
    /// <c>0</c> octal, otherwise decimal, then an optional K/M/G/T/P/E suffix (either case).
    /// <paramref name="consumed"/> is how many characters were used.
    /// </summary>
    public static MemParseStatus MemParse(ReadOnlySpan<char> text, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        var i = 0;
        var radix = 10u;
        if (text.Length >= 2 && text[0] == '0' && (text[1] is 'x' or 'X') && text.Length > 2 && IsDigit(text[2], 16))
        {
            radix = 16;
            i = 2;
        }
        else if (text.Length >= 1 && text[0] == '0')
        {
            radix = 8;
        }
        var start = i;
        var overflow = false;
        while (i < text.Length && IsDigit(text[i], radix))
        {
            var d = (ulong)DigitValue(text[i]);
            if (value > (ulong.MaxValue - d) / radix) overflow = true;
            else value = value * radix + d;
            i++;
        }
        if (i == start)
        {
            value = 0;
            return MemParseStatus.NoDigits;
        }
        var shift = i < text.Length ? SuffixShift(text[i]) : 0;
        if (shift > 0)
        {
            i++;
            if (value > ulong.MaxValue >> shift) overflow = true;
            else value <<= shift;
        }
        consumed = i;
        if (overflow)
        {
            value = 0;
            return MemParseStatus.Overflow;
        }
        return MemParseStatus.Ok;
    }

    private static int SuffixShift(char c) => c switch
    {
        'K' or 'k' => 10,
        'M' or 'm' => 20,
        'G' or 'g' => 30,
        'T' or 't' => 40,
        'P' or 'p' => 50,
        'E' or 'e' => 60,
        _ => 0,
    };

    private static bool IsDigit(char c, uint radix) => c switch
    {
        >= '0' and <= '7' => true,
        '8' or '9' => radix >= 10,
        >= 'a' and <= 'f' or >= 'A' and <= 'F' => radix == 16,
        _ => false,
    };

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };

    // kdump-lib.sh is_memsize: ^[+-]?[0-9]+[KkMmGgTtPbEe]?$ — the "Pb" is upstream's typo for
    // "Pp"; we accept P/p and reject b (see docs/compat/crashkernel.md).
    [GeneratedRegex(@"^([+-]?)([0-9]+)([KkMmGgTtPpEe]?)$", RegexOptions.CultureInvariant)]
    private static partial Regex UtilsSizeRegex();

    /// <summary>kdump-lib.sh <c>is_memsize</c>.</summary>
    public static bool IsUtilsSize(string text) => UtilsSizeRegex().IsMatch(text);

    /// <summary>kdump-lib.sh <c>to_bytes</c> with checked arithmetic (bash wraps at 2^63).</summary>
    public static long ToBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var m = UtilsSizeRegex().Match(text);
        if (!m.Success) throw new KdumpConfigException($"invalid memory size '{text}'");
        if (!long.TryParse(m.Groups[2].ValueSpan, System.Globalization.NumberStyles.None, null, out var n))
            throw new KdumpConfigException($"memory size '{text}' is too large");
        var shift = m.Groups[3].Value.Length == 0 ? 0 : SuffixShift(m.Groups[3].Value[0]);
        try
        {
            var bytes = checked(n * (1L << shift));
            return m.Groups[1].Value == "-" ? -bytes : bytes;
        }
        catch (OverflowException)
        {
            throw new KdumpConfigException($"memory size '{text}' is too large");
        }
    }

    /// <summary>The <c>memsize_add</c> output form: the largest unit that divides exactly (<c>356M</c>, <c>1T</c>, <c>268435556</c>).</summary>
    public static string FormatExact(long bytes)
    {
        var a = bytes;
        var i = 0;
        while (a / 1024 != 0 && a % 1024 == 0 && i < s_units.Length - 1)
        {
            a /= 1024;
            i++;
        }
        return a.ToString(System.Globalization.CultureInfo.InvariantCulture) + s_units[i];
    }

    /// <summary>kdump-lib.sh <c>memsize_add</c>.</summary>
    public static string Add(string size, string delta)
    {
        try
        {
            return FormatExact(checked(ToBytes(size) + ToBytes(delta)));
        }
        catch (OverflowException)
        {
            throw new KdumpConfigException($"memory size {size} + {delta} is too large");
        }
    }
}
