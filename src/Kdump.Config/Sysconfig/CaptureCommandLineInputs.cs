namespace Kdump.Config.Sysconfig;

/// <summary>Inputs of <c>prepare_cmdline</c> (kdump-lib.sh:698), gathered by the caller.</summary>
/// <param name="ProcCmdline">Text of <c>/proc/cmdline</c> (used when KDUMP_COMMANDLINE is empty).</param>
/// <param name="KdumpCommandline">KDUMP_COMMANDLINE.</param>
/// <param name="Remove">KDUMP_COMMANDLINE_REMOVE.</param>
/// <param name="Append">KDUMP_COMMANDLINE_APPEND (appended verbatim).</param>
/// <param name="BootCpuApicId">apicid of processor 0 from /proc/cpuinfo (<see cref="CpuInfo.BootCpuApicId"/>), or null.</param>
/// <param name="WatchdogDrivers">Active watchdog drivers (modalias of /sys/class/watchdog/*/device resolved by modprobe -R).</param>
/// <param name="IsAwsGraviton">lscpu "BIOS Model name" contains "AWS Graviton" (irqpoll is then removed).</param>
/// <param name="Debug">kdumpctl runs under <c>set -x</c> (adds <c>rd.debug</c>).</param>
public sealed record CaptureCommandLineInputs(
    string ProcCmdline,
    string KdumpCommandline = "",
    string Remove = SysconfigKdump.FallbackCommandlineRemove,
    string Append = "",
    string? BootCpuApicId = null,
    IReadOnlyList<string>? WatchdogDrivers = null,
    bool IsAwsGraviton = false,
    bool Debug = false)
{
    public static CaptureCommandLineInputs From(SysconfigKdump sysconfig, string procCmdline) => new(
        procCmdline,
        sysconfig?.KdumpCommandline ?? "",
        sysconfig?.KdumpCommandlineRemove ?? SysconfigKdump.FallbackCommandlineRemove,
        sysconfig?.KdumpCommandlineAppend ?? "");
}
