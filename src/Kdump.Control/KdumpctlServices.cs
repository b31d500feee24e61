using Kdump.Cli;
using Kdump.Control.Host;
using Kdump.Linux;

namespace Kdump.Control;

/// <summary>
/// Everything kdumpctl does to the machine besides reading and writing files under its root:
/// the console, system calls (through KexecLoader), external programs, the instance lock, the
/// sysrq crash and the clock. Program.cs passes the real ones, tests recording fakes.
/// </summary>
public sealed record KdumpctlServices(
    IToolContext Console,
    ISystemCalls Syscalls,
    IProcessRunner Processes,
    IInstanceLock Lock,
    ICrashTrigger Crash)
{
    /// <summary>Wall clock for the <c>kdump_test_id</c> and the status-file dates.</summary>
    public Func<DateTimeOffset> Clock { get; init; } = static () => DateTimeOffset.UtcNow;

    /// <summary><c>uname -m</c> (the crashkernel defaults are per architecture).</summary>
    public string Arch { get; init; } = "x86_64";

    /// <summary>Waits between network-target probes (one second each, up to 180).</summary>
    public Action<TimeSpan> Sleep { get; init; } = Thread.Sleep;

    /// <summary>The zone of the machine's local times (Pacemaker's <c>cib-last-written</c>).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>The mkdumprd kdumpctl runs (<c>/sbin/mkdumprd</c> upstream).</summary>
    public string Mkdumprd { get; init; } = "/sbin/mkdumprd";
}
