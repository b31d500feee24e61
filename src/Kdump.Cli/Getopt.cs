using System.Text;

namespace Kdump.Cli;

/// <summary>
/// A getopt_long(3)-compatible parser (glibc 2.26+ behaviour and wording): short options from a
/// string such as <c>"b:cDd:eEFfg:hi:lL:pRvXx:z"</c> (clusters <c>-cd31</c>, attached or separate
/// arguments, <c>::</c> for an optional attached argument), long options with <c>--name=value</c>
/// or a separate argument, unique-prefix abbreviation, <c>--</c> terminator, and GNU permutation
/// of operands unless the string starts with <c>+</c> or POSIXLY_CORRECT is set.
/// </summary>
public sealed class Getopt
{
    /// <summary>The id getopt returns for a usage error.</summary>
    public const int ErrorId = '?';

    private readonly Dictionary<char, ArgumentKind> _shortOptions = [];
    private readonly IReadOnlyList<LongOption> _longOptions;
    private readonly bool _stopAtFirstOperand;

    public Getopt(string shortOptions, IReadOnlyList<LongOption>? longOptions = null)
    {
        ArgumentNullException.ThrowIfNull(shortOptions);
        var spec = shortOptions;
        if (spec.StartsWith('+'))
        {
            _stopAtFirstOperand = true;
            spec = spec[1..];
        }
        for (var i = 0; i < spec.Length; i++)
        {
            var c = spec[i];
            if (c == ':') throw new ArgumentException($"misplaced ':' at {i} in \"{shortOptions}\"", nameof(shortOptions));
            var kind = ArgumentKind.None;
            if (i + 1 < spec.Length && spec[i + 1] == ':')
            {
                kind = ArgumentKind.Required;
                i++;
                if (i + 1 < spec.Length && spec[i + 1] == ':')
                {
                    kind = ArgumentKind.Optional;
                    i++;
                }
            }
            _shortOptions[c] = kind;
        }
        _longOptions = longOptions ?? [];
    }

    /// <summary>
    /// Parses <paramref name="args"/> (without argv[0]). Errors are reported in place, worded like
    /// glibc with <paramref name="programName"/> (argv[0]) as prefix; parsing continues after them.
    /// </summary>
    public GetoptResult Parse(IReadOnlyList<string> args, string programName, bool posixlyCorrect = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new List<GetoptItem>();
        var operands = new List<string>();
        var stopAtOperand = _stopAtFirstOperand || posixlyCorrect;
        var optionWords = new List<string>();
        var index = 0;
        while (index < args.Count)
        {
            var arg = args[index];
            if (arg == "--")
            {
                optionWords.Add(arg);
                operands.AddRange(args.Skip(index + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                if (stopAtOperand)
                {
                    operands.AddRange(args.Skip(index));
                    break;
                }
                operands.Add(arg);
                index++;
                continue;
            }
            var next = arg[1] == '-'
                ? ParseLong(args, index, programName, options)
                : ParseShortCluster(args, index, programName, options);
            optionWords.AddRange(args.Skip(index).Take(next - index));
            index = next;
        }
        return new GetoptResult(options, operands) { Permuted = [.. optionWords, .. operands] };
    }

    private int ParseShortCluster(IReadOnlyList<string> args, int index, string programName, List<GetoptItem> options)
    {
        var arg = args[index];
        for (var pos = 1; pos < arg.Length; pos++)
        {
            var c = arg[pos];
            if (!_shortOptions.TryGetValue(c, out var kind))
            {
                options.Add(Error($"{programName}: invalid option -- '{c}'", $"-{c}"));
                continue;
            }
            var attached = pos + 1 < arg.Length ? arg[(pos + 1)..] : null;
            switch (kind)
            {
                case ArgumentKind.None:
                    options.Add(new GetoptItem(c, null, $"-{c}"));
                    continue;
                case ArgumentKind.Optional:
                    options.Add(new GetoptItem(c, attached, $"-{c}"));
                    return index + 1;
                default:
                    if (attached is not null)
                    {
                        options.Add(new GetoptItem(c, attached, $"-{c}"));
                        return index + 1;
                    }
                    if (index + 1 < args.Count)
                    {
                        options.Add(new GetoptItem(c, args[index + 1], $"-{c}"));
                        return index + 2;
                    }
                    options.Add(Error($"{programName}: option requires an argument -- '{c}'", $"-{c}"));
                    return index + 1;
            }
        }
        return index + 1;
    }

    private int ParseLong(IReadOnlyList<string> args, int index, string programName, List<GetoptItem> options)
    {
        var body = args[index][2..];
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        var name = eq < 0 ? body : body[..eq];
        string? value = eq < 0 ? null : body[(eq + 1)..];

        var found = FindLong(name, out var ambiguous);
        if (ambiguous is not null)
        {
            var message = new StringBuilder($"{programName}: option '--{body}' is ambiguous; possibilities:");
            foreach (var o in ambiguous) message.Append($" '--{o.Name}'");
            options.Add(Error(message.ToString(), $"--{body}"));
            return index + 1;
        }
        if (found is null)
        {
            options.Add(Error($"{programName}: unrecognized option '--{body}'", $"--{body}"));
            return index + 1;
        }
        var spelling = $"--{found.Name}";
        switch (found.Argument)
        {
            case ArgumentKind.None when value is not null:
                options.Add(Error($"{programName}: option '{spelling}' doesn't allow an argument", spelling));
                return index + 1;
            case ArgumentKind.Required when value is null:
                if (index + 1 < args.Count)
                {
                    options.Add(new GetoptItem(found.Id, args[index + 1], spelling));
                    return index + 2;
                }
                options.Add(Error($"{programName}: option '{spelling}' requires an argument", spelling));
                return index + 1;
            default:
                options.Add(new GetoptItem(found.Id, value, spelling));
                return index + 1;
        }
    }

    /// <summary>
    /// Exact name first; otherwise the unique prefix match. Prefix matches that are identical in
    /// argument kind and id are not ambiguous (glibc keeps the first).
    /// </summary>
    private LongOption? FindLong(string name, out List<LongOption>? ambiguous)
    {
        ambiguous = null;
        LongOption? first = null;
        foreach (var o in _longOptions)
        {
            if (o.Name == name) return o;
        }
        if (name.Length == 0) return null;
        foreach (var o in _longOptions)
        {
            if (!o.Name.StartsWith(name, StringComparison.Ordinal)) continue;
            if (first is null)
            {
                first = o;
            }
            else if (o.Argument != first.Argument || o.Id != first.Id)
            {
                ambiguous ??= [first];
                ambiguous.Add(o);
            }
        }
        return ambiguous is null ? first : null;
    }

    private static GetoptItem Error(string message, string spelling) => new(ErrorId, null, spelling, message);
}
