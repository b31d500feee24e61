using System.Globalization;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel;

/// <summary>
/// The kernel's VMCOREINFO note: <c>KEY=VALUE</c> lines written by <c>include/linux/vmcore_info.h</c>
/// macros. Values are interpreted on lookup by key family: <c>SYMBOL(x)</c> hex without 0x,
/// <c>SIZE/OFFSET/LENGTH(x)</c> unsigned decimal, <c>NUMBER(x)</c> signed decimal (some arch
/// entries print <c>0x…</c> hex, accepted as makedumpfile's <c>read_vmcoreinfo_long</c> does).
/// The first occurrence of a key wins (makedumpfile). Unknown keys are kept.
/// </summary>
public sealed partial class VmcoreInfo
{
    private readonly Dictionary<string, string> _entries;

    private VmcoreInfo(Dictionary<string, string> entries, List<VmcoreInfoDiagnostic> diagnostics)
    {
        _entries = entries;
        Diagnostics = diagnostics;
    }

    /// <summary>An empty VMCOREINFO (a dump without the note).</summary>
    public static VmcoreInfo Empty { get; } = new([], []);

    /// <summary>All entries in the note, first occurrence of each key.</summary>
    public IReadOnlyDictionary<string, string> Entries => _entries;

    /// <summary>Lines that were skipped (no '=', empty key, duplicate, unparsable value).</summary>
    public IReadOnlyList<VmcoreInfoDiagnostic> Diagnostics { get; }

    public bool IsEmpty => _entries.Count == 0;

    /// <summary><c>OSRELEASE</c>: the kernel release string, e.g. <c>6.1.0-28-amd64</c>.</summary>
    public string? OsRelease => _entries.GetValueOrDefault(Keys.OsRelease);

    /// <summary><c>PAGESIZE</c> in bytes.</summary>
    public long? PageSize => TryParseSigned(_entries.GetValueOrDefault(Keys.PageSize), out var v) ? v : null;

    /// <summary><c>CRASHTIME</c>: seconds since the epoch when the kernel crashed.</summary>
    public long? CrashTime => TryParseSigned(_entries.GetValueOrDefault(Keys.CrashTime), out var v) ? v : null;

    /// <summary><c>KERNELOFFSET</c> (hex): the KASLR slide of the kernel image (x86_64, arm64, …).</summary>
    public ulong? KernelOffset => TryParseHex(_entries.GetValueOrDefault(Keys.KernelOffset), out var v) ? v : null;

    public string? GetRaw(string key) => _entries.GetValueOrDefault(key);

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    /// <summary><c>SYMBOL(name)</c>: a kernel virtual address (KASLR already applied).</summary>
    public bool TryGetSymbol(string name, out VirtAddr address)
    {
        address = default;
        if (!TryParseHex(_entries.GetValueOrDefault($"SYMBOL({name})"), out var v)) return false;
        address = new VirtAddr(v);
        return true;
    }

    /// <summary><c>SIZE(name)</c> in bytes.</summary>
    public bool TryGetSize(string name, out ulong value) => TryParseUnsigned(_entries.GetValueOrDefault($"SIZE({name})"), out value);

    /// <summary><c>OFFSET(struct.field)</c> in bytes.</summary>
    public bool TryGetOffset(string structField, out ulong value) => TryParseUnsigned(_entries.GetValueOrDefault($"OFFSET({structField})"), out value);

    /// <summary><c>LENGTH(name)</c>: an array length.</summary>
    public bool TryGetLength(string name, out ulong value) => TryParseUnsigned(_entries.GetValueOrDefault($"LENGTH({name})"), out value);

    /// <summary><c>NUMBER(name)</c>: a signed number (may be negative, e.g. a mapcount value).</summary>
    public bool TryGetNumber(string name, out long value) => TryParseSigned(_entries.GetValueOrDefault($"NUMBER({name})"), out value);

