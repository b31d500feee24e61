namespace Kdump.Config.Messages;

/// <summary>
/// kdump-logger.sh console format and level filter. In the first kernel the default console
/// level is 3 (info): error, warning and info reach stderr, debug does not.
/// </summary>
public static class KdumpLog
{
    public const string Prefix = "kdump: ";

    /// <summary>Default console level in the first kernel (<c>kdump_stdloglvl</c> 3).</summary>
    public const KdumpLogLevel DefaultConsoleLevel = KdumpLogLevel.Info;

    public static string Format(string text) => Prefix + text;

    public static bool IsShown(KdumpLogLevel level, KdumpLogLevel consoleLevel = DefaultConsoleLevel) =>
        level <= consoleLevel;

    /// <summary>Writes the messages that pass <paramref name="consoleLevel"/> to <paramref name="stderr"/>.</summary>
    public static void WriteAll(TextWriter stderr, IEnumerable<KdumpMessage> messages, KdumpLogLevel consoleLevel = DefaultConsoleLevel)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var m in messages)
        {
            if (IsShown(m.Level, consoleLevel)) stderr.Write(m.ToConsoleLine() + "\n");
        }
    }

    public static KdumpMessage Error(string text, int? line = null) => new(KdumpLogLevel.Error, text, line);

    public static KdumpMessage Warning(string text, int? line = null) => new(KdumpLogLevel.Warning, text, line);

    public static KdumpMessage Info(string text, int? line = null) => new(KdumpLogLevel.Info, text, line);

    public static KdumpMessage Debug(string text, int? line = null) => new(KdumpLogLevel.Debug, text, line);
}
