namespace Kdump.Kexec;

/// <summary>
/// What to load. <see cref="CommandLine"/> is upstream's <c>--command-line</c>/<c>--append</c>; with
/// <see cref="ReuseCommandLine"/> it is appended to the running kernel's /proc/cmdline (minus
/// BOOT_IMAGE, and minus crashkernel= for a crash kernel).
/// </summary>
public sealed record KexecLoadRequest(string KernelPath)
{
    public string? InitrdPath { get; init; }

    public string? CommandLine { get; init; }

    public bool ReuseCommandLine { get; init; }

    /// <summary>-p: load for use on panic (KEXEC_FILE_ON_CRASH / KEXEC_ON_CRASH).</summary>
    public bool Crash { get; init; }

    /// <summary>-d: KEXEC_FILE_DEBUG.</summary>
    public bool Debug { get; init; }

    public KexecSyscallMode Mode { get; init; } = KexecSyscallMode.Auto;

    /// <summary>--mem-min: the lowest address kexec_load's segments may use (kexec_file_load ignores it, as upstream).</summary>
    public ulong MemoryMin { get; init; }

    /// <summary>--mem-max: the highest address kexec_load's segments may use.</summary>
    public ulong MemoryMax { get; init; } = ulong.MaxValue;

    /// <summary>
    /// kexec_load flags besides KEXEC_ON_CRASH and the architecture: KEXEC_UPDATE_ELFCOREHDR
    /// (--hotplug), KEXEC_PRESERVE_CONTEXT (--load-preserve-context, refused by this loader).
    /// </summary>
    public ulong LoadFlags { get; init; }

    /// <summary>--hotplug: /sys/kernel/crash_elfcorehdr_size, the room the kernel wants for rewriting the ELF core headers.</summary>
    public ulong ElfHeaderRoom { get; init; }

    /// <summary>--real-mode or --entry-32bit: refused by every file loader, as upstream.</summary>
    public bool LegacyEntryPoint { get; init; }
}
