namespace Kdump.Kernel.Printk;

public enum PrintkCorruptionKind
{
    /// <summary>The record chain wraps to the start twice: "Cycle when parsing dmesg detected."</summary>
    Cycle,

    /// <summary>A record index points outside <c>log_buf</c>: "Index outside log_buf detected."</summary>
    IndexOutOfRange,
}
