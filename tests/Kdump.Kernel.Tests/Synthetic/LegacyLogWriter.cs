using System.Text;

namespace Kdump.Kernel.Tests.Synthetic;

/// <summary>A pre-3.5 character log_buf: bytes written round-robin, <c>log_end</c> counting all of them.</summary>
internal sealed class LegacyLogWriter
{
    private readonly SyntheticKernel _k;
    private readonly byte[] _buffer;
    private readonly ulong _bufVa;
    private readonly ulong _logEndVa;
    private uint _logEnd;

    public LegacyLogWriter(SyntheticKernel kernel, int bufferLength)
    {
        _k = kernel;
        _buffer = new byte[bufferLength];
        _bufVa = kernel.AllocDirect(bufferLength);
        var ptr = kernel.AllocKernelData(8);
        _logEndVa = kernel.AllocKernelData(4);
        var lenVa = kernel.AllocKernelData(4);
        var loggedVa = kernel.AllocKernelData(4);
        kernel.WriteVirtualU64(ptr, _bufVa);
        kernel.WriteVirtualU32(lenVa, (uint)bufferLength);
        kernel.WriteVirtualU32(loggedVa, 0);
        kernel.Line($"SYMBOL(log_buf)={ptr:x}");
        kernel.Line($"SYMBOL(log_end)={_logEndVa:x}");
        kernel.Line($"SYMBOL(log_buf_len)={lenVa:x}");
        kernel.Line($"SYMBOL(logged_chars)={loggedVa:x}");
        Flush();
    }

    public StringBuilder All { get; } = new();

    public void Write(string text)
    {
        foreach (var b in Encoding.ASCII.GetBytes(text))
        {
            _buffer[_logEnd % (uint)_buffer.Length] = b;
            _logEnd++;
        }
        All.Append(text);
        Flush();
    }

    private void Flush()
    {
        _k.WriteVirtual(_bufVa, _buffer);
        _k.WriteVirtualU32(_logEndVa, _logEnd);
    }
}
