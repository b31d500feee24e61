using System.Diagnostics;

namespace Kdump.Makedumpfile;

/// <summary>
/// makedumpfile's progress indicator (print_info.c:print_progress): "\r", the label padded to 50
/// columns, the percentage in tenths, a spinner and a right-aligned ETA; at most once a wall-clock
/// second and always at 100 %. As upstream, the spinner and the clock belong to the console, not to
/// a step (they are statics there), and no step ends its line: each redraws the one before, and
/// <see cref="EndLine"/> ends the last.
/// </summary>
internal sealed class ProgressConsole(TextWriter error)
{
    private const string Spinner = "/|\\-";
    // Upstream compares time(NULL) seconds with a static that starts at 0: the first call draws,
    // later ones only once the wall-clock second has changed.
    private long _lastSecond;
    private int _lapse;
    private bool _open;

    public void Draw(string label, long current, long end, Stopwatch? started)
    {
        var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (current < end && second == _lastSecond) return;
        if (current < end) _lastSecond = second;
        var tenths = end == 0 || current >= end ? 1000 : (uint)(current * 1000 / end);
        _open = true;
        error.Write($"\r{label,-50}: [{tenths / 10,3}.{tenths % 10} %] {Spinner[_lapse++ % 4]}  {Eta(started, tenths),16}");
    }

    /// <summary>The newline after the last step's line (before a message, or at the end), if one is open.</summary>
    public void EndLine()
    {
        if (!_open) return;
        _open = false;
        error.Write("\n");
        error.Flush();
    }

    /// <summary>
    /// print_progress's ETA: blank before the first promille, then the elapsed milliseconds over
    /// the promilles done, less the elapsed seconds, in eta_to_human_short's units.
    /// </summary>
    private static string Eta(Stopwatch? started, uint promille)
    {
        if (started is null || promille == 0) return "";
        var elapsed = started.Elapsed;
        var left = (ulong)elapsed.TotalMilliseconds / promille - (ulong)elapsed.TotalSeconds;
        ulong minutes = left / 60, hours = minutes / 60, days = hours / 24;
        return left < 100 ? $"eta: {left}s"
            : minutes < 100 ? $"eta: {minutes}m{left % 60}s"
            : hours < 48 ? $"eta: {hours}h{minutes % 60}m"
            : days < 100 ? $"eta: {days}d{hours % 24}h"
            : "eta: >100day";
    }
}

/// <summary>One step's line on a <see cref="ProgressConsole"/> (upstream's PROGRESS_COPY and the like).</summary>
internal sealed class ProgressLine(ProgressConsole console, string label, bool showEta = true)
{
    private readonly Stopwatch? _started = showEta ? Stopwatch.StartNew() : null;

    public void Update(long current, long end) => console.Draw(label, current, end, _started);

    /// <summary>The step's 100 % line; the line stays open for the next step's redraw.</summary>
    public void Finish(long end) => console.Draw(label, end, end, _started);
}
