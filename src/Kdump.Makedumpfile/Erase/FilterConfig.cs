namespace Kdump.Makedumpfile.Erase;

/// <summary>
/// makedumpfile.conf(5): erase commands and for…endfor loops, read one command at a time as
/// upstream's get_config does. A syntax error ends the reading with upstream's message; the
/// commands read before it still apply (makedumpfile goes on and makes the dump).
/// </summary>
internal sealed class FilterConfig
{
    /// <summary>BUFSIZE_FGETS: fgets reads at most 1499 characters of a line at a time.</summary>
    private const int LinePiece = 1499;

    private readonly string _text;
    private readonly Action<string, string> _error;
    private readonly Func<string, bool> _isLoaded;
    private readonly HashSet<string> _moduleSections = new(StringComparer.Ordinal);
    private string? _module;
    private int _textAt;
    private int _linesRead;
    private string[] _words = [];
    private int _wordAt;
    private int _wordsLine;
    private bool _skipping;
    private Token? _saved;
    private bool _newSection;
    private int _configLine;
    private string? _tokenModule;

    /// <summary>A word of the file and the line count when it was read.</summary>
    private readonly record struct Token(string Text, int Line);

    private enum End
    {
        None,
        File,
        Section,
    }

    private FilterConfig(string text, Action<string, string> error, Func<string, bool> isLoaded)
    {
        _text = text;
        _error = error;
        _isLoaded = isLoaded;
    }

    /// <summary>The names of the "[module]" section headers read so far (not "[vmlinux]").</summary>
    public IReadOnlyCollection<string> ModuleSections => _moduleSections;

    /// <summary>The file's text (Latin-1: a byte per character); nothing is read until asked.</summary>
    /// <param name="text">The config file's text.</param>
    /// <param name="error">ERRMSG: (function, message).</param>
    /// <param name="isLoaded">
    /// is_module_loaded: the lines of a "[module]" section are passed over, silently, unless this
    /// says the module is loaded in the dump. Null: every module is taken as loaded.
    /// </param>
    public static FilterConfig Read(string text, Action<string, string> error, Func<string, bool>? isLoaded = null) =>
        new(text, error, isLoaded ?? (_ => true));

