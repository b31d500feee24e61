using Kdump.Config.Shell;
using Kdump.Kexec;

namespace Kdump.Control;

/// <summary>
/// KEXEC_ARGS from /etc/sysconfig/kdump, reduced to what the in-process load honours: the syscall
/// choice (<c>-s</c>, <c>-c</c>, <c>-a</c> and long forms) and <c>-d</c>. Anything else is refused
/// rather than silently dropped.
/// </summary>
public readonly record struct KexecArguments(KexecSyscallMode Mode, bool Debug)
{
    public static bool TryParse(string kexecArgs, out KexecArguments result, out string? unsupported)
    {
        var mode = KexecSyscallMode.Auto;
        var debug = false;
        unsupported = null;
        foreach (var word in ShellChars.SplitWords(kexecArgs))
        {
            switch (word)
            {
                case "-s" or "--kexec-file-syscall": mode = KexecSyscallMode.FileOnly; break;
                case "-c" or "--kexec-syscall": mode = KexecSyscallMode.LegacyOnly; break;
                case "-a" or "--kexec-syscall-auto": mode = KexecSyscallMode.Auto; break;
                case "-d" or "--debug": debug = true; break;
                default:
                    unsupported = word;
                    result = default;
                    return false;
            }
        }
        result = new KexecArguments(mode, debug);
        return true;
    }
}
