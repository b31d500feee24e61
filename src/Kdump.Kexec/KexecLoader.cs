using System.Globalization;
using System.Text;
using Kdump.Kexec.Images;
using Kdump.Kexec.Legacy;
using Kdump.Linux;
using Kdump.Linux.Arch;
using static Kdump.Linux.Kexec;

namespace Kdump.Kexec;

/// <summary>
/// Loads, unloads and boots kernels the way kexec-tools 2.0.32 does on x86_64, through
/// <see cref="ISystemCalls"/>; kdumpctl calls it in-process, the <c>kexec</c> tool wraps it.
/// Methods return a <see cref="KexecResult"/> value and print upstream's messages to the error writer.
/// The legacy kexec_load path lays out a bzImage itself (<see cref="BzImage64Legacy"/>).
/// </summary>
public sealed class KexecLoader
{
    private readonly ISystemCalls _syscalls;
    private readonly SystemRoot _root;
    private readonly TextWriter _error;
    private readonly SyscallTable _arch;
    private readonly IReadOnlyList<IKernelImageType> _imageTypes;

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
    /// that returns EFALLBACK goes to kexec_load, silently as upstream. A crash load without
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
        if (request.Mode == KexecSyscallMode.LegacyOnly) return LoadLegacy(request);
        var result = LoadFile(request);
        if (result == KexecResult.EFALLBACK && request.Mode == KexecSyscallMode.Auto) return LoadLegacy(request);
        return result;
    }

    /// <summary>kexec-tools do_kexec_file_load(): probe, open, kexec_file_load; EFALLBACK when kexec_load might do better.</summary>
    public int LoadFile(KexecLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kernel = request.KernelPath;
        if (!TryReadHead(kernel, out var head, out var length)) return KexecResult.Died;
        var type = _imageTypes.FirstOrDefault(t => t.Probe(head.AsSpan(0, Math.Min(head.Length, t.ProbeLength)), length));
        if (type is null)
        {
            _error.WriteLine($"Cannot determine the file type of {kernel}");
            return KexecResult.EFAILED;
        }

        // The type's loader: options → command line and initrd (bzImage64_load_file).
        if (!TryCommandLine(request, out var commandLine)) return KexecResult.Died;
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

    /// <summary>--command-line/--append, after /proc/cmdline with --reuse-cmdline; false (message printed) when that cannot be read.</summary>
    private bool TryCommandLine(KexecLoadRequest request, out string commandLine)
    {
        commandLine = "";
        string? reused = null;
        if (request.ReuseCommandLine)
        {
            reused = ReadReusedCommandLine(request.Crash);
            if (reused is null)
            {
                _error.Write(KexecMessages.FailedToReadProcCmdline);
                return false;
            }
        }
        commandLine = ProcCmdline.Concat(reused, request.CommandLine) ?? "";
        return true;
    }

    /// <summary>
    /// kexec-tools my_load() with kexec_load: the bzImage laid out by <see cref="BzImage64Legacy"/>
    /// (zero page, our purgatory, and for -p the ELF core headers), then one kexec_load call.
    /// </summary>
    public int LoadLegacy(KexecLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kernel = request.KernelPath;
        if (!TryReadHead(kernel, out var head, out var length)) return KexecResult.Died;
        if (!BzImage64.Instance.Probe(head.AsSpan(0, Math.Min(head.Length, BzImage64.Instance.ProbeLength)), length))
        {
            // The other types kexec-tools loads this way (elf-x86_64, multiboot, nbi …) are not here.
            _error.WriteLine($"Cannot determine the file type of {kernel}");
            return KexecResult.EFAILED;
        }
        if (request.LegacyEntryPoint)
        {
            _error.WriteLine("kexec: --real-mode and --entry-32bit are not implemented: this kexec enters the kernel at its 64-bit entry point");
            return KexecResult.EFAILED;
        }
        if ((request.LoadFlags & KEXEC_PRESERVE_CONTEXT) != 0)
        {
            // Our purgatory does not return to the old kernel (kexec-tools' x86 jump-back support).
            _error.WriteLine("kexec: --load-preserve-context is not implemented with kexec_load in this kexec");
            return KexecResult.EFAILED;
        }
        if (!TryCommandLine(request, out var commandLine)) return KexecResult.Died;
        if (!TryReadAll(kernel, "kernel", out var kernelBytes)) return KexecResult.Died;
        byte[]? initrdBytes = null;
        if (request.InitrdPath is { } initrd && !TryReadAll(initrd, "initrd", out initrdBytes)) return KexecResult.Died;

        LegacyImage image;
        try
        {
            image = BzImage64Legacy.Plan(kernelBytes, kernel, initrdBytes, commandLine, request.Crash, LegacyMachine.Read(_root, request.Crash),
                new LegacyBounds(request.MemoryMin, request.MemoryMax, request.ElfHeaderRoom));
        }
        catch (LegacyLoadException e)
        {
            _error.WriteLine($"kexec: {e.Message}");
            _error.WriteLine($"Cannot load {kernel}");
            return KexecResult.EFAILED;
        }
        if (request.Debug) PrintSegments(image);

        var flags = (request.Crash ? KEXEC_ON_CRASH : 0) | (request.LoadFlags & KEXEC_UPDATE_ELFCOREHDR) | _arch.KEXEC_ARCH_NATIVE;
        var pins = image.Segments.Select(s => System.Runtime.InteropServices.GCHandle.Alloc(s.Data, System.Runtime.InteropServices.GCHandleType.Pinned)).ToList();
        try
        {
            var segments = new kexec_segment[image.Segments.Count];
            for (var i = 0; i < segments.Length; i++)
            {
                var s = image.Segments[i];
                segments[i] = new kexec_segment
                {
                    buf = pins[i].AddrOfPinnedObject(),
                    bufsz = (nuint)s.Data.Length,
                    mem = (nuint)s.Address,
                    memsz = (nuint)s.MemorySize,
                };
            }
            var r = _syscalls.kexec_load((nuint)image.Entry, segments, flags);
            if (!r.IsError) return KexecResult.Success;
            // my_load()'s report: the error, the entry and flags, then print_segments().
            _error.WriteLine($"kexec_load failed: {Errno.strerror(r.Errno)}");
            _error.WriteLine($"entry       = 0x{image.Entry:x} flags = 0x{flags:x}");
            _error.WriteLine($"nr_segments = {segments.Length}");
            for (var i = 0; i < segments.Length; i++)
            {
                _error.WriteLine($"segment[{i}].buf   = 0x{(ulong)segments[i].buf:x}");
                _error.WriteLine($"segment[{i}].bufsz = 0x{(ulong)segments[i].bufsz:x}");
                _error.WriteLine($"segment[{i}].mem   = 0x{(ulong)segments[i].mem:x}");
                _error.WriteLine($"segment[{i}].memsz = 0x{(ulong)segments[i].memsz:x}");
            }
            return KexecResult.EFAILED;
        }
        finally
        {
            foreach (var p in pins) p.Free();
        }
    }

    /// <summary>-d: where each segment goes (ours; kexec-tools prints its own loader's trace).</summary>
    private void PrintSegments(LegacyImage image)
    {
        _error.WriteLine($"kexec_load: entry 0x{image.Entry:x}, command line \"{image.CommandLine}\"");
        foreach (var s in image.Segments)
            _error.WriteLine($"  0x{s.Address:x16} +0x{s.MemorySize:x8} {s.Data.Length,10} bytes  {s.Name}");
    }

    private bool TryReadAll(string path, string what, out byte[] data)
    {
        data = [];
        try
        {
            data = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            var reason = e is OutOfMemoryException ? "too large" : Kdump.Cli.IoErrorText.StrError(e);
            _error.WriteLine($"Cannot read {what} `{path}': {reason}");
            return false;
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
