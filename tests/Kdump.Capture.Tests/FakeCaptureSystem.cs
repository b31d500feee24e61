namespace Kdump.Capture.Tests;

/// <summary>Records every effect in one ordered event list; processes are scripted by argv[0].</summary>
internal sealed class FakeCaptureSystem : ICaptureSystem
{
    public List<string> Events { get; } = [];

    /// <summary>argv[0] (file name) → behaviour returning an exit code; default 0.</summary>
    public Dictionary<string, Func<IReadOnlyList<string>, string?, int>> Programs { get; } = new(StringComparer.Ordinal);

    public HashSet<string> MountPoints { get; } = new(StringComparer.Ordinal);

    public Func<string, string?> MountResult { get; set; } = _ => null;

    public DateTime Now { get; set; } = new(2026, 11, 26, 12, 34, 56);

    public string? HostIp { get; set; } = "192.168.122.10";

    public int Run(IReadOnlyList<string> argv, string? stdinPath = null, string? stdoutPath = null)
    {
        var name = Path.GetFileName(argv[0]);
        Events.Add($"run {name} {string.Join(' ', argv.Skip(1))}" + (stdoutPath is null ? "" : $" > {stdoutPath}") + (stdinPath is null ? "" : $" < {Path.GetFileName(stdinPath)}"));
        return Programs.TryGetValue(name, out var p) ? p(argv, stdoutPath) : 0;
    }

    public int RunPipeline(IReadOnlyList<string> producer, IReadOnlyList<string> consumer)
    {
        Events.Add($"pipe {string.Join(' ', producer.Select((a, i) => i == 0 ? Path.GetFileName(a) : a))} | {string.Join(' ', consumer)}");
        return Programs.TryGetValue(Path.GetFileName(producer[0]), out var p) ? p(producer, null) : 0;
    }

    /// <summary>The built-in collector, recorded as "builtin makedumpfile …" and played by <c>Programs["makedumpfile"]</c>.</summary>
    public int RunBuiltIn(IReadOnlyList<string> args, string? stdoutPath = null)
    {
        Events.Add($"builtin makedumpfile {string.Join(' ', args)}" + (stdoutPath is null ? "" : $" > {stdoutPath}"));
        return Programs.TryGetValue("makedumpfile", out var p) ? p(["makedumpfile", .. args], stdoutPath) : 0;
    }

    public int RunBuiltInPipeline(IReadOnlyList<string> args, IReadOnlyList<string> consumer)
    {
        Events.Add($"builtin makedumpfile {string.Join(' ', args)} | {string.Join(' ', consumer)}");
        return Programs.TryGetValue("makedumpfile", out var p) ? p(["makedumpfile", .. args], null) : 0;
    }

    public bool IsMountPoint(string path) => MountPoints.Contains(path);

    public string? GetMountOptions(string path) => MountPoints.Contains(path) ? "rw,relatime" : null;

    public string? Mount(string source, string target, string fsType, string options)
    {
        Events.Add($"mount {source} {fsType} {options}");
        var r = MountResult(source);
        if (r is null) MountPoints.Add(target);
        return r;
    }

    public string? RemountReadWrite(string target) { Events.Add("remount rw"); return null; }

    public string? LoadModule(string path) { Events.Add("insmod " + path); return null; }

    public void Sync() { }

    public string? GetHostIpToward(string remoteIp) { Events.Add("route " + remoteIp); return HostIp; }

    public string ReadKernelLog() => "[    0.000000] capture kernel log\n";

    public void StartFenceKdumpSend(IReadOnlyList<string> args) => Events.Add("fence_kdump_send " + string.Join(' ', args));

    public void Log(string message) => Events.Add(message);

    public void Reboot() => Events.Add("REBOOT");

    public void Halt() => Events.Add("HALT");

    public void Poweroff() => Events.Add("POWEROFF");

    public void Shell() => Events.Add("SHELL");
}
