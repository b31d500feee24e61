using System.Globalization;
using System.Text;
using Kdump.Kexec.Images;
using Kdump.Linux;
using Kdump.Linux.Arch;
using static Kdump.Linux.Kexec;

namespace Kdump.Kexec;

/// <summary>
/// Loads, unloads and boots kernels the way kexec-tools 2.0.32 does on x86_64, through
/// <see cref="ISystemCalls"/>; kdumpctl calls it in-process, the <c>kexec</c> tool wraps it.
/// Methods return a <see cref="KexecResult"/> value and print upstream's messages to the error writer.
/// The legacy kexec_load path (bzImage setup, purgatory) is not implemented: loads that need it are refused.
/// </summary>
public sealed class KexecLoader
{
    private readonly ISystemCalls _syscalls;
    private readonly SystemRoot _root;
    private readonly TextWriter _error;
    private readonly SyscallTable _arch;
    private readonly IReadOnlyList<IKernelImageType> _imageTypes;
    // The errno of the last kexec_file_load that returned EFALLBACK, for the legacy-path refusal message.
    private int _lastFileLoadErrno;

    public KexecLoader(ISystemCalls syscalls, SystemRoot root, TextWriter error, SyscallTable? arch = null, IReadOnlyList<IKernelImageType>? imageTypes = null)
    {
        ArgumentNullException.ThrowIfNull(syscalls);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(error);
        _syscalls = syscalls;
        _root = root;
        _error = error;
        _arch = arch ?? SyscallTable.Current ?? Syscalls.X64;
        _imageTypes = imageTypes ?? KernelImageTypes.X64;
    }

    public IReadOnlyList<IKernelImageType> ImageTypes => _imageTypes;

