namespace Kdump.Kernel.Printk;

public enum PrintkRecordKind
{
    /// <summary>A committed log record (its text may be empty).</summary>
    Message,

    /// <summary>
    /// A lockless-ring record whose data block is empty (<c>begin == next</c>): kexec-tools prints
    /// only its timestamp, makedumpfile skips it.
    /// </summary>
    DataLess,

    /// <summary>
    /// The zero-length end-of-buffer marker of a <c>printk_log</c> buffer: kexec-tools prints it as
    /// a record (a bare timestamp line), makedumpfile does not.
    /// </summary>
    WrapMarker,
}
