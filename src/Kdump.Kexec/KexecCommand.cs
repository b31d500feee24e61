using System.Globalization;
using Kdump.Cli;
using Kdump.Linux;
using static Kdump.Kexec.KexecOptionIds;
using static Kdump.Linux.Kexec;

namespace Kdump.Kexec;

/// <summary>
/// The <c>kexec</c> drop-in: kexec-tools 2.0.32's <c>main()</c> on x86_64 — option handling in
/// upstream's order, its messages, and its exit statuses (the result modulo 256). Loading uses
/// kexec_file_load only; see docs/compat/kexec.md for what is refused.
/// </summary>
public static class KexecCommand
{
    private static readonly string[] s_shutdownPaths = ["/sbin/shutdown", "/etc/shutdown", "/bin/shutdown"];

    public static int Run(IToolContext context, ISystemCalls syscalls, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(syscalls);
        ArgumentNullException.ThrowIfNull(args);
        return KexecResult.ToExitCode(Main(context, syscalls, args));
    }

    private static int Main(IToolContext context, ISystemCalls syscalls, IReadOnlyList<string> args)
    {
        var output = context.Out;
        var err = context.Error;
        var parsed = new Getopt(ShortOptions, LongOptions).Parse(args, context.ProgramName, context.IsPosixlyCorrect());

        bool hasOptLoad = false, doLoad = true, doExec = false, doLoadJumpBackHelper = false, doShutdown = true;
        bool doSync = true, skipSync = false, doIfdown = false, skipIfdown = false, doUnload = false;
        bool doReuseInitrd = false, doFileSyscall = true, doFallback = true, doStatus = false, doHotplug = false;
        bool debug = false, legacyEntry = false, reuseCmdline = false;
        ulong kexecFlags = 0, fileFlags = 0, entry = 0, memMin = 0, memMax = ulong.MaxValue, elfHeaderRoom = 0;
        string? append = null, initrd = null, rootDir = null;

        void Usage() => output.Write(KexecUsage.Text(KernelImageTypesFor()));

        foreach (var o in parsed.Options)
        {
            switch (o.Id)
            {
                case Getopt.ErrorId:
                    if (o.Error is not null) err.WriteLine(o.Error);
                    Usage();
                    return 1;
                case 'h':
                    Usage();
                    return 0;
                case 'v':
                    output.WriteLine(KexecMessages.Version);
                    return 0;
                case 'd':
                    debug = true;
                    fileFlags |= KEXEC_FILE_DEBUG;
                    break;
                case 'x': skipIfdown = true; break;
                case 'y': skipSync = true; break;
                case 'f':
                    (doLoad, doShutdown, doSync, doIfdown, doExec) = (true, false, true, true, true);
                    break;
                case 'l':
                    (hasOptLoad, doLoad, doExec, doShutdown) = (true, true, false, false);
                    break;
                case 'u':
                    (doLoad, doShutdown, doSync, doUnload) = (false, false, false, true);
                    fileFlags |= KEXEC_FILE_UNLOAD;
                    break;
                case OPT_EXEC_LIVE_UPDATE:
                    err.Write("--exec-live-update only works under xen.\n");
                    return 1;
                case 'e':
                    (doLoad, doShutdown, doSync, doIfdown, doExec) = (false, false, true, true, true);
                    break;
                case OPT_LOAD_JUMP_BACK_HELPER:
                    (doLoad, doShutdown, doSync, doIfdown, doExec, doLoadJumpBackHelper) = (false, false, true, true, false, true);
                    kexecFlags = KEXEC_PRESERVE_CONTEXT;
                    break;
                case OPT_ENTRY:
                    if (!TryStrtoul(o.Argument!, out entry)) return BadValue("entry", o.Argument!);
                    break;
                case OPT_LOAD_PRESERVE_CONTEXT:
                case OPT_LOAD_LIVE_UPDATE:
                    (doLoad, doExec, doShutdown, doSync) = (true, false, false, true);
                    // KEXEC_LIVE_UPDATE is a Xen flag; 0 stands for it (no Xen here).
                    kexecFlags = o.Id == OPT_LOAD_PRESERVE_CONTEXT ? KEXEC_PRESERVE_CONTEXT : 0;
                    if (o.Id == OPT_LOAD_LIVE_UPDATE && doLoad)
                    {
                        err.Write("--load-live-update can only be used with xen\n");
                        return KexecResult.Died;
                    }
                    break;
                case 't':
                    break; // the image type only steers kexec_load's loaders
                case 'p':
                    (doLoad, doExec, doShutdown, doSync) = (true, false, false, false);
                    fileFlags |= KEXEC_FILE_ON_CRASH;
                    kexecFlags = KEXEC_ON_CRASH;
                    break;
                case OPT_MEM_MIN:
                    if (!TryStrtoul(o.Argument!, out memMin)) return BadValue("mem-min", o.Argument!);
                    break;
                case OPT_MEM_MAX:
                    if (!TryStrtoul(o.Argument!, out memMax)) return BadValue("mem-max", o.Argument!);
                    break;
                case OPT_REUSE_INITRD: doReuseInitrd = true; break;
                case 's': (doFileSyscall, doFallback) = (true, false); break;
                case 'c': (doFileSyscall, doFallback) = (false, false); break;
                case 'a': (doFileSyscall, doFallback) = (true, true); break;
                case 'S': doStatus = true; break;
                case OPT_PRINT_CKR_SIZE:
                    output.WriteLine(NewLoader().CrashKernelRegionSize().ToString(CultureInfo.InvariantCulture));
                    return 0;
                case OPT_HOTPLUG: doHotplug = true; break;
                case OPT_ROOT: rootDir = context.ResolvePath(o.Argument!); break;
                // The loader's options (bzImage64_load_file): the last one wins.
                case OPT_APPEND: append = o.Argument; break;
                case OPT_RAMDISK: initrd = o.Argument; break;
                case OPT_REUSE_CMDLINE: reuseCmdline = true; break;
                case OPT_REAL_MODE or OPT_ENTRY_32BIT: legacyEntry = true; break;
                default: break;
            }
        }

        if (skipIfdown) doIfdown = false;
        if (skipSync) doSync = false;
        if (doStatus)
        {
            if (kexecFlags == 0 && !hasOptLoad) kexecFlags = KEXEC_ON_CRASH;
            (doLoad, doReuseInitrd, doUnload, doShutdown, doSync, doIfdown, doExec, doLoadJumpBackHelper) =
                (false, false, false, false, false, false, false, false);
        }

        var loader = NewLoader();
        var crash = (kexecFlags & KEXEC_ON_CRASH) != 0 || (fileFlags & KEXEC_FILE_ON_CRASH) != 0;
        if (doLoad && crash && !loader.IsCrashKernelReserved())
        {
            err.Write(KexecMessages.CrashMemoryNotReserved);
            return KexecResult.Died;
        }
        if (doLoad && (kexecFlags & KEXEC_PRESERVE_CONTEXT) != 0 && memMax == ulong.MaxValue)
        {
            err.Write(KexecMessages.PreserveContextNeedsMemMax);
            return KexecResult.Died;
        }
        if (doHotplug)
        {
            const string ces = "/sys/kernel/crash_elfcorehdr_size";
            var text = new SystemRoot(rootDir ?? "/").TryReadText(ces)?.TrimEnd('\n');
            if (text is null || !TryStrtoul(text, out var size) || size == 0)
            {
                err.Write($"Path {ces} does not exist, the kernel needs CONFIG_CRASH_HOTPLUG\n");
                return KexecResult.Died;
            }
            kexecFlags |= KEXEC_UPDATE_ELFCOREHDR; // x86 asks for the older flag (kexec-tools get_hotplug_kexec_flag)
            elfHeaderRoom = size;
        }

        // arch_process_options(): only the serial settings can be wrong; the result carries on.
        var result = CheckArchOptions(parsed, err, Usage);

        if (!doLoad && parsed.Options.Any(o => o.Id >= OPT_ARCH_MAX && o.Id != OPT_ROOT))
        {
            Usage();
            return 1;
        }
        if (doFileSyscall)
        {
            if (doLoadJumpBackHelper && !doFallback)
            {
                err.Write("--load-jump-back-helper not supported with kexec_file_load\n");
                return KexecResult.Died;
            }
            if ((kexecFlags & KEXEC_PRESERVE_CONTEXT) != 0)
            {
                err.Write("--load-preserve-context not supported with kexec_file_load\n");
                return KexecResult.Died;
            }
        }
        if (doReuseInitrd)
        {
            var line = loader.ReadReusedCommandLine((kexecFlags & KEXEC_ON_CRASH) != 0);
            if (line is null) { err.Write(KexecMessages.FailedToReadProcCmdline); return KexecResult.Died; }
            if (!line.Contains("retain_initrd", StringComparison.Ordinal)) { err.Write(KexecMessages.ReuseInitrdNotRetained); return KexecResult.Died; }
            err.Write("kexec: --reuseinitrd is not implemented in this kexec\n");
            return KexecResult.Died;
        }

        var mode = !doFileSyscall ? KexecSyscallMode.LegacyOnly : doFallback ? KexecSyscallMode.Auto : KexecSyscallMode.FileOnly;
        if (doStatus) result = loader.KexecLoaded((kexecFlags & KEXEC_ON_CRASH) != 0);
        if (doUnload) result = loader.Unload((fileFlags & KEXEC_FILE_ON_CRASH) != 0, mode, debug);
        if (doLoad && result == KexecResult.Success)
        {
            if (parsed.Operands.Count == 0)
            {
                err.WriteLine("No kernel specified");
                Usage();
                result = KexecResult.EFAILED;
            }
            else
            {
                result = loader.Load(new KexecLoadRequest(context.ResolvePath(parsed.Operands[0]))
                {
                    InitrdPath = initrd is null ? null : context.ResolvePath(initrd),
                    CommandLine = append,
                    ReuseCommandLine = reuseCmdline,
                    Crash = crash,
                    Debug = debug,
                    Mode = mode,
                    LegacyEntryPoint = legacyEntry,
                    MemoryMin = memMin,
                    MemoryMax = memMax,
                    LoadFlags = kexecFlags & (KEXEC_PRESERVE_CONTEXT | KEXEC_UPDATE_ELFCOREHDR),
                    ElfHeaderRoom = elfHeaderRoom,
                });
                if (result == KexecResult.Died) return result;
            }
        }
        // Don't shut down unless there is something to reboot to (a missing file counts as loaded).
        if (result == 0 && (doShutdown || doExec) && loader.KexecLoaded(crash: false) == 0)
        {
            err.Write(KexecMessages.NothingLoaded);
            return KexecResult.Died;
        }
        if (result == 0 && doShutdown) result = Shutdown(syscalls, err);
        if (result == 0 && doSync) syscalls.sync();
        if (result == 0 && doIfdown) syscalls.ifdown();
        if (result == 0 && doExec) result = loader.Exec();
        if (result == 0 && doLoadJumpBackHelper) result = LoadJumpBackHelper(loader, syscalls, err, kexecFlags, entry);
        if (result == KexecResult.EFALLBACK) err.Write(KexecMessages.FileLoadNotAvailable);
        return result;

        KexecLoader NewLoader() => new(syscalls, new SystemRoot(rootDir ?? "/"), err);

        int BadValue(string option, string value)
        {
            err.Write($"Bad option value in --{option}={value}\n");
            Usage();
            return 1;
        }
    }

