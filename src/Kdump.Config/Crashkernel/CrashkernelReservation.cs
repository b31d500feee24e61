namespace Kdump.Config.Crashkernel;

/// <summary>
/// What the kernel would reserve for a command line and RAM size (<c>parse_crashkernel</c>
/// outputs). <see cref="KernelMessages"/> are the <c>pr_warn</c>/<c>pr_info</c> texts it would log.
/// </summary>
public sealed record CrashkernelReservation(
    CrashkernelStatus Status,
    ulong Size,
    ulong Base,
    ulong LowSize,
    bool High,
    ulong CmaSize,
    IReadOnlyList<string> KernelMessages)
{
    /// <summary>True when memory would be reserved.</summary>
    public bool Reserves => Status == CrashkernelStatus.Ok && Size > 0;
}
