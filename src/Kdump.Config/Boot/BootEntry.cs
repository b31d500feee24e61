namespace Kdump.Config.Boot;

/// <summary>
/// A boot entry as <c>grubby --info</c> reports it (index, kernel, args), or a BLS entry file
/// (<c>/boot/loader/entries/*.conf</c>, where <see cref="FilePath"/> is set).
/// </summary>
public sealed record BootEntry(int Index, string Kernel, string Args, string? FilePath = null, string? Version = null)
{
    public string? Crashkernel => KernelArgs.Get(Args, "crashkernel");
    public string? Fadump => KernelArgs.Get(Args, "fadump");
}