    /// <summary>
    /// The next word, reading lines as get_config_token does: fgets pieces of at most 1499
    /// characters (a NUL ends what is seen of one), the line count raised for a piece with its
    /// newline, '#' comments dropped, tabs as spaces, "[name]" at a piece's start a section header.
    /// </summary>
    private Token? NextWord()
    {
        while (true)
        {
            if (_wordAt < _words.Length) return new Token(_words[_wordAt++], _wordsLine);
            if (_textAt >= _text.Length) return null;
            var newline = _text.IndexOf('\n', _textAt, Math.Min(LinePiece, _text.Length - _textAt));
            var end = newline >= 0 ? newline + 1 : Math.Min(_textAt + LinePiece, _text.Length);
            var piece = _text[_textAt..end];
            _textAt = end;
            if (piece.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0) piece = piece[..nul];
            if (piece.IndexOf('\n', StringComparison.Ordinal) is var nl and >= 0)
            {
                piece = piece[..nl];
                _linesRead++;
            }
            if (piece.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0) piece = piece[..hash];
            piece = piece.Replace('\t', ' ');
            if (piece.StartsWith('['))
            {
                var close = piece.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    _error("get_config_token", $"Config error at {_linesRead}: Invalid module section entry.");
                    _skipping = true;
                    continue;
                }
                _module = piece[1..close];
                if (_module != "vmlinux") _moduleSections.Add(_module);
                _newSection = true;
                _skipping = false;
                continue;
            }
            if (_skipping || (_module is not null && _module != "vmlinux" && !_isLoaded(_module))) continue;
            _words = piece.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            _wordAt = 0;
            _wordsLine = _linesRead;
        }
    }

    private static bool IsKeyword(string t) => t is "erase" or "size" or "nullify" or "for" or "in" or "within" or "endfor";

    /// <summary>get_config_token: the next word, or only <paramref name="expected"/> (else the word stays for the next call).</summary>
    /// <param name="line">The caller's line number: set to the word's line when a word is read (each of upstream's functions keeps its own).</param>
    private string? Take(string? expected, bool newCommand, out End end, ref int line)
    {
        end = End.None;
        Token t;
        if (_saved is { } saved)
        {
            t = saved;
            _saved = null;
        }
        else if (NextWord() is { } word)
        {
            t = word;
        }
        else
        {
            end = End.File;
            return null;
        }
        if (_newSection && !newCommand)
        {
            _saved = t;
            end = End.Section;
            return null;
        }
        _newSection = false;
        _tokenModule = _module;
        line = t.Line;
        if (expected is not null && t.Text != expected)
        {
            _saved = t;
            return null;
        }
        return t.Text;
    }

    private string? Take(ref int line, string? expected = null) => Take(expected, false, out _, ref line);

    /// <summary>get_config: the next command, or null at the end of the file or after a syntax error (already reported).</summary>
    /// <param name="skipSection">
    /// CONFIG_SKIP_SECTION: what is left of the current line and the lines up to the next section
    /// header are passed over (the last command's module had no debuginfo).
    /// </param>
    public ConfigCommand? Next(bool skipSection = false)
    {
        if (skipSection)
        {
            _saved = null;
            _words = [];
            _wordAt = 0;
            _skipping = true;
        }
        if (Take("erase", true, out var end, ref _configLine) is not null)
        {
            var c = new ConfigCommand { Module = _tokenModule };
            return ReadErase(c, _configLine) ? c : null;
        }
        if (Take("for", false, out end, ref _configLine) is not null)
        {
            var c = new ConfigCommand { Module = _tokenModule };
            return ReadLoop(c, _configLine) ? c : null;
        }
        if (end == End.None)
        {
            var token = Take(ref _configLine);
            _error("get_config", $"Config error at {_configLine}: Invalid token '{token}'.");
        }
        return null;
    }

    /// <summary>read_erase_cmd_entry: erase &lt;Symbol&gt;[.member[...]] [size &lt;SizeValue&gt;[K|M] | size &lt;SizeSymbol&gt; | nullify].</summary>
    private bool ReadErase(ConfigCommand c, int line)
    {
        var token = Take(ref line);
        if (token is null || IsKeyword(token))
        {
            _error("read_erase_cmd_entry", $"Config error at {line}: expected kernel symbol after 'erase' command.");
            return false;
        }
        var filter = Chain(token, EntryFlags.Filter, line, _error, "read_erase_cmd_entry", "filter symbol");
        if (filter is null) return false;
        filter.Expression = token;
        ConfigEntry? size = null;
        c.Filters.Add((filter, null));
        if (c.Iteration is { } iteration)
        {
            if (filter.Name != iteration.Name)
            {
                _error("read_erase_cmd_entry", $"Config error at {line}: unused iteration variable '{iteration.Name}'.");
                return false;
            }
            filter.Flags = (filter.Flags & ~EntryFlags.Symbol) | EntryFlags.Variable;
            filter.ReferTo = iteration;
        }
        if (Take(ref line, "nullify") is not null)
        {
            filter.Nullify = true;
        }
        else if (Take(ref line, "size") is not null)
        {
            // read_size_entry has its own copy of the line number.
            var sizeLine = line;
            var sizeToken = Take(ref sizeLine);
            if (sizeToken is null || IsKeyword(sizeToken))
            {
                _error("read_size_entry", $"Config error at {sizeLine}: expected size symbol after 'size' keyword.");
                return false;
            }
            size = Chain(sizeToken, EntryFlags.Size, sizeLine, _error, "read_size_entry", "size symbol");
            if (size is null) return false;
            if (c.Iteration is { } it && size.Name == it.Name)
            {
                size.Flags = (size.Flags & ~EntryFlags.Symbol) | EntryFlags.Variable;
                size.ReferTo = it;
            }
            c.Filters[^1] = (filter, size);
        }
        return true;
    }

    /// <summary>read_iteration_entry: for &lt;id&gt; in {ArrayVar | StructVar via NextMember | ListHeadVar within Struct:Member} … endfor.</summary>
    private bool ReadLoop(ConfigCommand c, int line)
    {
        var token = Take(ref line);
        if (token is null || IsKeyword(token))
        {
            _error("read_iteration_entry", $"Config error at {line}: expected iteration VAR entry after 'for' keyword.");
            return false;
        }
        c.Iteration = Chain(token, EntryFlags.Iteration, line, _error, "read_iteration_entry", "iteration VAR entry", failedPrefix: "Failed to read iteration VAR entry.");
        if (c.Iteration is null) return false;
        if (Take(ref line, "in") is null)
        {
            if (Take(ref line) is { } bad) _error("read_iteration_entry", $"Config error at {line}: Invalid token '{bad}'.");
            _error("read_iteration_entry", $"Config error at {line}: expected token 'in'.");
            return false;
        }
        if (!ReadList(c, line)) return false;
        End end;
        while (Take("endfor", false, out end, ref line) is null && end == End.None)
        {
            if (Take(ref line, "erase") is not null)
            {
                if (!ReadErase(c, line)) return false;
            }
            else
            {
                var bad = Take(ref line);
                _error("read_iteration_entry", $"Config error at {line}: Invalid token '{bad}'.");
                return false;
            }
        }
        if (end != End.None)
        {
            _error("read_iteration_entry", $"Config error at {line}: No matching 'endfor' found.");
            return false;
        }
        return true;
    }

    /// <summary>read_list_entry: the list after 'in', and its 'via' member or 'within' struct:member.</summary>
    private bool ReadList(ConfigCommand c, int line)
    {
        var token = Take(ref line);
        if (token is null || IsKeyword(token))
        {
            _error("read_list_entry", $"Config error at {line}: expected list symbol after 'in' keyword.");
            return false;
        }
        c.List = Chain(token, EntryFlags.List, line, _error, "read_list_entry", "list symbol");
        if (c.List is null) return false;
        if (Take(ref line, "via") is not null)
        {
            var member = Take(ref line);
            if (member is null)
            {
                _error("read_list_entry", $"Config error at {line}: expected member name after 'via' keyword.");
                return false;
            }
            var last = c.List;
            while (last.Next is not null) last = last.Next;
            last.Next = Chain(member, EntryFlags.List, line, _error, "add_traversal_entry", "'via' member", failedPrefix: "Failed to read 'via' member");
            if (last.Next is null) return false;
            last.Next.Flags = (last.Next.Flags | EntryFlags.Traversal) & ~EntryFlags.Symbol;
        }
        else if (Take(ref line, "within") is not null)
        {
            var structName = Take(ref line);
            if (structName is null || IsKeyword(structName))
            {
                _error("read_list_entry", $"Config error at {line}: expected struct name after 'within' keyword.");
                return false;
            }
            if (structName.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
            {
                var member = structName[(colon + 1)..];
                structName = structName[..colon];
                if (member.Length == 0)
                {
                    _error("read_list_entry", $"Config error at {line}: expected list_head member after ':'.");
                    return false;
                }
                var hook = Chain(member, EntryFlags.Iteration, line, _error, "read_list_entry", "list_head member", quiet: true);
                if (hook is null) return false;
                hook.Flags &= ~EntryFlags.Symbol;
                c.Iteration!.Next = hook;
            }
            if (structName.Length == 0)
            {
                _error("read_list_entry", $"Config error at {line}: Invalid token found after 'within' keyword.");
                return false;
            }
            c.Iteration!.TypeName = structName;
        }
        return true;
    }

    /// <summary>
    /// create_config_entry: &lt;Symbol&gt;[.member[...]] as a chain of entries (empty parts skipped);
    /// a size may instead be a number with an optional K or M.
    /// </summary>
    private static ConfigEntry? Chain(string token, EntryFlags flag, int line, Action<string, string> error, string function, string what,
        string? failedPrefix = null, bool quiet = false)
    {
        ConfigEntry? head = null, last = null;
        var depth = 0;
        foreach (var part in token.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var e = new ConfigEntry { Line = line, Flags = flag | (depth == 0 ? EntryFlags.Symbol : 0) };
            if ((flag & EntryFlags.Iteration) != 0)
            {
                if (depth > 0)
                {
                    error("create_config_entry", $"Config error at {line}: Invalid iteration variable entry.");
                    if (!quiet) error(function, failedPrefix is null ? $"Error at line {line}: Failed to read {what}" : $"Error at line {line}: {failedPrefix}");
                    return null;
                }
                e.Name = part;
            }
            if ((flag & (EntryFlags.Filter | EntryFlags.List)) != 0) e.Name = part;
            if ((flag & EntryFlags.Size) != 0)
            {
                if (depth == 0 && ScanLong(part, out var value, out var suffix))
                {
                    if (value < 0)
                    {
                        error("create_config_entry", $"Config error at {line}: size value must be positive.");
                        error(function, $"Error at line {line}: Failed to read {what}");
                        return null;
                    }
                    e.Size = suffix switch
                    {
                        'M' or 'm' => unchecked(value * 1024 * 1024),
                        'K' or 'k' => unchecked(value * 1024),
                        _ => value,
                    };
                    e.Flags |= EntryFlags.Resolved;
                }
                else
                {
                    e.Name = part;
                }
            }
            if (last is null) head = e;
            else last.Next = e;
            last = e;
            depth++;
        }
        if (head is null && !quiet) error(function, failedPrefix is null ? $"Error at line {line}: Failed to read {what}" : $"Error at line {line}: {failedPrefix}");
        return head;
    }

    /// <summary>sscanf("%ld%c"): leading spaces, a sign, decimal digits (saturating as strtol), then one character.</summary>
    private static bool ScanLong(string s, out long value, out char suffix)
    {
        value = 0;
        suffix = '\0';
        var i = 0;
        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        var start = i;
        decimal acc = 0;
        while (i < s.Length && s[i] is >= '0' and <= '9')
        {
            if (acc <= long.MaxValue) acc = acc * 10 + (s[i] - '0');
            i++;
        }
        if (i == start) return false;
        if (negative) acc = -acc;
        value = acc > long.MaxValue ? long.MaxValue : acc < long.MinValue ? long.MinValue : decimal.ToInt64(acc);
        if (i < s.Length) suffix = s[i];
        return true;
    }
}

