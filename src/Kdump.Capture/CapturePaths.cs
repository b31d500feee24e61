namespace Kdump.Capture;

/// <summary>
/// Maps the capture kernel's system paths (<c>/etc/kdump.conf</c>, <c>/kdumproot/…</c>) to host
/// paths under <see cref="Root"/>; "/" in the capture kernel, a temp tree in tests.
/// </summary>
public sealed class CapturePaths
{
    public CapturePaths(string root, string? vmcore = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root == "/" ? "" : Path.GetFullPath(root).TrimEnd('/');
        Vmcore = vmcore ?? Host("/proc/vmcore");
    }

    public string Root { get; }

    /// <summary>Host path of /proc/vmcore (a fixture file in tests).</summary>
    public string Vmcore { get; }

    public string Host(string systemPath)
    {
        ArgumentNullException.ThrowIfNull(systemPath);
        return Root + "/" + string.Join('/', systemPath.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }
}
