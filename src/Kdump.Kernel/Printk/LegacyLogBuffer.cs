using System.Globalization;
using Kdump.Kernel.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Printk;

/// <summary>
/// The character <c>log_buf</c> of kernels before Linux 3.5 (replaced by commit 7ff9554bb578): raw
/// text with <c>&lt;N&gt;</c> level prefixes, <c>log_end</c> counting every byte ever written. The
/// buffer is returned oldest-first: from <c>log_end % log_buf_len</c> round to the same point, cut
/// to the last <c>min(log_end, log_buf_len)</c> bytes (kexec-tools <c>dump_dmesg_legacy</c>; for a
/// power-of-two length this equals makedumpfile's <c>log_end &amp; (len − 1)</c> rotation).
/// <c>log_end</c> is read as 32 bits (an <c>unsigned</c> since 2.6.25; VMCOREINFO itself is 2.6.24+).
/// </summary>
public sealed class LegacyLogBuffer : IPrintkLayout
{
    private const string Purpose = "the legacy log_buf";

    public PrintkLayoutKind Kind => PrintkLayoutKind.Legacy;

    public bool Probe(VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.TryGetSymbol("log_buf", out _);
    }

    public PrintkLog Read(VmcoreInfo info, KernelMemory memory, ParseLimits limits)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(limits);
        var logBuf = memory.ReadWord(info.RequireSymbol("log_buf", Purpose));
        var logEnd = memory.ReadU32(info.RequireSymbol("log_end", Purpose));
        var logBufLen = unchecked((int)memory.ReadU32(info.RequireSymbol("log_buf_len", Purpose)));
        if (logBufLen <= 0)
            throw DumpErrors.Corrupt(null, "log_buf_len", logBufLen.ToString(CultureInfo.InvariantCulture), null, "must be positive");
        var buffer = memory.ReadBytes(new VirtAddr(logBuf), (ulong)logBufLen, limits.MaxLogBufferBytes, "log_buf");
        return new PrintkLog(PrintkLayoutKind.Legacy, [], RotateCore(buffer, logEnd), hasCallerIds: false);
    }

    /// <summary>The last <c>min(logEnd, buffer.Length)</c> bytes written, oldest first.</summary>
    public static byte[] RotateCore(ReadOnlySpan<byte> buffer, uint logEnd)
    {
        var len = (uint)buffer.Length;
        var wrapAt = (int)(logEnd % len);
        var rotated = new byte[buffer.Length];
        buffer[wrapAt..].CopyTo(rotated);
        buffer[..wrapAt].CopyTo(rotated.AsSpan(buffer.Length - wrapAt));
        var logged = (int)Math.Min(logEnd, len);
        return rotated[(buffer.Length - logged)..];
    }
}
