namespace Kdump.Control.Host;

/// <summary><c>echo c &gt; /proc/sysrq-trigger</c> for <c>kdumpctl test</c>.</summary>
public interface ICrashTrigger
{
    /// <summary>Crashes the machine; returns only when refused or when it failed, with the reason.</summary>
    string Trigger();
}
