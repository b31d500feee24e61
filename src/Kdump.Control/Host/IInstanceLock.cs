namespace Kdump.Control.Host;

/// <summary>kdumpctl's single-instance lock (upstream: <c>flock</c> on fd 9 of /run/lock/kdump).</summary>
public interface IInstanceLock
{
    /// <summary>
    /// Blocks until the lock at <paramref name="hostPath"/> is held; calls <paramref name="waiting"/>
    /// once per wait period while another process holds it. Dispose releases it.
    /// </summary>
    IDisposable Acquire(string hostPath, Action waiting);
}
