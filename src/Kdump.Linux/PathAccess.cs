using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary>access(2): whether the caller may write a path, without opening it (a FIFO's open would block or end its reader).</summary>
public static class PathAccess
{
    private const int W_OK = 2;

    /// <summary>0 when <paramref name="path"/> may be written, else the errno access(2) gives.</summary>
    public static int CheckWrite(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return LibC.access(path, W_OK) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
