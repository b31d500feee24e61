using System.Text;

namespace Kdump.Config.Shell;

/// <summary>
/// Word splitting as GNU <c>xargs</c> does it in its default mode, which upstream uses for
/// <c>dracut_args</c> (<c>xargs -n 1</c>) and for kernel command lines (<c>_cmdline_parse</c>):
/// blanks and newlines separate; <c>'…'</c> and <c>"…"</c> group literally (no escapes inside);
/// a backslash outside quotes makes the next character literal.
/// </summary>
public static class XargsSplitter
{
    /// <summary>GNU findutils' message for an unterminated quote (prefixed by <c>xargs: </c>).</summary>
    public static string UnmatchedQuoteMessage(char quote) =>
        $"xargs: unmatched {(quote == '"' ? "double" : "single")} quote; by default quotes are special to xargs unless you use the -0 option";

    /// <summary>Splits <paramref name="text"/>; throws <see cref="KdumpConfigException"/> on an unterminated quote or a NUL.</summary>
    public static IReadOnlyList<string> Split(string text, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
                throw Fail(what, "a NUL character occurred in the input");
            if (quote != '\0')
            {
                if (c == '\n') throw Fail(what, UnmatchedQuoteMessage(quote));
                if (c == quote) quote = '\0';
                else current.Append(c);
                continue;
            }
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }
                    break;
                case '\'' or '"':
                    quote = c;
                    inWord = true;
                    break;
                case '\\':
                    inWord = true;
                    if (i + 1 < text.Length) current.Append(text[++i]);
                    break;
                default:
                    inWord = true;
                    current.Append(c);
                    break;
            }
        }
        if (quote != '\0') throw Fail(what, UnmatchedQuoteMessage(quote));
        if (inWord) words.Add(current.ToString());
        return words;
    }

    private static KdumpConfigException Fail(string? what, string message) =>
        new(what is null ? message : $"{what}: {message}");
}
