using Kdump.Cli;

namespace Kdump.Compat.Tests.Cli;

public class GetoptTests
{
    private static readonly Getopt s_parser = new("b:cDd:eEFfg:hi:lL:pRvXx:zo::",
    [
        new("dump-dmesg", ArgumentKind.None, 1),
        new("diskset", ArgumentKind.Required, 2),
        new("dry-run", ArgumentKind.None, 3),
        new("message-level", ArgumentKind.Required, 4),
        new("help", ArgumentKind.None, 'h'),
        new("hel", ArgumentKind.None, 'h'),
    ]);

    /// <summary>argv → "id=arg" items then "| operands", or the first error text.</summary>
    [Theory]
    [InlineData("-cd31 in out", "c d=31 | in out")]
    [InlineData("-c -d 31 in out", "c d=31 | in out")]
    [InlineData("in -l out -d1", "l d=1 | in out")]
    [InlineData("-d -c", "d=-c |")]
    [InlineData("-lc -- -d x", "l c | -d x")]
    [InlineData("- -c", "c | -")]
    [InlineData("--dump-dmesg a b", "1 | a b")]
    [InlineData("--dump a b", "1 | a b")]
    [InlineData("--mess=7 x", "4=7 | x")]
    [InlineData("--message-level 7", "4=7 |")]
    [InlineData("--message-level -1", "4=-1 |")]
    [InlineData("--he", "h |")]
    [InlineData("--hel", "h |")]
    [InlineData("-o", "o |")]
    [InlineData("-ofoo", "o=foo |")]
    [InlineData("-o foo", "o | foo")]
    [InlineData("-q", "prog: invalid option -- 'q'")]
    [InlineData("-cq", "prog: invalid option -- 'q'")]
    [InlineData("-d", "prog: option requires an argument -- 'd'")]
    [InlineData("--foo=1", "prog: unrecognized option '--foo=1'")]
    [InlineData("--d", "prog: option '--d' is ambiguous; possibilities: '--dump-dmesg' '--diskset' '--dry-run'")]
    [InlineData("--d=1", "prog: option '--d=1' is ambiguous; possibilities: '--dump-dmesg' '--diskset' '--dry-run'")]
    [InlineData("--dump-dmesg=1", "prog: option '--dump-dmesg' doesn't allow an argument")]
    [InlineData("--message-level", "prog: option '--message-level' requires an argument")]
    public void Parses_like_glibc_getopt_long(string argv, string expected)
    {
        var result = s_parser.Parse(argv.Split(' ', StringSplitOptions.RemoveEmptyEntries), "prog");
        if (result.FirstError is { } e)
        {
            Assert.Equal(expected, e.Error);
            return;
        }
        var items = result.Options.Select(o => (o.Id < 256 && char.IsAsciiLetter((char)o.Id) ? ((char)o.Id).ToString() : o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            + (o.Argument is null ? "" : "=" + o.Argument));
        Assert.Equal(expected, string.Join(' ', items) + " |" + string.Concat(result.Operands.Select(x => " " + x)));
    }

    [Fact]
    public void Posixly_correct_stops_at_the_first_operand()
    {
        var r = s_parser.Parse(["-c", "in", "-l"], "prog", posixlyCorrect: true);
        Assert.Equal(['c'], r.Options.Select(o => o.Id));
        Assert.Equal(["in", "-l"], r.Operands);
    }

    /// <summary>
    /// argv as glibc's getopt_long leaves it (makedumpfile -D prints it): each expectation is what
    /// a C program calling getopt_long with the same option string printed on Debian 12 (glibc 2.36).
    /// </summary>
    [Theory]
    [InlineData("in -l out -d1", false, "-l -d1 in out")]
    [InlineData("in -l -- -d x", false, "-l -- in -d x")]
    [InlineData("-c -d 31 in out", false, "-c -d 31 in out")]
    [InlineData("a -d -c b", false, "-d -c a b")]
    [InlineData("x --message-level 7 y -cd31 z", false, "--message-level 7 -cd31 x y z")]
    [InlineData("-o foo -ofoo bar", false, "-o -ofoo foo bar")]
    [InlineData("-c in -l", true, "-c in -l")]
    public void Permuted_is_argv_as_glibc_leaves_it(string argv, bool posixlyCorrect, string expected)
    {
        var result = s_parser.Parse(argv.Split(' '), "prog", posixlyCorrect);
        Assert.Equal(expected, string.Join(' ', result.Permuted));
    }
}
