namespace Kdump.Kexec;

/// <summary>
/// kexec-tools' result values (kexec/kexec.h). <c>main</c> returns them, so the exit status is
/// the value modulo 256: EFAILED → 255, ENOCRASHKERNEL → 254, EFALLBACK → 253; <c>die()</c> exits 1.
/// </summary>
public static class KexecResult
{
    public const int Success = 0;
    /// <summary>die(): the message is printed and the process exits 1.</summary>
    public const int Died = 1;
    public const int EFAILED = -1;
    public const int ENOCRASHKERNEL = -2;
    /// <summary>kexec_file_load is not available or did not understand the image: kexec_load may work.</summary>
    public const int EFALLBACK = -3;

    public static int ToExitCode(int result) => result & 0xff;
}
