using System.Text;

namespace Kdump.Kernel.Tests.Synthetic;

/// <summary>
/// Lays out a 3.5–5.9 variable-length record buffer like the kernel's <c>log_store</c>: records of
/// a 16-byte header (24 with <c>caller_id</c>) + text, aligned to 8; when a record does not fit
/// before the end, a zeroed header (len 0) marks the end and writing restarts at 0; the oldest
/// records are dropped (<c>log_first_idx</c> advances) to make room.
/// </summary>
internal sealed class PrintkLogWriter
{
    private readonly SyntheticKernel _k;
    private readonly byte[] _buffer;
    private readonly ulong _bufVa;
    private readonly ulong _firstIdxVa;
    private readonly ulong _nextIdxVa;
    private readonly ulong _clearIdxVa;
    private readonly int _header;
    private readonly bool _caller;
    private uint _next;

    public PrintkLogWriter(SyntheticKernel kernel, int bufferLength, bool withCallerId, bool oldStructName = false)
    {
        _k = kernel;
        _buffer = new byte[bufferLength];
        _caller = withCallerId;
        _header = withCallerId ? 24 : 16;
        _bufVa = kernel.AllocDirect(bufferLength);
        var logBufPtr = kernel.AllocKernelData(8);
        var lenVa = kernel.AllocKernelData(4);
        _firstIdxVa = kernel.AllocKernelData(4);
        _nextIdxVa = kernel.AllocKernelData(4);
        _clearIdxVa = kernel.AllocKernelData(4);
        kernel.WriteVirtualU64(logBufPtr, _bufVa);
        kernel.WriteVirtualU32(lenVa, (uint)bufferLength);
        kernel.WriteVirtualU32(_clearIdxVa, 0);
        var s = oldStructName ? "log" : "printk_log";
        kernel.Line($"SYMBOL(log_buf)={logBufPtr:x}");
        kernel.Line($"SYMBOL(log_buf_len)={lenVa:x}");
        kernel.Line($"SYMBOL(log_first_idx)={_firstIdxVa:x}");
        kernel.Line($"SYMBOL(clear_idx)={_clearIdxVa:x}");
        kernel.Line($"SYMBOL(log_next_idx)={_nextIdxVa:x}");
        kernel.Line($"SIZE({s})={_header}");
        kernel.Line($"OFFSET({s}.ts_nsec)=0");
        kernel.Line($"OFFSET({s}.len)=8");
        kernel.Line($"OFFSET({s}.text_len)=10");
        kernel.Line($"OFFSET({s}.dict_len)=12");
        if (withCallerId) kernel.Line($"OFFSET({s}.caller_id)=16");
        Flush();
    }

    public ulong BufferVa => _bufVa;

    private readonly List<(uint Idx, string Text)> _records = [];

    public void Add(string text, ulong ts, uint caller = 1) => Add(Encoding.UTF8.GetBytes(text), ts, caller, text);

    public void Add(byte[] text, ulong ts, uint caller, string? label = null)
    {
        var size = (_header + text.Length + 7) & ~7;
        if (size + _header > _buffer.Length) throw new ArgumentException("record too large", nameof(text));
        if (_next + size + _header > _buffer.Length)
        {
            // No room before the end: a zeroed header (len 0) marks it and writing restarts at 0.
            Array.Clear(_buffer, (int)_next, _header);
            _next = 0;
        }
        // Drop the oldest records (all in the previous lap, after _next) that the new one overwrites.
        while (_records.Count > 0 && _records[0].Idx >= _next && _records[0].Idx < _next + (uint)size + (uint)_header)
            _records.RemoveAt(0);
        var at = (int)_next;
        Array.Clear(_buffer, at, size);
        BitConverter.GetBytes(ts).CopyTo(_buffer, at);
        BitConverter.GetBytes((ushort)size).CopyTo(_buffer, at + 8);
        BitConverter.GetBytes((ushort)text.Length).CopyTo(_buffer, at + 10);
        if (_caller) BitConverter.GetBytes(caller).CopyTo(_buffer, at + 16);
        text.CopyTo(_buffer, at + _header);
        _records.Add((_next, label ?? Encoding.UTF8.GetString(text)));
        _next += (uint)size;
        Flush();
    }

    /// <summary>Texts of the live records, oldest first.</summary>
    public IReadOnlyList<string> LiveTexts => [.. _records.Select(r => r.Text)];

    public void SetIndexes(uint first, uint next)
    {
        _k.WriteVirtualU32(_firstIdxVa, first);
        _k.WriteVirtualU32(_nextIdxVa, next);
    }

    /// <summary>clear_idx, as `dmesg -c` leaves it: the index of the first record after the clear.</summary>
    public void SetClearIdx(uint idx) => _k.WriteVirtualU32(_clearIdxVa, idx);

    /// <summary>The buffer index of each live record, oldest first.</summary>
    public IReadOnlyList<uint> LiveIndexes => [.. _records.Select(r => r.Idx)];

    public void Poke(int offset, byte[] bytes) => _k.WriteVirtual(_bufVa + (ulong)offset, bytes);

    private void Flush()
    {
        _k.WriteVirtual(_bufVa, _buffer);
        SetIndexes(_records.Count == 0 ? _next : _records[0].Idx, _next);
    }
}
