namespace Kdump.Config.Messages;

/// <summary>kdump-logger.sh levels (derror=1, dwarn=2, dinfo=3, ddebug=4).</summary>
public enum KdumpLogLevel
{
    Error = 1,
    Warning = 2,
    Info = 3,
    Debug = 4,
}
