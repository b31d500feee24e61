namespace Kdump.Kernel.Printk;

/// <summary>
/// One printk record: <see cref="Sequence"/> (the kernel's <c>seq</c> for the lockless ring, null
/// when VMCOREINFO has no OFFSET(printk_info.seq), as VMCOREINFO made from a vmlinux; a running
/// count otherwise), <see cref="TimestampNs"/> (<c>ts_nsec</c>), <see cref="CallerId"/>
/// (<c>caller_id</c>: bit 31 set = CPU number, else thread id; null when the kernel does not export
/// it) and the raw <see cref="Text"/> bytes (no trailing newline; may contain '\n' and any byte).
/// </summary>
public sealed record PrintkRecord(ulong? Sequence, ulong TimestampNs, uint? CallerId, ReadOnlyMemory<byte> Text, PrintkRecordKind Kind = PrintkRecordKind.Message)
{
    /// <summary>Bit 31 of <c>caller_id</c>: the record was printed from CPU context, not a task.</summary>
    public const uint CallerIsCpu = 0x80000000;

    /// <summary><c>T&lt;pid&gt;</c> or <c>C&lt;cpu&gt;</c>, as the kernel and makedumpfile print it.</summary>
    public string? CallerText => CallerId is { } c ? ((c & CallerIsCpu) != 0 ? $"C{c & ~CallerIsCpu}" : $"T{c}") : null;
}
