using System.Text;
using Kdump.Config.Shell;

namespace Kdump.Config.Sysconfig;

/// <summary>
/// The capture kernel's command line exactly as kdump-lib.sh <c>prepare_cmdline</c> builds it.
/// </summary>
public static class CaptureCommandLine
{
    /// <summary>Parameters removed whatever KDUMP_COMMANDLINE_REMOVE says.</summary>
    public static readonly IReadOnlyList<string> AlwaysRemoved =
    [
        "crashkernel", "panic_on_warn", "root", "rd.lvm.lv", "rd.luks.uuid", "rd.dm.uuid", "rd.md.uuid", "fcoe",
        "netroot", "rd.iscsi.initiator", "iscsi_initiator",
    ];

    /// <summary>One parameter of <c>_cmdline_parse</c>: name and value (value null for a bare word).</summary>
    public readonly record struct Parameter(string Name, string? Value)
    {
        public override string ToString() => Value is null ? Name : Name + "=" + Value;
    }

    /// <summary>
    /// kdump-lib.sh <c>_cmdline_parse</c>: xargs word splitting, <c>name=value</c> split at the first
    /// <c>=</c>, <c>name=</c> with an empty value dropped, values with whitespace re-quoted.
    /// </summary>
    public static IReadOnlyList<Parameter> ParseParameters(string commandLine, ConfigLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        limits ??= ConfigLimits.Default;
        if (commandLine.Length > limits.MaxCommandLineLength)
            throw new KdumpConfigException($"command line is longer than the maximum of {limits.MaxCommandLineLength} characters");
        var result = new List<Parameter>();
        foreach (var word in XargsSplitter.Split(commandLine, "kernel command line"))
        {
            // `xargs -n 1 echo`: echo consumes -n/-e/-E words as its own options.
            if (IsEchoOption(word)) continue;
            var token = word.Trim(ShellChars.IfsWhitespace);
            if (token.Length == 0) continue;
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                result.Add(new Parameter(token, null));
                continue;
            }
            var value = token[(eq + 1)..];
            if (value.Length == 0) continue;
            if (value.AsSpan().IndexOfAny(ShellChars.PosixSpaces) >= 0) value = "\"" + value + "\"";
            result.Add(new Parameter(token[..eq], value));
        }
        return result;
    }

    private static bool IsEchoOption(string word) =>
        word.Length >= 2 && word[0] == '-' && word.AsSpan(1).IndexOfAnyExcept("neE") < 0;

    /// <summary>Builds the capture command line.</summary>
    public static string Build(CaptureCommandLineInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // in=${1:-$(< /proc/cmdline)}: $(<) drops trailing newlines.
        var input = inputs.KdumpCommandline.Length > 0 ? inputs.KdumpCommandline : inputs.ProcCmdline.TrimEnd('\n');
        var remove = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in ParseParameters(inputs.Remove)) remove.Add(p.Name);
        foreach (var name in AlwaysRemoved) remove.Add(name);

        var out_ = new StringBuilder();
        foreach (var p in ParseParameters(input))
        {
            if (remove.Contains(p.Name)) continue;
            out_.Append(p.ToString()).Append(' ');
        }
        out_.Append(inputs.Append).Append(' ');
        if (!string.IsNullOrEmpty(inputs.BootCpuApicId)) out_.Append("disable_cpu_apicid=").Append(inputs.BootCpuApicId).Append(' ');
        foreach (var drv in inputs.WatchdogDrivers ?? [])
        {
            out_.Append(drv).Append(".pretimeout=0 ");
            if (drv == "hpwdt") out_.Append(drv).Append(".kdumptimeout=0 ");
        }
        var text = out_.ToString();
        if (inputs.IsAwsGraviton) text = RemoveFirstWord(text, "irqpoll");
        text += "rd.systemd.gpt_auto=no ";
        if (inputs.Debug) text += "rd.debug ";
        return SqueezeSpaces(text);
    }

    /// <summary><c>sed -e "s/\&lt;irqpoll\&gt;//"</c>: the first whole-word occurrence only.</summary>
    internal static string RemoveFirstWord(string text, string word)
    {
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + 1, StringComparison.Ordinal))
        {
            var before = i == 0 || !IsWordChar(text[i - 1]);
            var afterIndex = i + word.Length;
            var after = afterIndex >= text.Length || !IsWordChar(text[afterIndex]);
            if (before && after) return text[..i] + text[afterIndex..];
        }
        return text;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary><c>sed -e "s/^ *//g" -e "s/ *$//g" -e "s/ \+/ /g"</c> (spaces only, not tabs).</summary>
    internal static string SqueezeSpaces(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Trim(' '))
        {
            if (c == ' ' && sb.Length > 0 && sb[^1] == ' ') continue;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
