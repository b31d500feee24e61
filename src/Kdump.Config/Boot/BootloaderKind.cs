namespace Kdump.Config.Boot;

/// <summary>Which mechanism a reset-crashkernel plan uses, in order of preference.</summary>
public enum BootloaderKind
{
    /// <summary><c>grubby</c> is installed: the plan is the argv kdumpctl would run.</summary>
    Grubby,
    /// <summary>No grubby: edit <c>options</c> lines of <c>/boot/loader/entries/*.conf</c>.</summary>
    BlsEntries,
    /// <summary>No grubby, no BLS: edit <c>GRUB_CMDLINE_LINUX</c> in <c>/etc/default/grub</c> (then run update-grub).</summary>
    DefaultGrub,
}
