namespace Kdump.Tests.Shared;

/// <summary>
/// Locates the real-kernel fixtures and reference tools made by eng/lab/lab.sh. A missing
/// fixture or tool is a test failure, never a skip: CI must prove the lab builds.
/// </summary>
internal static class Lab
{
    /// <summary>
    /// Debian releases the lab builds vmcores for: 5.10, 6.1, 6.12, and sid's current kernel (7.2
    /// in 2026-11), which makes CI meet the newest kernel's struct page before users do.
    /// </summary>
    public static readonly string[] Releases = ["bullseye", "bookworm", "trixie", "sid"];

    public static TheoryData<string> ReleaseData => [.. Releases];

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Dir { get; } =
        Environment.GetEnvironmentVariable("KDUMP_LAB_DIR") is { Length: > 0 } d ? d : Path.Combine(RepoRoot, ".lab");

    /// <summary>Path of a fixture file of one release, e.g. <c>Fixture("bookworm", "proc-vmcore.elf")</c>.</summary>
    public static string Fixture(string release, string relativePath)
    {
        var fixtureDir = Path.Combine(Dir, "fixtures", release);
        if (!File.Exists(Path.Combine(fixtureDir, ".done")))
            throw new FileNotFoundException(
                $"lab fixtures for {release} are missing or incomplete in {fixtureDir}: run eng/lab/lab.sh all");
        var path = Path.Combine(fixtureDir, relativePath);
        return File.Exists(path) ? path : throw new FileNotFoundException($"lab fixture missing: {path}", path);
    }

    /// <summary>The debug vmlinux of a release's lab kernel (eng/lab/fetch-vmlinux.sh).</summary>
    public static string Vmlinux(string release)
    {
        var kernel = Path.Combine(Dir, "kernels", release);
        return File.Exists(Path.Combine(kernel, ".vmlinux-done")) ? Path.Combine(kernel, "vmlinux") : throw new FileNotFoundException(
            $"the debug vmlinux of {release} is missing in {kernel}: run eng/lab/lab.sh all (fetch-vmlinux.sh)");
    }

    /// <summary>
    /// The separate debug files of some modules of a release's lab kernel (eng/lab/fetch-module-debug.sh):
    /// the tree the -dbg package puts under /usr/lib/debug/lib/modules/KVER.
    /// </summary>
    public static string ModuleDebug(string release)
    {
        var kernel = Path.Combine(Dir, "kernels", release);
        var kver = File.ReadAllText(Path.Combine(kernel, "kernel-release")).Trim();
        return File.Exists(Path.Combine(kernel, ".module-debug-done")) ? Path.Combine(kernel, "module-debug", kver) : throw new FileNotFoundException(
            $"the module debug files of {release} are missing in {kernel}: run eng/lab/lab.sh all (fetch-module-debug.sh)");
    }

    /// <summary>The unpacked /lib/modules/KVER of a release's lab kernel and its KVER.</summary>
    public static (string Directory, string KernelRelease) Modules(string release)
    {
        var kernel = Path.Combine(Dir, "kernels", release);
        var kver = File.ReadAllText(Path.Combine(kernel, "kernel-release")).Trim();
        return (Path.Combine(kernel, "root", "lib", "modules", kver), kver);
    }

    /// <summary>
    /// A copy of a release's proc-vmcore.elf at <paramref name="path"/> whose VMCOREINFO note is
    /// renamed "VMCOREINFX" (a note nobody reads): a vmcore without VMCOREINFO, made here.
    /// </summary>
    public static string CopyWithoutVmcoreInfo(string release, string path)
    {
        File.Copy(Fixture(release, "proc-vmcore.elf"), path);
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var head = new byte[1 << 16];
        f.ReadExactly(head);
        var at = head.AsSpan().IndexOf("VMCOREINFO\0"u8);
        Assert.True(at > 0, "no VMCOREINFO note name in the first 64 KiB");
        f.Position = at + 9;
        f.WriteByte((byte)'X');
        return path;
    }

    /// <summary><c>key=value</c> lines of a fixture's info.txt.</summary>
    public static IReadOnlyDictionary<string, string> Info(string release)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Fixture(release, "info.txt")))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) result[line[..eq]] = line[(eq + 1)..];
        }
        return result;
    }

    /// <summary>A reference tool wrapper made by eng/lab/reference-tools.sh, e.g. "makedumpfile-1.7.8".</summary>
    public static string ReferenceTool(string name)
    {
        var path = Path.Combine(Dir, "ref", "bin", name);
        return File.Exists(path) ? path : throw new FileNotFoundException(
            $"reference tool {name} missing at {path}: run eng/lab/lab.sh all", path);
    }

    /// <summary>
    /// Options that make makedumpfile 1.7.8 read a release's vmcore as current upstream does:
    /// <c>-i derived/vmcoreinfo-upstream.txt</c> where eng/lab/make-fixtures.sh wrote one (Linux 7.1+
    /// exports OFFSET(page.compound_info); upstream f50c015, after 1.7.8, reads it as
    /// compound_head, and 1.7.8 given the renamed key does the same), else nothing.
    /// </summary>
    public static string[] UpstreamReading(string release)
    {
        var path = Path.Combine(Path.GetDirectoryName(Fixture(release, "info.txt"))!, "derived", "vmcoreinfo-upstream.txt");
        return File.Exists(path) ? ["-i", path] : [];
    }

    /// <summary>
    /// 1.7.8's stdout warning for a kernel outside its range (newer than 6.17.4), when its own
    /// runs on this release printed it (derived/makedumpfile.log); otherwise "".
    /// </summary>
    public static string VersionWarning(string release) =>
        File.ReadAllText(Fixture(release, "derived/makedumpfile.log")).Contains("The kernel version is not supported.\n", StringComparison.Ordinal)
            ? "The kernel version is not supported.\nThe makedumpfile operation may be incomplete.\n"
            : "";

    /// <summary>A reference tool from Debian 12's own packages, by absolute path.</summary>
    public static string SystemTool(string absolutePath) =>
        File.Exists(absolutePath) ? absolutePath : throw new FileNotFoundException(
            $"reference tool {absolutePath} is not installed: run eng/lab/install-deps.sh", absolutePath);

    /// <summary>A fresh scratch directory under the lab folder, deleted when the result is disposed.</summary>
    public static ScratchDir Scratch(string purpose) =>
        new(Path.Combine(Dir, "scratch", $"{purpose}-{Environment.ProcessId}-{Guid.NewGuid():N}"));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kdump.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"cannot find Kdump.slnx above {AppContext.BaseDirectory}");
    }
}
