using System.Text;

namespace Kdump.Initramfs.Cpio;

/// <summary>
/// Writes a newc archive entry by entry. Determinism is the caller's plan (sorted entries,
/// fixed mtime); this class numbers inodes 1, 2, 3… in write order.
/// </summary>
public sealed class CpioNewcWriter
{
    private readonly Stream _output;
    private readonly uint _mtime;
    private uint _nextIno = 1;
    private long _position;
    private bool _finished;

    public CpioNewcWriter(Stream output, uint mtime = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _mtime = mtime;
    }

    /// <summary>Bytes written so far.</summary>
    public long Position => _position;

    public void WriteDirectory(string name, uint permissions) =>
        WriteEntry(name, UnixMode.Directory | permissions, 2, 0, 0, ReadOnlySpan<byte>.Empty);

    public void WriteFile(string name, uint permissions, ReadOnlySpan<byte> data) =>
        WriteEntry(name, UnixMode.Regular | permissions, 1, 0, 0, data);

    public void WriteSymlink(string name, string target) =>
        WriteEntry(name, UnixMode.Symlink | UnixMode.Perm0777, 1, 0, 0, Encoding.UTF8.GetBytes(target));

    public void WriteCharDevice(string name, uint permissions, uint major, uint minor) =>
        WriteEntry(name, UnixMode.CharDevice | permissions, 1, major, minor, ReadOnlySpan<byte>.Empty);

    /// <summary>The <c>TRAILER!!!</c> entry; the archive is complete after it.</summary>
    public void Finish()
    {
        if (_finished) return;
        var ino = _nextIno;
        _nextIno = 0;
        WriteRaw(CpioNewcHeader.TrailerName, 0, 1, 0, 0, ReadOnlySpan<byte>.Empty, 0);
        _nextIno = ino;
        _finished = true;
    }

    private void WriteEntry(string name, uint mode, uint nlink, uint rdevMajor, uint rdevMinor, ReadOnlySpan<byte> data)
    {
        if (_finished) throw new InvalidOperationException("the cpio archive is already finished");
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.StartsWith('/')) throw new ArgumentException($"cpio entry name '{name}' must be relative", nameof(name));
        WriteRaw(name, mode, nlink, rdevMajor, rdevMinor, data, _nextIno);
        _nextIno = checked(_nextIno + 1);
    }

    private void WriteRaw(string name, uint mode, uint nlink, uint rdevMajor, uint rdevMinor, ReadOnlySpan<byte> data, uint ino)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        if ((ulong)data.Length > uint.MaxValue) throw new ArgumentException($"cpio entry '{name}' is larger than 4 GiB");
        Span<byte> header = stackalloc byte[CpioNewcHeader.Size];
        CpioNewcHeader.WriteCore(header, new CpioNewcFields(
            ino, mode, 0, 0, nlink, _mtime, (uint)data.Length, rdevMajor, rdevMinor, (uint)nameBytes.Length));
        Span<byte> zeros = stackalloc byte[4];
        zeros.Clear();
        _output.Write(header);
        _output.Write(nameBytes);
        var namePad = CpioNewcHeader.PadTo4(CpioNewcHeader.Size + nameBytes.Length);
        _output.Write(zeros[..namePad]);
        _output.Write(data);
        var dataPad = CpioNewcHeader.PadTo4(data.Length);
        _output.Write(zeros[..dataPad]);
        _position = checked(_position + CpioNewcHeader.Size + nameBytes.Length + namePad + data.Length + dataPad);
    }
}
