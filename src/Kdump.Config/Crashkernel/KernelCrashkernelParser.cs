namespace Kdump.Config.Crashkernel;

/// <summary>
/// The kernel's <c>parse_crashkernel</c> (<c>kernel/crash_reserve.c</c>) as a pure function of
/// the command line, the system RAM size and the architecture.
/// </summary>
/// <remarks>
/// Kept from the kernel on purpose: the last <c>crashkernel=</c> wins and is found with
/// <c>strstr</c> (so <c>foo.crashkernel=</c> counts too); the extended syntax is chosen when a
/// <c>:</c> comes before the first space; RAM is rounded up to 128 MiB for range matching
/// (start inclusive, end exclusive); every entry up to the match must be smaller than that RAM;
/// <c>,high</c> is only looked at when there is no plain value. Changed on purpose: a number
/// that overflows 64 bits is an error here, the kernel wraps it.
/// </remarks>
public static class KernelCrashkernelParser
{
    private const string Name = "crashkernel=";
    private static readonly string[] s_suffixes = [",high", ",low", ",cma"];

    public static CrashkernelReservation Parse(string commandLine, ulong systemRam, CrashkernelArch arch)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(arch);
        var messages = new List<string>();
        var status = ParseOne(commandLine, systemRam, null, messages, out var size, out var crashBase);
        ulong low = 0, cma = 0;
        var high = false;
        if (arch.SupportsHighLow)
        {
            if (status == CrashkernelStatus.NotFound)
            {
                status = ParseOne(commandLine, 0, ",high", messages, out size, out crashBase);
                if (status != CrashkernelStatus.Ok || size == 0)
                    return new(CrashkernelStatus.Invalid, size, crashBase, 0, false, 0, messages);
                var lowStatus = ParseOne(commandLine, 0, ",low", messages, out low, out _);
                if (lowStatus == CrashkernelStatus.NotFound) low = arch.DefaultLowSize;
                else if (lowStatus != CrashkernelStatus.Ok) return new(lowStatus, size, crashBase, low, false, 0, messages);
                high = true;
            }
            ParseOne(commandLine, 0, ",cma", messages, out cma, out _);
        }
        if (status != CrashkernelStatus.NotFound && (size == 0 || size >= systemRam)) status = CrashkernelStatus.Invalid;
        return new(status, size, crashBase, low, high, cma, messages);
    }

    /// <summary><c>__parse_crashkernel</c> for one suffix (null = plain).</summary>
    private static CrashkernelStatus ParseOne(string cmdline, ulong systemRam, string? suffix, List<string> messages, out ulong size, out ulong crashBase)
    {
        size = 0;
        crashBase = 0;
        var at = GetLast(cmdline, suffix);
        if (at < 0) return CrashkernelStatus.NotFound;
        var ck = cmdline.AsSpan(at + Name.Length);

        if (suffix is not null) return ParseSuffix(ck, suffix, messages, out size);

        var colon = ck.IndexOf(':');
        var space = ck.IndexOf(' ');
        return colon >= 0 && (space < 0 || colon < space)
            ? ParseMem(ck, systemRam, messages, out size, out crashBase)
            : ParseSimple(ck, messages, out size, out crashBase);
    }

    /// <summary><c>get_last_crashkernel</c>: index of the last <c>crashkernel=</c> whose word ends (or does not end) with a suffix.</summary>
    private static int GetLast(string cmdline, string? suffix)
    {
        var found = -1;
        for (var p = cmdline.IndexOf(Name, StringComparison.Ordinal); p >= 0; p = cmdline.IndexOf(Name, p + 1, StringComparison.Ordinal))
        {
            var end = cmdline.IndexOf(' ', p);
            if (end < 0) end = cmdline.Length;
            var word = cmdline.AsSpan(p, end - p);
            if (suffix is null)
            {
                var hasSuffix = false;
                foreach (var s in s_suffixes) hasSuffix |= word.EndsWith(s, StringComparison.Ordinal);
                if (!hasSuffix) found = p;
            }
            else if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                found = p;
            }
        }
        return found;
    }

    private static CrashkernelStatus Invalid(List<string> messages, string text)
    {
        messages.Add(text);
        return CrashkernelStatus.Invalid;
    }

    private static CrashkernelStatus Overflow(List<string> messages, ReadOnlySpan<char> at) =>
        Invalid(messages, $"crashkernel: value '{at.ToString().Split(' ')[0]}' does not fit in 64 bits");

    private static CrashkernelStatus ParseMem(ReadOnlySpan<char> ck, ulong systemRam, List<string> messages, out ulong size, out ulong crashBase)
    {
        size = 0;
        crashBase = 0;
        // roundup(total_mem, SZ_128M)
        var total = checked((systemRam + (128 * MemorySize.MiB - 1)) / (128 * MemorySize.MiB) * (128 * MemorySize.MiB));
        var cur = 0;
        while (true)
        {
            var st = MemorySize.MemParse(ck[cur..], out var start, out var n);
            if (st == MemParseStatus.Overflow) return Overflow(messages, ck[cur..]);
            if (st == MemParseStatus.NoDigits) return Invalid(messages, "crashkernel: Memory value expected");
            cur += n;
            if (cur >= ck.Length || ck[cur] != '-') return Invalid(messages, "crashkernel: '-' expected");
            cur++;
            var end = ulong.MaxValue;
            if (cur >= ck.Length || ck[cur] != ':')
            {
                st = MemorySize.MemParse(ck[cur..], out end, out n);
                if (st == MemParseStatus.Overflow) return Overflow(messages, ck[cur..]);
                if (st == MemParseStatus.NoDigits) return Invalid(messages, "crashkernel: Memory value expected");
                cur += n;
                if (end <= start) return Invalid(messages, "crashkernel: end <= start");
            }
            if (cur >= ck.Length || ck[cur] != ':') return Invalid(messages, "crashkernel: ':' expected");
            cur++;
            st = MemorySize.MemParse(ck[cur..], out var entrySize, out n);
            if (st == MemParseStatus.Overflow) return Overflow(messages, ck[cur..]);
            if (st == MemParseStatus.NoDigits) return Invalid(messages, "crashkernel: Memory value expected");
            cur += n;
            if (entrySize >= total) return Invalid(messages, "crashkernel: invalid size");
            if (total >= start && total < end)
            {
                size = entrySize;
                break;
            }
            // } while (*cur++ == ',');
            var more = cur < ck.Length && ck[cur] == ',';
            cur++;
            if (!more) break;
        }

        if (size > 0)
        {
            while (cur < ck.Length && ck[cur] != ' ' && ck[cur] != '@') cur++;
            if (cur < ck.Length && ck[cur] == '@')
            {
                cur++;
                var st = MemorySize.MemParse(ck[cur..], out crashBase, out _);
                if (st == MemParseStatus.Overflow) return Overflow(messages, ck[cur..]);
                if (st == MemParseStatus.NoDigits) return Invalid(messages, "crashkernel: Memory value expected after '@'");
            }
        }
        else
        {
            messages.Add("crashkernel size resulted in zero bytes");
        }
        return CrashkernelStatus.Ok;
    }

    private static CrashkernelStatus ParseSimple(ReadOnlySpan<char> ck, List<string> messages, out ulong size, out ulong crashBase)
    {
        crashBase = 0;
        var st = MemorySize.MemParse(ck, out size, out var cur);
        if (st == MemParseStatus.Overflow) return Overflow(messages, ck);
        if (st == MemParseStatus.NoDigits) return Invalid(messages, "crashkernel: memory value expected");
        if (cur < ck.Length && ck[cur] == '@')
        {
            // The kernel does not check this memparse: "@" alone gives base 0.
            st = MemorySize.MemParse(ck[(cur + 1)..], out crashBase, out _);
            if (st == MemParseStatus.Overflow) return Overflow(messages, ck[(cur + 1)..]);
        }
        else if (cur < ck.Length && ck[cur] != ' ')
        {
            return Invalid(messages, $"crashkernel: unrecognized char: {ck[cur]}");
        }
        return CrashkernelStatus.Ok;
    }

    private static CrashkernelStatus ParseSuffix(ReadOnlySpan<char> ck, string suffix, List<string> messages, out ulong size)
    {
        var st = MemorySize.MemParse(ck, out size, out var cur);
        if (st == MemParseStatus.Overflow) return Overflow(messages, ck);
        if (st == MemParseStatus.NoDigits) return Invalid(messages, "crashkernel: memory value expected");
        if (!ck[cur..].StartsWith(suffix, StringComparison.Ordinal))
            return Invalid(messages, $"crashkernel: unrecognized char: {(cur < ck.Length ? ck[cur] : '\0')}");
        cur += suffix.Length;
        if (cur < ck.Length && ck[cur] != ' ')
            return Invalid(messages, $"crashkernel: unrecognized char: {ck[cur]}");
        return CrashkernelStatus.Ok;
    }
}