    /// <summary>
    /// Parses the note's text line by line as makedumpfile's read_vmcoreinfo_* do (fgets over the
    /// note copied to a file, then strlen): a line that starts with NUL ends the text (the
    /// padding after the last '\n'), a NUL later in a line hides the rest of that line only, so
    /// one damaged byte loses one line, not every key after it. Accepts an unterminated last line
    /// (some kernels appended CRASHTIME without '\n').
    /// </summary>
    /// <exception cref="DumpCorruptException">The text is longer than <see cref="ParseLimits.MaxVmcoreInfoBytes"/>.</exception>
    public static VmcoreInfo Parse(ReadOnlySpan<byte> text, ParseLimits? limits = null, string? source = null)
    {
        limits ??= ParseLimits.Default;
        if (text.Length > limits.MaxVmcoreInfoBytes)
            throw DumpErrors.OverLimit(source, "VMCOREINFO size", (ulong)text.Length, (ulong)limits.MaxVmcoreInfoBytes, null);

        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var diagnostics = new List<VmcoreInfoDiagnostic>();
        var lines = Lines(text);
        for (var i = 0; i < lines.Count; i++) ParseLineCore(lines[i], i + 1, entries, diagnostics);
        return new VmcoreInfo(entries, diagnostics);
    }

    /// <summary>
    /// The note's lines as makedumpfile reads them (fgets, then strlen): split at '\n', each cut at
    /// its first NUL, the text ending at a line that starts with one. Latin-1 keeps every byte as
    /// one char: hostile bytes never throw and never merge.
    /// </summary>
    public static IReadOnlyList<string> Lines(ReadOnlySpan<byte> text)
    {
        var lines = new List<string>();
        while (!text.IsEmpty)
        {
            var eol = text.IndexOf((byte)'\n');
            var line = eol < 0 ? text : text[..eol];
            text = eol < 0 ? [] : text[(eol + 1)..];
            if (!line.IsEmpty && line[0] == 0) break;
            lines.Add(NulTerminated.Latin1(line));
        }
        return lines;
    }

    private static void ParseLineCore(string s, int lineNumber, Dictionary<string, string> entries, List<VmcoreInfoDiagnostic> diagnostics)
    {
        if (s.Length == 0) return;
        var eq = s.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            diagnostics.Add(new VmcoreInfoDiagnostic(lineNumber, s, eq == 0 ? "empty key" : "no '=' in line"));
            return;
        }
        var key = s[..eq];
        var value = s[(eq + 1)..];
        if (!entries.TryAdd(key, value))
        {
            diagnostics.Add(new VmcoreInfoDiagnostic(lineNumber, s, "duplicate key (first one kept)"));
            return;
        }
        if (!IsValueWellFormed(key, value))
            diagnostics.Add(new VmcoreInfoDiagnostic(lineNumber, s, "value does not parse for its key family"));
    }

    private static bool IsValueWellFormed(string key, string value)
    {
        if (key.StartsWith("SYMBOL(", StringComparison.Ordinal) || key == Keys.KernelOffset)
            return TryParseHex(value, out _);
        if (key.StartsWith("SIZE(", StringComparison.Ordinal) || key.StartsWith("OFFSET(", StringComparison.Ordinal)
            || key.StartsWith("LENGTH(", StringComparison.Ordinal))
            return TryParseUnsigned(value, out _);
        if (key.StartsWith("NUMBER(", StringComparison.Ordinal) || key == Keys.PageSize || key == Keys.CrashTime)
            return TryParseSigned(value, out _);
        return true;
    }

    private static bool TryParseHex(string? s, out ulong value)
    {
        value = 0;
        if (string.IsNullOrEmpty(s)) return false;
        var digits = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s;
        return digits.Length is > 0 and <= 16
            && ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseUnsigned(string? s, out ulong value)
    {
        value = 0;
        if (string.IsNullOrEmpty(s)) return false;
        if (ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return true;
        return s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && TryParseHex(s, out value);
    }

    private static bool TryParseSigned(string? s, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(s)) return false;
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) return true;
        // Hex NUMBER() entries (e.g. VMALLOC_START) print the unsigned bit pattern.
        if (!TryParseHex(s, out var u)) return false;
        value = unchecked((long)u);
        return true;
    }
}
