using Kdump.Cli;

namespace Kdump.Kexec;

/// <summary>
/// kexec-tools' option ids (kexec/kexec.h and kexec/arch/x86_64/include/arch/options.h) and its
/// x86_64 getopt_long table (KEXEC_ALL_OPTIONS). The numbering matters: when nothing is loaded,
/// any option numbered OPT_ARCH_MAX or above (the loader's options) is a usage error.
/// </summary>
public static class KexecOptionIds
{
    public const string ShortOptions = "h?vdfixyluet:pscaS";

    public const int OPT_MEM_MIN = 256;
    public const int OPT_MEM_MAX = 257;
    public const int OPT_REUSE_INITRD = 258;
    public const int OPT_LOAD_PRESERVE_CONTEXT = 259;
    public const int OPT_LOAD_JUMP_BACK_HELPER = 260;
    public const int OPT_ENTRY = 261;
    public const int OPT_PRINT_CKR_SIZE = 262;
    public const int OPT_LOAD_LIVE_UPDATE = 263;
    public const int OPT_EXEC_LIVE_UPDATE = 264;
    public const int OPT_HOTPLUG = 265;
    public const int OPT_MAX = 266;

    public const int OPT_RESET_VGA = OPT_MAX + 0;
    public const int OPT_SERIAL = OPT_MAX + 1;
    public const int OPT_SERIAL_BAUD = OPT_MAX + 2;
    public const int OPT_CONSOLE_VGA = OPT_MAX + 3;
    public const int OPT_CONSOLE_SERIAL = OPT_MAX + 4;
    public const int OPT_ELF32_CORE = OPT_MAX + 5;
    public const int OPT_ELF64_CORE = OPT_MAX + 6;
    public const int OPT_ARCH_MAX = OPT_MAX + 7;

    public const int OPT_APPEND = OPT_ARCH_MAX + 0;
    public const int OPT_REUSE_CMDLINE = OPT_ARCH_MAX + 1;
    public const int OPT_RAMDISK = OPT_ARCH_MAX + 2;
    public const int OPT_ARGS_ELF = OPT_ARCH_MAX + 3;
    public const int OPT_ARGS_LINUX = OPT_ARCH_MAX + 4;
    public const int OPT_ARGS_NONE = OPT_ARCH_MAX + 5;
    public const int OPT_CL = OPT_ARCH_MAX + 6;
    public const int OPT_MOD = OPT_ARCH_MAX + 7;
    public const int OPT_VGA = OPT_ARCH_MAX + 8;
    public const int OPT_REAL_MODE = OPT_ARCH_MAX + 9;
    public const int OPT_ENTRY_32BIT = OPT_ARCH_MAX + 10;
    public const int OPT_PASS_MEMMAP_CMDLINE = OPT_ARCH_MAX + 11;
    public const int OPT_NOEFI = OPT_ARCH_MAX + 12;
    public const int OPT_REUSE_VIDEO_TYPE = OPT_ARCH_MAX + 13;
    public const int OPT_DTB = OPT_ARCH_MAX + 14;

    /// <summary>Ours (<c>--root DIR</c>, like systemctl's); never a loader option.</summary>
    public const int OPT_ROOT = 1000;

    public static IReadOnlyList<LongOption> LongOptions { get; } =
    [
        new("help", ArgumentKind.None, 'h'),
        new("version", ArgumentKind.None, 'v'),
        new("force", ArgumentKind.None, 'f'),
        new("no-checks", ArgumentKind.None, 'i'),
        new("no-ifdown", ArgumentKind.None, 'x'),
        new("no-sync", ArgumentKind.None, 'y'),
        new("load", ArgumentKind.None, 'l'),
        new("unload", ArgumentKind.None, 'u'),
        new("exec", ArgumentKind.None, 'e'),
        new("exec-live-update", ArgumentKind.None, OPT_EXEC_LIVE_UPDATE),
        new("load-preserve-context", ArgumentKind.None, OPT_LOAD_PRESERVE_CONTEXT),
        new("load-jump-back-helper", ArgumentKind.None, OPT_LOAD_JUMP_BACK_HELPER),
        new("load-live-update", ArgumentKind.None, OPT_LOAD_LIVE_UPDATE),
        new("entry", ArgumentKind.Required, OPT_ENTRY),
        new("type", ArgumentKind.Required, 't'),
        new("load-panic", ArgumentKind.None, 'p'),
        new("mem-min", ArgumentKind.Required, OPT_MEM_MIN),
        new("mem-max", ArgumentKind.Required, OPT_MEM_MAX),
        new("reuseinitrd", ArgumentKind.None, OPT_REUSE_INITRD),
        new("kexec-file-syscall", ArgumentKind.None, 's'),
        new("kexec-syscall", ArgumentKind.None, 'c'),
        new("kexec-syscall-auto", ArgumentKind.None, 'a'),
        new("debug", ArgumentKind.None, 'd'),
        new("status", ArgumentKind.None, 'S'),
        new("print-ckr-size", ArgumentKind.None, OPT_PRINT_CKR_SIZE),
        new("hotplug", ArgumentKind.None, OPT_HOTPLUG),
        new("reset-vga", ArgumentKind.None, OPT_RESET_VGA),
        new("serial", ArgumentKind.Required, OPT_SERIAL),
        new("serial-baud", ArgumentKind.Required, OPT_SERIAL_BAUD),
        new("console-vga", ArgumentKind.None, OPT_CONSOLE_VGA),
        new("console-serial", ArgumentKind.None, OPT_CONSOLE_SERIAL),
        new("elf32-core-headers", ArgumentKind.None, OPT_ELF32_CORE),
        new("elf64-core-headers", ArgumentKind.None, OPT_ELF64_CORE),
        new("pass-memmap-cmdline", ArgumentKind.None, OPT_PASS_MEMMAP_CMDLINE),
        new("noefi", ArgumentKind.None, OPT_NOEFI),
        new("reuse-video-type", ArgumentKind.None, OPT_REUSE_VIDEO_TYPE),
        new("command-line", ArgumentKind.Required, OPT_APPEND),
        new("append", ArgumentKind.Required, OPT_APPEND),
        new("reuse-cmdline", ArgumentKind.None, OPT_REUSE_CMDLINE),
        new("initrd", ArgumentKind.Required, OPT_RAMDISK),
        new("ramdisk", ArgumentKind.Required, OPT_RAMDISK),
        new("args-elf", ArgumentKind.None, OPT_ARGS_ELF),
        new("args-linux", ArgumentKind.None, OPT_ARGS_LINUX),
        new("args-none", ArgumentKind.None, OPT_ARGS_NONE),
        new("module", ArgumentKind.Required, OPT_MOD),
        new("real-mode", ArgumentKind.None, OPT_REAL_MODE),
        new("entry-32bit", ArgumentKind.None, OPT_ENTRY_32BIT),
        new("dtb", ArgumentKind.Required, OPT_DTB),
        new("root", ArgumentKind.Required, OPT_ROOT),
    ];
}
