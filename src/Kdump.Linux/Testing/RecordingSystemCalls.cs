using System.Globalization;
using System.Text;

namespace Kdump.Linux.Testing;

/// <summary>
/// An <see cref="ISystemCalls"/> that changes nothing: it records each call as a C-like line
/// (<c>kexec_file_load(3&lt;/boot/vmlinuz&gt;, -1, 1, "", KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS) = 0</c>)
/// and returns the errno scripted for that call name with <see cref="FailNext"/> or <see cref="FailAlways"/>.
/// <c>open</c> succeeds when the file exists on the real file system (tests use prepared trees).
/// </summary>
public sealed class RecordingSystemCalls : ISystemCalls
{
    private readonly Dictionary<string, Queue<int>> _next = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _always = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _open = [];
    private int _nextFd = 3;

    public List<string> Calls { get; } = [];

    /// <summary>The next call of <paramref name="name"/> fails with <paramref name="errno"/> (queued in order).</summary>
    public RecordingSystemCalls FailNext(string name, int errno)
    {
        if (!_next.TryGetValue(name, out var q)) _next[name] = q = new Queue<int>();
        q.Enqueue(errno);
        return this;
    }

    /// <summary>Every call of <paramref name="name"/> fails with <paramref name="errno"/> (e.g. ENOSYS: no kexec in this kernel).</summary>
    public RecordingSystemCalls FailAlways(string name, int errno)
    {
        _always[name] = errno;
        return this;
    }

    public SyscallResult open(string pathname)
    {
        var r = Scripted(nameof(open)) is { } e ? SyscallResult.Fail(e)
            : File.Exists(pathname) ? SyscallResult.Ok(_nextFd++)
            : Directory.Exists(pathname) ? SyscallResult.Ok(_nextFd++)
            : SyscallResult.Fail(Errno.ENOENT);
        if (!r.IsError) _open[(int)r.Value] = pathname;
        return Record($"open(\"{pathname}\", O_RDONLY|O_CLOEXEC)", r);
    }

    public SyscallResult close(int fd)
    {
        var call = $"close({Fd(fd)})";
        return Record(call, _open.Remove(fd) ? SyscallResult.Ok() : SyscallResult.Fail(Errno.EBADF));
    }

    public SyscallResult kexec_file_load(int kernel_fd, int initrd_fd, ReadOnlySpan<byte> cmdline, ulong flags)
    {
        var text = cmdline.Length > 0 && cmdline[^1] == 0 ? Encoding.UTF8.GetString(cmdline[..^1]) : Encoding.UTF8.GetString(cmdline);
        return Record(
            $"kexec_file_load({Fd(kernel_fd)}, {Fd(initrd_fd)}, {cmdline.Length}, \"{text}\", {Kexec.FormatFileFlags(flags)})",
            Result(nameof(kexec_file_load)));
    }

    /// <summary>Segments as <c>{mem, memsz, bufsz}</c>: where each goes, not the host pointer of its buffer.</summary>
    public SyscallResult kexec_load(nuint entry, ReadOnlySpan<kexec_segment> segments, ulong flags)
    {
        var list = new List<string>();
        foreach (var s in segments) list.Add($"{{0x{s.mem:x}, 0x{s.memsz:x}, {s.bufsz}}}");
        return Record(
            $"kexec_load(0x{entry:x}, {segments.Length}, {(segments.IsEmpty ? "NULL" : $"[{string.Join(", ", list)}]")}, {Kexec.FormatLoadFlags(flags)})",
            Result(nameof(kexec_load)));
    }

    // The real call does not return on success; the fake returns 0 so tests see what followed.
    public SyscallResult reboot(uint cmd) => Record($"reboot({Reboot.Name(cmd)})", Result(nameof(reboot)));

    public void sync() => Record("sync()", SyscallResult.Ok());

    public SyscallResult ifdown() => Record("ifdown()", Result(nameof(ifdown)));

    public SyscallResult execv(string path, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        return Record($"execv(\"{path}\", [{string.Join(", ", argv.Select(a => $"\"{a}\""))}])", Result(nameof(execv)));
    }

    private string Fd(int fd) => fd < 0 ? fd.ToString(CultureInfo.InvariantCulture)
        : _open.TryGetValue(fd, out var path) ? $"{fd}<{path}>" : fd.ToString(CultureInfo.InvariantCulture);

    private int? Scripted(string name)
    {
        if (_next.TryGetValue(name, out var q) && q.Count > 0) return q.Dequeue();
        return _always.TryGetValue(name, out var e) ? e : null;
    }

    private SyscallResult Result(string name) => Scripted(name) is { } e ? SyscallResult.Fail(e) : SyscallResult.Ok();

    private SyscallResult Record(string call, SyscallResult result)
    {
        Calls.Add(result.IsError ? $"{call} = -1 {Errno.Name(result.Errno)}" : $"{call} = {result.Value}");
        return result;
    }
}
