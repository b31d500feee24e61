namespace Kdump.Kexec;

/// <summary>Which load syscall to use: <c>-s</c>, <c>-c</c>, or <c>-a</c> (the default since kexec-tools 2.0.27).</summary>
public enum KexecSyscallMode
{
    /// <summary>-a: kexec_file_load, falling back to kexec_load on ENOSYS, EINVAL, ENOEXEC, ENOTSUP.</summary>
    Auto,
    /// <summary>-s: kexec_file_load only.</summary>
    FileOnly,
    /// <summary>-c: kexec_load only.</summary>
    LegacyOnly,
}
