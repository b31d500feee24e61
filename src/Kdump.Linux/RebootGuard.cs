namespace Kdump.Linux;

/// <summary>
/// Decides whether this process may do something that takes the machine away: reboot(2),
/// kexec into a loaded kernel, execv of shutdown, bringing interfaces down, or loading a normal
/// kernel (a loaded kernel turns the next ordinary reboot into a kexec). Loading a crash kernel is
/// not guarded: it runs only after a panic, and loading it is kdumpctl start's job. Allowed only
/// <list type="bullet">
/// <item>in a capture kernel (<c>/proc/vmcore</c> exists),</item>
/// <item>as PID 1 on a virtual machine (the hypervisor flag in <c>/proc/cpuinfo</c>), or</item>
/// <item>when <c>KDUMP_ALLOW_REBOOT=1</c> is set — only the VM-test guest's /init sets it (eng/vmtest/guest/init).</item>
/// </list>
/// Nothing else — in particular no test on a development host — can reboot, power off or kexec it.
/// </summary>
public sealed class RebootGuard
{
    public const string OptInVariable = "KDUMP_ALLOW_REBOOT";

    private readonly Func<string, string?> _getEnvironment;
    private readonly Func<string, bool> _fileExists;
    private readonly Func<string, string?> _readFile;
    private readonly int _processId;

    public RebootGuard(Func<string, string?> getEnvironment, Func<string, bool> fileExists, Func<string, string?> readFile, int processId)
    {
        _getEnvironment = getEnvironment;
        _fileExists = fileExists;
        _readFile = readFile;
        _processId = processId;
    }

    /// <summary>The guard of this process: its environment, its /proc, its PID.</summary>
    public static RebootGuard ForProcess() => new(
        Environment.GetEnvironmentVariable,
        File.Exists,
        static p =>
        {
            try { return File.ReadAllText(p); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        },
        Environment.ProcessId);

    /// <summary>Null when allowed; otherwise why not, for the refusal message.</summary>
    public string? WhyRefused()
    {
        if (_getEnvironment(OptInVariable) == "1") return null;
        if (_fileExists("/proc/vmcore")) return null;
        if (_processId == 1 && IsVirtualMachine()) return null;
        return $"not in a capture kernel (no /proc/vmcore), not PID 1 on a virtual machine, and {OptInVariable}=1 is not set";
    }

    private bool IsVirtualMachine()
    {
        var cpuinfo = _readFile("/proc/cpuinfo");
        return cpuinfo is not null && cpuinfo.Contains(" hypervisor", StringComparison.Ordinal);
    }
}