    /// <summary>
    /// Loads <paramref name="request"/> with the syscall its mode selects; in Auto mode a kexec_file_load
    /// that returns EFALLBACK goes to kexec_load (refused here: not implemented). A crash load without
    /// reserved memory dies with upstream's message.
    /// </summary>
    public int Load(KexecLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Crash && !IsCrashKernelReserved())
        {
            _error.Write(KexecMessages.CrashMemoryNotReserved);
            return KexecResult.Died;
        }
        if (request.Mode == KexecSyscallMode.LegacyOnly) return RefuseLegacyLoad(null);
        var result = LoadFile(request);
        if (result == KexecResult.EFALLBACK && request.Mode == KexecSyscallMode.Auto) return RefuseLegacyLoad(_lastFileLoadErrno);
        return result;
    }

    /// <summary>kexec-tools do_kexec_file_load(): probe, open, kexec_file_load; EFALLBACK when kexec_load might do better.</summary>
    public int LoadFile(KexecLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _lastFileLoadErrno = 0;
        var kernel = request.KernelPath;
        if (!TryReadHead(kernel, out var head, out var length)) return KexecResult.Died;
        var type = _imageTypes.FirstOrDefault(t => t.Probe(head.AsSpan(0, Math.Min(head.Length, t.ProbeLength)), length));
        if (type is null)
        {
            _error.WriteLine($"Cannot determine the file type of {kernel}");
            return KexecResult.EFAILED;
        }

        // The type's loader: options → command line and initrd (bzImage64_load_file).
        string? reused = null;
        if (request.ReuseCommandLine)
        {
            reused = ReadReusedCommandLine(request.Crash);
            if (reused is null)
            {
                _error.Write(KexecMessages.FailedToReadProcCmdline);
                return KexecResult.Died;
            }
        }
        var commandLine = ProcCmdline.Concat(reused, request.CommandLine) ?? "";
        if (request.LegacyEntryPoint)
        {
            _error.WriteLine("Kexec2 syscall does not support 16bit or 32bit entry yet");
            _error.WriteLine($"Cannot load {kernel}");
            return KexecResult.EFAILED;
        }

        var flags = FileFlags(request.Crash, request.Debug);
        var kernelFd = _syscalls.open(kernel);
        if (kernelFd.IsError)
        {
            _error.WriteLine($"Cannot open `{kernel}': {Errno.strerror(kernelFd.Errno)}");
            return KexecResult.Died;
        }
        var initrdFd = -1;
        try
        {
            if (request.InitrdPath is { } initrd)
            {
                var r = _syscalls.open(initrd);
                if (r.IsError)
                {
                    _error.WriteLine($"Could not open initrd file {initrd}:{Errno.strerror(r.Errno)}");
                    _error.WriteLine($"Cannot load {kernel}");
                    return KexecResult.EFAILED;
                }
                initrdFd = (int)r.Value;
            }
            else
            {
                flags |= KEXEC_FILE_NO_INITRAMFS;
            }

            var cmdline = new byte[Encoding.UTF8.GetByteCount(commandLine) + 1]; // cmdline_len counts the NUL
            Encoding.UTF8.GetBytes(commandLine, cmdline);
            var load = _syscalls.kexec_file_load((int)kernelFd.Value, initrdFd, cmdline, flags);
            if (!load.IsError) return KexecResult.Success;
            _lastFileLoadErrno = load.Errno;
            switch (load.Errno)
            {
                // Not implemented, or the kernel did not understand the image: kexec_load may.
                case Errno.ENOSYS or Errno.EINVAL or Errno.ENOEXEC or Errno.ENOTSUP:
                    return KexecResult.EFALLBACK;
                // Everything else, signature failures (ELIBBAD, EKEYREJECTED, ENOPKG, ENOKEY, EBADMSG,
                // EMSGSIZE) included, is final.
                default:
                    _error.WriteLine($"kexec_file_load failed: {Errno.strerror(load.Errno)}");
                    return KexecResult.EFAILED;
            }
        }
        finally
        {
            if (initrdFd >= 0) _syscalls.close(initrdFd);
            _syscalls.close((int)kernelFd.Value);
        }
    }

    /// <summary>
    /// -u (with <paramref name="crash"/>: -p -u): kexec_file_load(-1, -1, 0, NULL, KEXEC_FILE_UNLOAD…),
    /// falling back to kexec_load(NULL, 0, NULL, flags|arch) on ENOSYS in Auto mode; LegacyOnly uses kexec_load.
    /// </summary>
    public int Unload(bool crash, KexecSyscallMode mode = KexecSyscallMode.Auto, bool debug = false)
    {
        if (mode != KexecSyscallMode.LegacyOnly)
        {
            var flags = KEXEC_FILE_UNLOAD | FileFlags(crash, debug);
            var r = _syscalls.kexec_file_load(-1, -1, default, flags);
            if (!r.IsError) return KexecResult.Success;
            if (r.Errno != Errno.ENOSYS)
            {
                _error.WriteLine($"kexec_file_load(unload) failed: {Errno.strerror(r.Errno)}");
                return KexecResult.EFAILED;
            }
            if (mode == KexecSyscallMode.FileOnly) return KexecResult.EFALLBACK;
        }
        var legacy = _syscalls.kexec_load(0, default, (crash ? KEXEC_ON_CRASH : 0) | _arch.KEXEC_ARCH_NATIVE);
        if (!legacy.IsError) return KexecResult.Success;
        _error.WriteLine($"kexec unload failed: {Errno.strerror(legacy.Errno)}");
        return KexecResult.EFAILED;
    }

    /// <summary>-e's last step (my_exec): reboot(LINUX_REBOOT_CMD_KEXEC); it returns only on failure.</summary>
    public int Exec()
    {
        var r = _syscalls.reboot(Reboot.LINUX_REBOOT_CMD_KEXEC);
        if (!r.IsError) return KexecResult.Success; // only a recording fake gets here
        _error.WriteLine($"kexec failed: {Errno.strerror(r.Errno)}");
        return KexecResult.EFAILED;
    }

    /// <summary>
    /// kexec_loaded(): the integer in /sys/kernel/kexec_loaded (or kexec_crash_loaded), or -1 when
    /// the file is missing or does not start with a number. Upstream reads at most two characters.
    /// </summary>
    public int KexecLoaded(bool crash)
    {
        var text = _root.TryReadText(crash ? KexecCrashLoadedPath : KexecLoadedPath);
        if (text is null) return -1;
        var head = text.Length > 2 ? text[..2] : text;
        var trimmed = head.TrimStart(' ', '\t', '\n', '\v', '\f', '\r');
        var digits = 0;
        if (digits < trimmed.Length && trimmed[digits] is '+' or '-') digits++;
        var signEnd = digits;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits])) digits++;
        if (digits == signEnd) return -1;
        return int.Parse(trimmed[..digits], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    /// <summary>The three sysfs files kdumpctl and <c>kexec -S</c> look at.</summary>
    public KexecStatus ReadStatus()
    {
        var loaded = KexecLoaded(crash: false);
        var crashLoaded = KexecLoaded(crash: true);
        ulong? size = ulong.TryParse(_root.TryReadText(KexecCrashSizePath)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
        return new KexecStatus(loaded < 0 ? null : loaded != 0, crashLoaded < 0 ? null : crashLoaded != 0, size);
    }

    /// <summary>is_crashkernel_mem_reserved(): /proc/iomem has a "Crash kernel" range.</summary>
    public bool IsCrashKernelReserved() =>
        CrashKernelRanges().Count > 0;

    /// <summary>--print-ckr-size: the size of the last "Crash kernel" range, 0 when none.</summary>
    public ulong CrashKernelRegionSize()
    {
        var ranges = CrashKernelRanges();
        if (ranges.Count == 0) return 0;
        var last = ranges[^1];
        return last.Start != last.End ? last.Length : 0;
    }

    /// <summary>The "Crash kernel" ranges of /proc/iomem under the root, in file order; lines that do not parse are skipped, as kexec-tools' sscanf does.</summary>
    public IReadOnlyList<IomemResource> CrashKernelRanges() =>
        _root.TryReadText("/proc/iomem") is { } iomem ? [.. IomemLines.ReadLenient(iomem).Where(r => r.Name == IomemLines.CrashKernel)] : [];

    /// <summary>/proc/cmdline under the root, made fit for reuse; null when missing or empty (upstream dies).</summary>
    public string? ReadReusedCommandLine(bool crash) =>
        _root.TryReadText("/proc/cmdline") is { Length: > 0 } text ? ProcCmdline.ForReuse(text, crash) : null;

    private static ulong FileFlags(bool crash, bool debug) =>
        (crash ? KEXEC_FILE_ON_CRASH : 0) | (debug ? KEXEC_FILE_DEBUG : 0);

    private int RefuseLegacyLoad(int? fileLoadErrno)
    {
        if (fileLoadErrno is { } e && e != 0)
            _error.WriteLine($"kexec_file_load failed: {Errno.strerror(e)}; kexec-tools would now retry with kexec_load.");
        _error.Write(KexecMessages.LegacyLoadNotImplemented);
        return KexecResult.EFAILED;
    }

    private bool TryReadHead(string path, out byte[] head, out long length)
    {
        head = [];
        length = 0;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            length = f.Length;
            var want = (int)Math.Min(length, _imageTypes.Max(t => t.ProbeLength));
            head = new byte[want];
            f.ReadExactly(head);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = Directory.Exists(path) ? "Is a directory" : Kdump.Cli.IoErrorText.StrError(e);
            _error.WriteLine($"Cannot open `{path}': {reason}");
            return false;
        }
    }
}
