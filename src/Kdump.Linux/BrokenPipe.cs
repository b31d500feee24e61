namespace Kdump.Linux;

/// <summary>
/// What a write to a pipe whose reader is gone does. The .NET runtime ignores SIGPIPE and its console
/// stream drops EPIPE writes without a word, so <c>makedumpfile -F … | ssh …</c> went on after ssh
/// died and said "makedumpfile Completed.", exit 0. The C tools we stand in for are killed by SIGPIPE
/// there (a shell sees 141, a pipefail script sees the failure); their Main calls
/// <see cref="DieOnSigpipe"/> to get the same. Not for a process that feeds children's pipes itself
/// (kdumpctl, kdump-capture): a consumer's death must be an error it reports, not its own end.
/// </summary>
public static class BrokenPipe
{
    public static void DieOnSigpipe()
    {
        if (OperatingSystem.IsLinux()) LibC.signal(LibC.SIGPIPE, LibC.SIG_DFL);
    }
}