    private static IReadOnlyList<Images.IKernelImageType> KernelImageTypesFor() => Images.KernelImageTypes.X64;

    private static int CheckArchOptions(GetoptResult parsed, TextWriter err, Action usage)
    {
        foreach (var o in parsed.Options)
        {
            if (o.Id == OPT_SERIAL)
            {
                var arg = o.Argument!;
                ulong value = arg switch
                {
                    "ttyS0" => 0x3f8,
                    "ttyS1" => 0x2f8,
                    _ when arg.StartsWith("0x", StringComparison.Ordinal)
                        && ulong.TryParse(arg.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v) => v,
                    _ => ulong.MaxValue,
                };
                if (value >= 65536)
                {
                    err.Write($"Bad serial port base '{arg}'\n");
                    usage();
                    return KexecResult.EFAILED;
                }
            }
            else if (o.Id == OPT_SERIAL_BAUD)
            {
                if (!TryStrtoul(o.Argument!, out var baud) || baud > 115200 || baud < 9600 || 115200 % baud != 0)
                {
                    err.Write($"Bad serial port baud rate '{o.Argument}'\n");
                    usage();
                    return KexecResult.EFAILED;
                }
            }
        }
        return KexecResult.Success;
    }

    /// <summary>my_shutdown(): execv shutdown -r now from the usual places; perror when none runs.</summary>
    private static int Shutdown(ISystemCalls syscalls, TextWriter err)
    {
        var errno = Errno.ENOENT;
        foreach (var path in s_shutdownPaths)
        {
            var r = syscalls.execv(path, ["shutdown", "-r", "now"]);
            if (!r.IsError) return KexecResult.Success; // only a recording fake returns
            errno = r.Errno;
        }
        err.WriteLine($"shutdown: {Errno.strerror(errno)}");
        return KexecResult.EFAILED;
    }

