using System.Text;

namespace Kdump.Cli;

/// <summary>
/// Messages written as C's printf writes them: to a standard stream that is closed, full or gone
/// (EBADF, ENOSPC, EIO), the text is lost and the program goes on. Without it a .NET tool dies of
/// an unhandled exception (exit 134) where makedumpfile finishes its dump, as a script run with
/// <c>&gt;/dev/null 2&gt;&amp;-</c> or a console that went away expects. Only for messages: data a
/// tool writes to stdout (a dump with -F) goes to the stream itself, whose errors are reported.
/// </summary>
public sealed class LossyTextWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    public override void Write(char value) => Try(() => inner.Write(value));

    public override void Write(string? value) => Try(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Try(() => inner.Write(buffer, index, count));

    public override void Flush() => Try(inner.Flush);

    private static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Lost, as printf's text is.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Try(inner.Dispose);
        base.Dispose(disposing);
    }
}
