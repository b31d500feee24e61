using System.Runtime.InteropServices;
using Kdump.Linux.Arch;

namespace Kdump.Linux;

/// <summary>
/// The real system calls. Calls that can take the machine away (or prepare it to be taken away)
/// first ask <see cref="RebootGuard"/> and, when refused, fail with EPERM after writing why to
/// <paramref name="diagnostics"/>.
/// </summary>
public sealed class LinuxSystemCalls(RebootGuard guard, TextWriter diagnostics) : ISystemCalls
{
    private readonly SyscallTable? _table = SyscallTable.Current;

    public SyscallResult open(string pathname)
    {
        var fd = LibC.open(pathname, LibC.O_RDONLY | LibC.O_CLOEXEC);
        return fd < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(fd);
    }

    public SyscallResult close(int fd) =>
        LibC.close(fd) < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok();

    public unsafe SyscallResult kexec_file_load(int kernel_fd, int initrd_fd, ReadOnlySpan<byte> cmdline, ulong flags)
    {
        // A crash kernel runs only after a panic: loading it is kdumpctl start's job on any host.
        // A normal load is guarded: it turns the next reboot into a kexec on systems set up for that.
        if ((flags & (Kexec.KEXEC_FILE_UNLOAD | Kexec.KEXEC_FILE_ON_CRASH)) == 0 && Refused("kexec_file_load")) return SyscallResult.Fail(Errno.EPERM);
        if (_table is null) return SyscallResult.Fail(Errno.ENOSYS);
        fixed (byte* p = cmdline)
        {
            var r = LibC.syscall(_table.__NR_kexec_file_load, kernel_fd, initrd_fd, cmdline.Length,
                cmdline.IsEmpty ? 0 : (nint)p, (nint)flags, 0);
            return r < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(r);
        }
    }

    public unsafe SyscallResult kexec_load(nuint entry, ReadOnlySpan<kexec_segment> segments, ulong flags)
    {
        if (!segments.IsEmpty && (flags & Kexec.KEXEC_ON_CRASH) == 0 && Refused("kexec_load")) return SyscallResult.Fail(Errno.EPERM);
        if (_table is null) return SyscallResult.Fail(Errno.ENOSYS);
        fixed (kexec_segment* p = segments)
        {
            var r = LibC.syscall(_table.__NR_kexec_load, (nint)entry, segments.Length,
                segments.IsEmpty ? 0 : (nint)p, (nint)flags, 0, 0);
            return r < 0 ? SyscallResult.Fail(Marshal.GetLastPInvokeError()) : SyscallResult.Ok(r);
        }
    }

    public SyscallResult reboot(uint cmd)
    {
        if (Refused($"reboot({Reboot.Name(cmd)})")) return SyscallResult.Fail(Errno.EPERM);
        LibC.reboot(unchecked((int)cmd));
        return SyscallResult.Fail(Marshal.GetLastPInvokeError());
    }

    public void sync() => LibC.sync();

    public SyscallResult ifdown()
    {
        if (Refused("ifdown")) return SyscallResult.Fail(Errno.EPERM);
        string[] names;
        try
        {
            names = [.. Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.WriteLine($"ifdown: if_nameindex: {ex.Message}");
            return SyscallResult.Fail(Errno.EIO);
        }
        // Traffic shapers go first, as in kexec-tools' ifdown().
        foreach (var name in names.Where(n => n.StartsWith("shaper", StringComparison.Ordinal)).Concat(names.Where(n => !n.StartsWith("shaper", StringComparison.Ordinal))))
        {
            if (name == "lo" || name.Contains(':', StringComparison.Ordinal)) continue;
            var r = NetDevice.SetDown(name);
            if (r.IsError)
            {
                diagnostics.WriteLine($"ifdown: shutdown {name}: {Errno.strerror(r.Errno)}");
                return r;
            }
        }
        return SyscallResult.Ok();
    }

    public SyscallResult execv(string path, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (Refused($"execv({path})")) return SyscallResult.Fail(Errno.EPERM);
        var strings = new nint[argv.Count + 2];
        try
        {
            strings[0] = Marshal.StringToCoTaskMemUTF8(path);
            for (var i = 0; i < argv.Count; i++) strings[i + 1] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            // strings[^1] stays 0: argv's NULL terminator.
            LibC.execv(strings[0], strings.AsSpan(1).ToArray());
            return SyscallResult.Fail(Marshal.GetLastPInvokeError());
        }
        finally
        {
            foreach (var s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    private bool Refused(string what)
    {
        var why = guard.WhyRefused();
        if (why is null) return false;
        diagnostics.WriteLine($"refusing {what}: {why} (see docs/compat/kexec.md)");
        return true;
    }
}
