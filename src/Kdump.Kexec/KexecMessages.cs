namespace Kdump.Kexec;

/// <summary>Multi-line messages, verbatim from kexec-tools 2.0.32 (kexec/kexec.c) unless marked ours.</summary>
public static class KexecMessages
{
    public const string Version = "kexec-tools 2.0.32";

    // main(): the missing space after "passing" is upstream's.
    public const string CrashMemoryNotReserved =
        "Memory for crashkernel is not reserved\n" +
        "Please reserve memory by passing\"crashkernel=Y@X\" parameter to kernel\n" +
        "Then try to loading kdump kernel\n";

    public const string PreserveContextNeedsMemMax =
        "Please specify memory range used by kexeced kernel\n" +
        "to preserve the context of original kernel with \n" +
        "\"--mem-max\" parameter\n";

    public const string FailedToReadProcCmdline = "Failed to read /proc/cmdline\n";

    public const string NothingLoaded = "Nothing has been loaded!\n";

    public const string FileLoadNotAvailable = "syscall kexec_file_load not available.\n";

    public const string ReuseInitrdNotRetained = "unrecoverable error: current boot didn't retain the initrd for reuse.\n";
}
