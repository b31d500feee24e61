using System.Text.RegularExpressions;

namespace Kdump.Config.Conf;

/// <summary>
/// The lenient kdump.conf reader shared by every upstream consumer
/// (<c>kdump-lib-initramfs.sh: kdump_read_conf / kdump_get_conf_val</c>): comment and blank
/// lines dropped, first word = option, rest = value, trailing <c>#</c> comment cut, one pair of
/// surrounding double quotes stripped, and the <b>last</b> matching line wins.
/// </summary>
public sealed class KdumpConfReader
{
    private KdumpConfReader(string? fileName, IReadOnlyList<KdumpConfLine> lines)
    {
        FileName = fileName;
        Lines = lines;
    }

    /// <summary>File the lines came from (for messages), or null.</summary>
    public string? FileName { get; }

    /// <summary>Directive lines in file order.</summary>
    public IReadOnlyList<KdumpConfLine> Lines { get; }

    /// <summary>An empty configuration (upstream: kdump.conf missing → every value empty).</summary>
    public static KdumpConfReader Empty { get; } = new(null, []);

    /// <summary>Parses kdump.conf text. Throws <see cref="KdumpConfigException"/> on NUL bytes or over-long input.</summary>
    public static KdumpConfReader Parse(string text, string? fileName = KdumpctlTextFile, ConfigLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= ConfigLimits.Default;
        if (text.Length > limits.MaxFileBytes)
            throw KdumpConfigException.At(fileName, null, $"file is larger than the maximum of {limits.MaxFileBytes} bytes");

        var lines = new List<KdumpConfLine>();
        var lineNumber = 0;
        foreach (var raw in TextLines.Split(text))
        {
            lineNumber++;
            if (raw.Length > limits.MaxLineLength)
                throw KdumpConfigException.At(fileName, lineNumber, $"line is longer than the maximum of {limits.MaxLineLength} characters");
            if (raw.Contains('\0', StringComparison.Ordinal))
                // grep would call the whole file binary and print "Binary file ... matches".
                throw KdumpConfigException.At(fileName, lineNumber, "line contains a NUL byte");
            if (ParseLine(raw, lineNumber) is { } line) lines.Add(line);
        }
        return new KdumpConfReader(fileName, lines);
    }

    private const string KdumpctlTextFile = Messages.KdumpctlText.ConfigFile;

    /// <summary>Normalises one physical line; null for comment and blank lines.</summary>
    public static KdumpConfLine? ParseLine(string raw, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(raw);
        // grep -Ev -e '^\s*#' -e '^\s*$' (\s = [[:space:]]).
        var firstNonSpace = 0;
        while (firstNonSpace < raw.Length && Shell.ShellChars.IsPosixSpace(raw[firstNonSpace])) firstNonSpace++;
        if (firstNonSpace == raw.Length || raw[firstNonSpace] == '#') return null;

        // read -r _opt _val: IFS whitespace (space, tab) separates and is trimmed.
        var (option, value) = Shell.ShellChars.SplitFirstField(raw);

        // ...trailing comments: cut at the first '#', then strip trailing [[:space:]].
        var hash = value.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
            value = value[..hash].TrimEnd(Shell.ShellChars.PosixSpaces);

        // ...quotes: only when the value both starts and ends with '"'.
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            value = value[1..^1];

        return new KdumpConfLine(lineNumber, option, value);
    }

    /// <summary>
    /// <c>kdump_get_conf_val</c>: the value of the last line whose option is one of
    /// <paramref name="options"/>; empty when none (or when that last line has no value).
    /// </summary>
    public string GetValue(params ReadOnlySpan<string> options)
    {
        var found = "";
        foreach (var line in Lines)
        {
            foreach (var o in options)
            {
                if (string.Equals(line.Option, o, StringComparison.Ordinal))
                {
                    found = line.Value;
                    break;
                }
            }
        }
        return found;
    }

    /// <summary>
    /// <c>kdump_get_conf_val &lt;ERE&gt;</c> with a pattern, as upstream calls it
    /// (e.g. <c>ext[234]|xfs|btrfs|minix|raw|nfs|ssh|virtiofs</c>); anchored like <c>^(ERE)$</c>.
    /// </summary>
    public string GetValueMatching(string optionPattern)
    {
        ArgumentNullException.ThrowIfNull(optionPattern);
        var regex = new Regex("^(?:" + optionPattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var found = "";
        foreach (var line in Lines)
        {
            if (regex.IsMatch(line.Option)) found = line.Value;
        }
        return found;
    }

    /// <summary><c>kdump_read_conf</c>: the normalised <c>"&lt;opt&gt; &lt;val&gt;"</c> lines.</summary>
    public IEnumerable<string> ToNormalizedLines() => Lines.Select(l => l.Option + " " + l.Value);

    /// <summary>Target directive pattern used by <c>is_user_configured_dump_target</c>.</summary>
    public const string TargetPattern = "ext[234]|xfs|btrfs|minix|raw|nfs|ssh|virtiofs";

    /// <summary><c>get_save_path</c>: <c>path</c> or the default, with duplicate slashes squeezed.</summary>
    public string GetSavePath()
    {
        var path = GetValue("path");
        if (path.Length == 0) path = Messages.KdumpctlText.DefaultPath;
        return IO.SystemPath.SqueezeSlashes(path);
    }
}
