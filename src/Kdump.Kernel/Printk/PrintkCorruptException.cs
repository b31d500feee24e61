using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Printk;

/// <summary>
/// A damaged <c>printk_log</c> chain. The message is upstream's first line; <see cref="LogBuf"/> and
/// <see cref="Index"/> feed its "log_buf = 0x%lx, idx = 0x%lx" line.
/// </summary>
public sealed class PrintkCorruptException(PrintkCorruptionKind kind, ulong logBuf, ulong index)
    : KdumpException(kind == PrintkCorruptionKind.Cycle ? "Cycle when parsing dmesg detected." : "Index outside log_buf detected.")
{
    public PrintkCorruptionKind Kind { get; } = kind;

    /// <summary>Kernel virtual address of the log buffer.</summary>
    public ulong LogBuf { get; } = logBuf;

    /// <summary>Byte index into the buffer where the walk stopped.</summary>
    public ulong Index { get; } = index;
}
