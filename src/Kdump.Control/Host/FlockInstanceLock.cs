namespace Kdump.Control.Host;

/// <summary>
/// The real lock. On Linux a <see cref="FileStream"/> opened with <see cref="FileShare.None"/> takes
/// <c>flock(LOCK_EX|LOCK_NB)</c>, so it excludes upstream's shell kdumpctl too; a failed attempt is
/// retried every second and reported every <see cref="ReportEvery"/> like upstream's 5 s message.
/// </summary>
public sealed class FlockInstanceLock(TimeSpan? reportEvery = null) : IInstanceLock
{
    public TimeSpan ReportEvery { get; } = reportEvery ?? TimeSpan.FromSeconds(5);

    public IDisposable Acquire(string hostPath, Action waiting)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        var lastReport = DateTime.MinValue;
        while (true)
        {
            try
            {
                return new FileStream(hostPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(hostPath))
            {
                if (DateTime.UtcNow - lastReport >= ReportEvery)
                {
                    waiting();
                    lastReport = DateTime.UtcNow;
                }
                Thread.Sleep(1000);
            }
        }
    }
}
