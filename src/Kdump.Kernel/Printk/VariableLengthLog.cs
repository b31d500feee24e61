using System.Globalization;
using Kdump.Kernel.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Printk;

/// <summary>
/// Variable-length records in <c>log_buf</c>: Linux commit 7ff9554bb578 ("printk: convert
/// byte-buffer to variable-length record buffer") (v3.5). Each record is a header
/// (<c>ts_nsec</c>, <c>len</c>, <c>text_len</c>, …) followed by its text; a record with
/// <c>len == 0</c> marks the end of the used part and sends the reader back to index 0. The
/// struct was <c>struct log</c> until Linux commit 62e32ac3505a ("printk: rename struct log to
/// struct printk_log") (v3.11); <c>caller_id</c> exists since Linux commit 15ff2069cb7f ("printk:
/// Add caller information to printk() output.") (v5.1) with CONFIG_PRINTK_CALLER.
/// </summary>
public sealed class VariableLengthLog : IPrintkLayout
{
    private const string Purpose = "the printk_log record buffer";

    /// <summary>Headers larger than this are not printk records (the real one is 16 or 20 bytes).</summary>
    private const ulong MaxHeaderBytes = 1024;

    public PrintkLayoutKind Kind => PrintkLayoutKind.VariableLength;

    public bool Probe(VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.TryGetSymbol("log_first_idx", out _);
    }

    public PrintkLog Read(VmcoreInfo info, KernelMemory memory, ParseLimits limits) => Read(info, memory, limits, sinceClear: false);

    /// <summary>From SYMBOL(clear_idx) (the first record after the last `dmesg -c`) when VMCOREINFO has it, as makedumpfile --partial-dmesg.</summary>
    public PrintkLog ReadSinceClear(VmcoreInfo info, KernelMemory memory, ParseLimits limits) => Read(info, memory, limits, sinceClear: true);

    private static PrintkLog Read(VmcoreInfo info, KernelMemory memory, ParseLimits limits, bool sinceClear)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(limits);
        var f = Fields.FromVmcoreInfo(info);

        var logBuf = memory.ReadWord(info.RequireSymbol("log_buf", Purpose));
        var logBufLen = unchecked((int)memory.ReadU32(info.RequireSymbol("log_buf_len", Purpose)));
        var firstIdx = memory.ReadU32(sinceClear && info.TryGetSymbol("clear_idx", out var clearIdx)
            ? clearIdx
            : info.RequireSymbol("log_first_idx", Purpose));
        var nextIdx = memory.ReadU32(info.RequireSymbol("log_next_idx", Purpose));
        if (logBufLen <= 0)
            throw DumpErrors.Corrupt(null, "log_buf_len", logBufLen.ToString(CultureInfo.InvariantCulture), null, "must be positive");
        var buffer = memory.ReadBytes(new VirtAddr(logBuf), (ulong)logBufLen, limits.MaxLogBufferBytes, "log_buf");
        return new PrintkLog(PrintkLayoutKind.VariableLength, Walk(f, memory.Layout, buffer, logBuf, firstIdx, nextIdx), default, f.CallerId is not null);
    }

    private static IEnumerable<PrintkRecord> Walk(Fields f, DataLayout layout, byte[] buffer, ulong logBuf, uint firstIdx, uint nextIdx)
    {
        // Without a wrap the index only grows (len > 0), so the walk ends; a second wrap is a cycle.
        if (buffer.Length < f.HeaderSize || firstIdx > (ulong)(buffer.Length - f.HeaderSize))
            throw new PrintkCorruptException(PrintkCorruptionKind.IndexOutOfRange, logBuf, firstIdx);
        var lastHeader = (ulong)(buffer.Length - f.HeaderSize);
        var wrapped = false;
        ulong sequence = 0;
        ulong idx = firstIdx;
        while (idx != nextIdx)
        {
            var header = new EndianReader(buffer.AsSpan((int)idx, f.HeaderSize), layout);
            var len = header.U16(f.Len);
            var ts = header.U64(f.TsNsec);
            uint? caller = f.CallerId is { } c ? header.U32(c) : null;
            if (len == 0)
            {
                yield return new PrintkRecord(sequence, ts, caller, ReadOnlyMemory<byte>.Empty, PrintkRecordKind.WrapMarker);
                if (wrapped) throw new PrintkCorruptException(PrintkCorruptionKind.Cycle, logBuf, idx);
                wrapped = true;
                idx = 0;
                continue;
            }
            var textStart = idx + (ulong)f.HeaderSize;
            var textLen = Math.Min(header.U16(f.TextLen), (ulong)buffer.Length - textStart);
            yield return new PrintkRecord(sequence++, ts, caller, buffer.AsMemory((int)textStart, (int)textLen));
            idx += len;
            if (idx > lastHeader)
                throw new PrintkCorruptException(PrintkCorruptionKind.IndexOutOfRange, logBuf, idx);
        }
    }

    /// <summary>Header size and field offsets, from VMCOREINFO under either struct name.</summary>
    private sealed record Fields(int HeaderSize, int TsNsec, int Len, int TextLen, int? CallerId)
    {
        public static Fields FromVmcoreInfo(VmcoreInfo info)
        {
            var prefix = info.TryGetSize("printk_log", out _) ? "printk_log" : "log";
            var size = info.RequireSize(prefix, Purpose);                                      // SIZE(printk_log) / SIZE(log)
            if (size is 0 or > MaxHeaderBytes)
                throw DumpErrors.Corrupt(null, $"VMCOREINFO SIZE({prefix})", size.ToString(CultureInfo.InvariantCulture), null, $"is not a plausible record header size (1..{MaxHeaderBytes})");
            var header = (int)size;
            int Offset(string field, int width)
            {
                var v = info.RequireOffset($"{prefix}.{field}", Purpose);
                return v + (ulong)width <= size ? (int)v : throw DumpErrors.Corrupt(null, $"VMCOREINFO OFFSET({prefix}.{field})",
                    v.ToString(CultureInfo.InvariantCulture), null, $"lies outside the {size}-byte header");
            }
            return new Fields(
                header,
                Offset("ts_nsec", 8),                                                          // u64 ts_nsec
                Offset("len", 2),                                                              // u16 len: whole record with padding
                Offset("text_len", 2),                                                         // u16 text_len
                info.TryGetOffset($"{prefix}.caller_id", out _) ? Offset("caller_id", 4) : null); // u32 caller_id (5.1+, CONFIG_PRINTK_CALLER)
        }
    }
}
