using System.Text;

namespace Kdump.Config.Shell;

/// <summary>
/// A shell file of plain variable assignments (<c>/etc/sysconfig/kdump</c>) read WITHOUT a shell:
/// values are taken literally with quotes removed as the shell would for a simple assignment.
/// Anything that needs evaluation (<c>$</c>, backticks, <c>;</c>, pipes, redirections, commands)
/// is refused with the file and line.
/// </summary>
public sealed class ShellAssignmentFile
{
    private readonly Dictionary<string, (string Value, int Line)> _values;

    private ShellAssignmentFile(Dictionary<string, (string, int)> values) => _values = values;

    public static ShellAssignmentFile Empty { get; } = new(new Dictionary<string, (string, int)>(StringComparer.Ordinal));

    /// <summary>Assigned variables; a later assignment replaces an earlier one.</summary>
    public IReadOnlyDictionary<string, (string Value, int Line)> Values => _values;

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v.Value : null;

    public static ShellAssignmentFile Parse(string text, string fileName = "/etc/sysconfig/kdump", ConfigLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= ConfigLimits.Default;
        if (text.Length > limits.MaxFileBytes)
            throw KdumpConfigException.At(fileName, null, $"file is larger than the maximum of {limits.MaxFileBytes} bytes");
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
            throw KdumpConfigException.At(fileName, LineAt(text, nul), "line contains a NUL byte");

        var lineNumber = 0;
        foreach (var l in TextLines.Split(text))
        {
            lineNumber++;
            if (l.Length > limits.MaxLineLength)
                throw KdumpConfigException.At(fileName, lineNumber, $"line is longer than the maximum of {limits.MaxLineLength} characters");
        }

        var values = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        var p = new Parser(text, fileName);
        while (!p.AtEnd)
        {
            p.SkipBlanks();
            if (p.AtEnd) break;
            var c = p.Peek;
            if (c == '\n') { p.Advance(); continue; }
            if (c == '#') { p.SkipToEndOfLine(); continue; }

            var line = p.Line;
            var name = p.ReadName();
            if (name == "export" && p.Peek is ' ' or '\t')
            {
                p.SkipBlanks();
                name = p.ReadName();
            }
            if (name.Length == 0 || p.AtEnd || p.Peek != '=')
                throw p.Error("only NAME=value assignments can be read without a shell");
            p.Advance();
            var value = p.ReadWord();
            p.SkipBlanks();
            if (!p.AtEnd && p.Peek == '#') p.SkipToEndOfLine();
            if (!p.AtEnd && p.Peek != '\n')
                throw p.Error($"unexpected '{p.Peek}' after the value of {name}; one assignment per line, no commands");
            values[name] = (value, line);
        }
        return new ShellAssignmentFile(values);
    }

    private static int LineAt(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private sealed class Parser(string text, string fileName)
    {
        private int _pos;

        public int Line { get; private set; } = 1;

        public bool AtEnd => _pos >= text.Length;

        public char Peek => text[_pos];

        public void Advance()
        {
            if (text[_pos] == '\n') Line++;
            _pos++;
        }

        public void SkipBlanks()
        {
            while (!AtEnd && Peek is ' ' or '\t') Advance();
        }

        public void SkipToEndOfLine()
        {
            while (!AtEnd && Peek != '\n') Advance();
        }

        public KdumpConfigException Error(string reason) => KdumpConfigException.At(fileName, Line, reason);

        public string ReadName()
        {
            var start = _pos;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek) || Peek == '_') && (_pos > start || !char.IsAsciiDigit(Peek))) Advance();
            return text[start.._pos];
        }

        public string ReadWord()
        {
            var sb = new StringBuilder();
            while (!AtEnd)
            {
                var c = Peek;
                switch (c)
                {
                    case ' ' or '\t' or '\n':
                        return sb.ToString();
                    case '\'':
                        {
                            var startLine = Line;
                            Advance();
                            while (!AtEnd && Peek != '\'') { sb.Append(Peek); Advance(); }
                            if (AtEnd) throw KdumpConfigException.At(fileName, startLine, "unterminated single quote");
                            Advance();
                            break;
                        }
                    case '"':
                        {
                            var startLine = Line;
                            Advance();
                            while (!AtEnd && Peek != '"')
                            {
                                var d = Peek;
                                if (d is '$' or '`') throw Error($"'{d}' inside double quotes needs a shell to evaluate");
                                if (d == '\\' && _pos + 1 < text.Length && text[_pos + 1] is '$' or '`' or '"' or '\\' or '\n')
                                {
                                    Advance();
                                    if (Peek != '\n') sb.Append(Peek);
                                    Advance();
                                    continue;
                                }
                                sb.Append(d);
                                Advance();
                            }
                            if (AtEnd) throw KdumpConfigException.At(fileName, startLine, "unterminated double quote");
                            Advance();
                            break;
                        }
                    case '\\':
                        Advance();
                        if (AtEnd) return sb.ToString();
                        if (Peek != '\n') sb.Append(Peek);
                        Advance();
                        break;
                    case '$' or '`':
                        throw Error($"'{c}' needs a shell to evaluate");
                    case ';' or '&' or '|' or '<' or '>' or '(' or ')':
                        throw Error($"'{c}' needs a shell to evaluate");
                    case '~' when sb.Length == 0:
                        throw Error("'~' (tilde expansion) needs a shell to evaluate");
                    default:
                        sb.Append(c);
                        Advance();
                        break;
                }
            }
            return sb.ToString();
        }
    }
}