/// <summary>What a config entry is (erase_info.c's entry flags).</summary>
[Flags]
internal enum EntryFlags
{
    None = 0,
    Filter = 0x0001,
    Size = 0x0002,
    Iteration = 0x0004,
    List = 0x0008,
    Symbol = 0x0010,
    Variable = 0x0020,
    Traversal = 0x0040,
    Resolved = 0x8000,
}

/// <summary>One name of a symbol expression and what resolving it found (struct config_entry).</summary>
internal sealed class ConfigEntry
{
    public string? Name { get; set; }
    public string? TypeName { get; set; }
    public string? Expression { get; set; }
    public EntryFlags Flags { get; set; }
    public bool Nullify { get; set; }
    public ulong SymbolAddress { get; set; }
    public ulong Address { get; set; }
    public ulong StopAddress { get; set; }
    public long Offset { get; set; }
    public Vmlinux.DebugInfoSearch.BaseTypeFlags TypeFlags { get; set; }
    public long ArrayLength { get; set; }
    public long Index { get; set; }
    public long Size { get; set; }
    public int Line { get; set; }
    public Kdump.Dump.EraseList.Command? Command { get; set; }
    public ConfigEntry? ReferTo { get; set; }
    public ConfigEntry? Next { get; set; }

    public bool Has(EntryFlags f) => (Flags & f) != 0;
}

/// <summary>One erase command, or one loop with its erase commands (struct config).</summary>
internal sealed class ConfigCommand
{
    /// <summary>The section the command is in: null before any header, else its name ("vmlinux" or a module).</summary>
    public string? Module { get; init; }

    public ConfigEntry? Iteration { get; set; }
    public ConfigEntry? List { get; set; }
    public List<(ConfigEntry Filter, ConfigEntry? Size)> Filters { get; } = [];
}