    /// <summary>--load-jump-back-helper: a kexec_load of one empty segment at the given entry.</summary>
    private static int LoadJumpBackHelper(KexecLoader loader, ISystemCalls syscalls, TextWriter err, ulong kexecFlags, ulong entry)
    {
        if (loader.KexecLoaded(crash: false) != 0)
        {
            err.Write("There is kexec kernel loaded, make sure you are in kexeced kernel.\n");
            return KexecResult.EFAILED;
        }
        if (entry == 0)
        {
            err.Write("Please specify jump back entry in command line\n");
            return KexecResult.EFAILED;
        }
        var r = syscalls.kexec_load((nuint)entry, [default(kexec_segment)], kexecFlags);
        if (!r.IsError) return KexecResult.Success;
        err.Write($"load jump back kernel failed: {Errno.strerror(r.Errno)}\n");
        return KexecResult.EFAILED;
    }

    /// <summary>strtoul(s, &amp;end, 0) with *end == '\0': decimal, 0x hex or 0 octal; the whole string must parse.</summary>
    internal static bool TryStrtoul(string s, out ulong value)
    {
        value = 0;
        var t = s.TrimStart(' ', '\t', '\n', '\v', '\f', '\r');
        var negative = false;
        if (t.Length > 0 && t[0] is '+' or '-') { negative = t[0] == '-'; t = t[1..]; }
        var style = NumberStyles.None;
        if (t.Length > 2 && t[0] == '0' && t[1] is 'x' or 'X') { t = t[2..]; style = NumberStyles.AllowHexSpecifier; }
        else if (t.Length > 1 && t[0] == '0')
        {
            ulong v = 0;
            foreach (var c in t)
            {
                if (c is < '0' or > '7') return false;
                v = unchecked((v * 8) + (ulong)(c - '0'));
            }
            value = negative ? unchecked(0 - v) : v;
            return true;
        }
        if (t.Length == 0 || !ulong.TryParse(t, style, CultureInfo.InvariantCulture, out var parsed)) return false;
        value = negative ? unchecked(0 - parsed) : parsed;
        return true;
    }
}
