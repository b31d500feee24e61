namespace Kdump.Config.Conf;

/// <summary><c>failure_action</c> / <c>final_action</c> values (final_action allows only the first three).</summary>
public enum KdumpAction
{
    Reboot,
    Halt,
    Poweroff,
    Shell,
    DumpToRootfs,
}

/// <summary>Parsing of the action words.</summary>
public static class KdumpActions
{
    public static bool TryParseFailureAction(string value, out KdumpAction action)
    {
        switch (value)
        {
            case "reboot": action = KdumpAction.Reboot; return true;
            case "halt": action = KdumpAction.Halt; return true;
            case "poweroff": action = KdumpAction.Poweroff; return true;
            case "shell": action = KdumpAction.Shell; return true;
            case "dump_to_rootfs": action = KdumpAction.DumpToRootfs; return true;
            default: action = default; return false;
        }
    }

    public static bool TryParseFinalAction(string value, out KdumpAction action) =>
        TryParseFailureAction(value, out action) && action is KdumpAction.Reboot or KdumpAction.Halt or KdumpAction.Poweroff;

    public static string ToConfigWord(this KdumpAction action) => action switch
    {
        KdumpAction.Reboot => "reboot",
        KdumpAction.Halt => "halt",
        KdumpAction.Poweroff => "poweroff",
        KdumpAction.Shell => "shell",
        _ => "dump_to_rootfs",
    };
}
