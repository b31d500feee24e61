namespace Kdump.Kexec;

/// <summary>
/// What sysfs says is loaded: /sys/kernel/kexec_loaded, kexec_crash_loaded and kexec_crash_size
/// (null when a file is missing or unreadable, e.g. a kernel without CONFIG_KEXEC_CORE).
/// </summary>
public sealed record KexecStatus(bool? Loaded, bool? CrashLoaded, ulong? CrashSizeBytes);
