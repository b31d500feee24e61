using System.Diagnostics;

namespace Kdump.Makedumpfile;

/// <summary>
/// makedumpfile's progress indicator (print_info.c:print_progress): "\r", the label padded to 50
/// columns, the percentage in tenths, a spinner and a right-aligned ETA; at most once a second and
/// always at 100 %.
/// </summary>
internal sealed class ProgressLine(TextWriter error, string label, bool showEta = true)
{
    private const string Spinner = "/|\\-";
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    // Upstream compares time(NULL) seconds: the first line appears when the wall-clock second changes.
    private long _lastSecond = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private int _lapse;

    public void Update(long current, long end)
    {
        var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (current < end && second == _lastSecond) return;
        _lastSecond = second;
        var tenths = end == 0 ? 1000 : (uint)(current * 1000 / end);
        error.Write($"\r{label,-50}: [{tenths / 10,3}.{tenths % 10} %] {Spinner[_lapse++ % 4]}  {Eta(current, end),16}");
    }

    /// <summary>The final 100 % line and the newline after it.</summary>
    public void Finish(long end)
    {
        _lastSecond = -1;
        Update(end, end);
        error.Write("\n");
        error.Flush();
    }

    private string Eta(long current, long end)
    {
        if (!showEta || current == 0) return "";
        var elapsed = _clock.Elapsed.TotalSeconds;
        var left = (long)(elapsed * (end - current) / current);
        return left switch
        {
            < 60 => $"eta: {left}s",
            < 3600 => $"eta: {left / 60}m{left % 60}s",
            < 86400 => $"eta: {left / 3600}h{left % 3600 / 60}m",
            < 100 * 86400 => $"eta: {left / 86400}d{left % 86400 / 3600}h",
            _ => "eta: >100day",
        };
    }
}
