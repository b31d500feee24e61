namespace Kdump.Kernel.Printk;

public enum PrintkLayoutKind
{
    /// <summary>Lockless <c>printk_ringbuffer</c> (Linux 5.10+).</summary>
    LocklessRing,

    /// <summary>Variable-length <c>struct printk_log</c> records (Linux 3.5–5.9; <c>struct log</c> before 3.11).</summary>
    VariableLength,

    /// <summary>Plain character <c>log_buf</c> (before Linux 3.5).</summary>
    Legacy,
}
