using System.Text;

namespace Kdump.Linux;

/// <summary>
/// <c>&lt;linux/kexec.h&gt;</c>: flags of <c>kexec_load(2)</c> and <c>kexec_file_load(2)</c>, the
/// architecture field of <c>kexec_load</c>'s flags, and the sysfs files that report what is loaded.
/// Values checked against the installed headers by Kdump.Kexec.Tests (LinuxHeaders.Tests.cs).
/// </summary>
public static class Kexec
{
    // kexec_load(2) flags.
    public const ulong KEXEC_ON_CRASH = 0x00000001;
    public const ulong KEXEC_PRESERVE_CONTEXT = 0x00000002;
    // Newer than Debian 12's 6.1 uapi headers; value as in kexec-tools 2.0.32 kexec/kexec-syscall.h.
    public const ulong KEXEC_UPDATE_ELFCOREHDR = 0x00000004;
    public const ulong KEXEC_CRASH_HOTPLUG_SUPPORT = 0x00000008;
    public const ulong KEXEC_ARCH_MASK = 0xffff0000;

    // kexec_file_load(2) flags.
    public const ulong KEXEC_FILE_UNLOAD = 0x00000001;
    public const ulong KEXEC_FILE_ON_CRASH = 0x00000002;
    public const ulong KEXEC_FILE_NO_INITRAMFS = 0x00000004;
    // Newer than Debian 12's 6.1 uapi headers (kexec-tools 2.0.32 passes it for -d); older kernels reject it with EINVAL.
    public const ulong KEXEC_FILE_DEBUG = 0x00000008;

    // The ELF machine number shifted into bits 16..31 of kexec_load's flags.
    public const ulong KEXEC_ARCH_DEFAULT = 0u << 16;
    public const ulong KEXEC_ARCH_386 = 3u << 16;
    public const ulong KEXEC_ARCH_X86_64 = 62u << 16;
    public const ulong KEXEC_ARCH_AARCH64 = 183u << 16;

    /// <summary>KEXEC_SEGMENT_MAX: the kernel's cap on kexec_load segments.</summary>
    public const int KEXEC_SEGMENT_MAX = 16;

    // sysfs, read by `kexec -S` and `kdumpctl status` (absolute: callers prefix their --root).
    public const string KexecLoadedPath = "/sys/kernel/kexec_loaded";
    public const string KexecCrashLoadedPath = "/sys/kernel/kexec_crash_loaded";
    public const string KexecCrashSizePath = "/sys/kernel/kexec_crash_size";

    /// <summary><paramref name="flags"/> of kexec_file_load as C names joined by '|' ("0" when none).</summary>
    public static string FormatFileFlags(ulong flags) => Format(flags,
        [(KEXEC_FILE_UNLOAD, nameof(KEXEC_FILE_UNLOAD)), (KEXEC_FILE_ON_CRASH, nameof(KEXEC_FILE_ON_CRASH)),
         (KEXEC_FILE_NO_INITRAMFS, nameof(KEXEC_FILE_NO_INITRAMFS)), (KEXEC_FILE_DEBUG, nameof(KEXEC_FILE_DEBUG))]);

    /// <summary><paramref name="flags"/> of kexec_load as C names joined by '|', architecture included.</summary>
    public static string FormatLoadFlags(ulong flags)
    {
        var text = Format(flags & ~KEXEC_ARCH_MASK,
            [(KEXEC_ON_CRASH, nameof(KEXEC_ON_CRASH)), (KEXEC_PRESERVE_CONTEXT, nameof(KEXEC_PRESERVE_CONTEXT)),
             (KEXEC_UPDATE_ELFCOREHDR, nameof(KEXEC_UPDATE_ELFCOREHDR)), (KEXEC_CRASH_HOTPLUG_SUPPORT, nameof(KEXEC_CRASH_HOTPLUG_SUPPORT))]);
        var arch = (flags & KEXEC_ARCH_MASK) switch
        {
            0 => null,
            KEXEC_ARCH_X86_64 => nameof(KEXEC_ARCH_X86_64),
            KEXEC_ARCH_AARCH64 => nameof(KEXEC_ARCH_AARCH64),
            KEXEC_ARCH_386 => nameof(KEXEC_ARCH_386),
            var a => $"KEXEC_ARCH({a >> 16})",
        };
        return arch is null ? text : text == "0" ? arch : $"{text}|{arch}";
    }

    private static string Format(ulong flags, ReadOnlySpan<(ulong Bit, string Name)> names)
    {
        if (flags == 0) return "0";
        var sb = new StringBuilder();
        foreach (var (bit, name) in names)
        {
            if ((flags & bit) == 0) continue;
            if (sb.Length > 0) sb.Append('|');
            sb.Append(name);
            flags &= ~bit;
        }
        if (flags != 0)
        {
            if (sb.Length > 0) sb.Append('|');
            sb.Append("0x").Append(flags.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
