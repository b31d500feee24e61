using Kdump.Linux;

namespace Kdump.Control.Host;

/// <summary>
/// Writes <c>c</c> to /proc/sysrq-trigger — only when <see cref="RebootGuard"/> allows taking the
/// machine away (a VM-test guest), the same guard as reboot(2); a development host is never crashed.
/// </summary>
public sealed class SysrqCrashTrigger(RebootGuard guard) : ICrashTrigger
{
    public string Trigger()
    {
        if (guard.WhyRefused() is { } why) return $"refusing to crash the system through /proc/sysrq-trigger: {why}";
        try
        {
            File.WriteAllText("/proc/sysrq-trigger", "c");
            return "the system is still running after sysrq-trigger";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write /proc/sysrq-trigger: {e.Message}";
        }
    }
}
