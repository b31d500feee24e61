using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// A prepared system tree in a temporary directory: <c>root/</c> holds /proc and /sys files, the
/// directory itself holds kernels and initrds made by <see cref="WriteBzImage"/>.
/// </summary>
internal sealed class TestTree : IDisposable
{
    public const string IomemWithCrashKernel =
        "00000000-00000fff : Reserved\n" +
        "00100000-3ffdffff : System RAM\n" +
        "  01000000-01ffffff : Kernel code\n" +
        "  2f000000-3effffff : Crash kernel\n";

    public const string IomemWithoutCrashKernel =
        "00000000-00000fff : Reserved\n" +
        "00100000-3ffdffff : System RAM\n";

    public TestTree()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"kexec-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Root = Path.Combine(Directory, "root");
        System.IO.Directory.CreateDirectory(Path.Combine(Root, "proc"));
        System.IO.Directory.CreateDirectory(Path.Combine(Root, "sys", "kernel"));
    }

    public string Directory { get; }

    public string Root { get; }

    /// <summary>A typical kexec-capable machine: crash memory reserved, nothing loaded.</summary>
    public static TestTree Standard()
    {
        var t = new TestTree();
        t.WriteSystemFile("/proc/iomem", IomemWithCrashKernel);
        t.WriteSystemFile("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro crashkernel=256M quiet\n");
        t.WriteSystemFile("/sys/kernel/kexec_loaded", "0\n");
        t.WriteSystemFile("/sys/kernel/kexec_crash_loaded", "0\n");
        t.WriteSystemFile("/sys/kernel/kexec_crash_size", "268435456\n");
        t.WriteBzImage("vmlinuz");
        t.WriteFile("initrd.img", [0x30, 0x37, 0x30, 0x37, 0x30, 0x31]);
        return t;
    }

    public void WriteSystemFile(string systemPath, string text)
    {
        var path = Path.Join(Root, systemPath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A bzImage stub (<see cref="BzImageStub"/>) in the tree's directory.</summary>
    public string WriteBzImage(string name, ushort protocol = 0x020f, byte loadFlags = 0x01, ushort xloadFlags = 0x0003, int length = 2048) =>
        WriteFile(name, BzImageStub.Bytes(protocol, loadFlags, xloadFlags, length));

    /// <summary>Replaces the temporary directory by "$T" so that golden text is stable.</summary>
    public string Relative(string text) => text.Replace(Directory, "$T", StringComparison.Ordinal);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
