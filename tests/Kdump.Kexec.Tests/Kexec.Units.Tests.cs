using Kdump.Kexec.Images;
using Kdump.Linux;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>Table-driven tests of the pure pieces: cmdline reuse, iomem, image probes, flags, the guard, the status API.</summary>
public sealed class KexecUnitTests
{
    [Theory]
    [InlineData("BOOT_IMAGE=/vmlinuz root=/dev/sda1 crashkernel=256M quiet\n", true, "root=/dev/sda1 quiet")]
    [InlineData("BOOT_IMAGE=/vmlinuz root=/dev/sda1 crashkernel=256M quiet\n", false, "root=/dev/sda1 crashkernel=256M quiet")]
    [InlineData("crashkernel=512M,high crashkernel=128M,low ro\n", true, "ro")]
    [InlineData("ro crashkernel=256M\n", true, "ro ")]                 // the last word leaves its separator
    [InlineData("xcrashkernel=1 crashkernel=2\n", true, "xcrashkernel=1 crashkernel=2")] // stops at a mid-word hit
    [InlineData("crashkernel_extra=1 a\n", true, "a")]                  // a prefix match removes the word
    [InlineData("a b", false, "a ")]                                    // the last byte is dropped even if not \n
    [InlineData("a\nb\n", false, "a")]
    public void Reuse_cmdline(string proc, bool crash, string expected) => Assert.Equal(expected, ProcCmdline.ForReuse(proc, crash));

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("a", null, "a")]
    [InlineData(null, "b", "b")]
    [InlineData("a", "b", "a b")]
    [InlineData("", "b", " b")]
    public void Concat_cmdline(string? reused, string? append, string? expected) => Assert.Equal(expected, ProcCmdline.Concat(reused, append));

    [Fact]
    public void Iomem_crash_kernel_ranges()
    {
        static IEnumerable<(ulong, ulong)> Ranges(string text) =>
            IomemLines.ReadLenient(text).Where(r => r.Name == IomemLines.CrashKernel).Select(r => (r.Start, r.End));
        Assert.Equal([(0x2f000000UL, 0x3effffffUL), (0x100000000UL, 0x10fffffffUL)], Ranges(TestTree.IomemWithCrashKernel + "  zz-1 : Crash kernel\n100000000-10fffffff : Crash kernel\n"));
        Assert.Empty(Ranges(TestTree.IomemWithoutCrashKernel));
    }

    [Theory]
    [InlineData(0x020f, 0x01, 0x0003, 2048, true)]
    [InlineData(0x020c, 0x01, 0x0013, 1024, true)]
    [InlineData(0x020b, 0x01, 0x0003, 2048, false)] // protocol below 2.12
    [InlineData(0x020f, 0x00, 0x0003, 2048, false)] // a zImage
    [InlineData(0x020f, 0x01, 0x0001, 2048, false)] // cannot be loaded above 4G
    [InlineData(0x020f, 0x01, 0x0003, 1023, false)] // shorter than two sectors
    public void BzImage64_probe(ushort protocol, byte loadFlags, ushort xloadFlags, int length, bool expected)
    {
        var bytes = BzImageStub.Bytes(protocol, loadFlags, xloadFlags, length);
        Assert.Equal(expected, BzImage64.Instance.Probe(bytes, bytes.Length));
        Assert.False(ElfX64.Instance.Probe(bytes.AsSpan(0, Math.Min(64, bytes.Length)), bytes.Length));
    }

    [Fact]
    public void The_lab_kernel_is_a_bzImage64()
    {
        var path = Path.Combine(Lab.Dir, "kernels", "bookworm", "vmlinuz");
        Assert.True(File.Exists(path), $"lab kernel missing: {path} (run eng/lab/fetch-kernel.sh bookworm)");
        var head = new byte[2048];
        long length;
        using (var f = File.OpenRead(path)) // vmlinuz is a symlink: FileInfo.Length would be the link's
        {
            f.ReadExactly(head);
            length = f.Length;
        }
        Assert.True(BzImage64.TryReadSetupHeaderCore(head, out var h));
        Assert.True(h.IsRelocatable64);
        Assert.True(h.ProtocolVersion >= 0x020f, $"protocol {h.ProtocolVersion:x4}");
        Assert.Same(BzImage64.Instance, KernelImageTypes.X64.First(t => t.Probe(head, length)));
    }

    [Theory]
    [InlineData(0UL, "0")]
    [InlineData(Linux.Kexec.KEXEC_FILE_UNLOAD | Linux.Kexec.KEXEC_FILE_ON_CRASH, "KEXEC_FILE_UNLOAD|KEXEC_FILE_ON_CRASH")]
    [InlineData(0x30UL, "0x30")]
    public void File_flag_names(ulong flags, string expected) => Assert.Equal(expected, Linux.Kexec.FormatFileFlags(flags));

    [Fact]
    public void Load_flag_names_include_the_architecture() =>
        Assert.Equal("KEXEC_ON_CRASH|KEXEC_ARCH_X86_64", Linux.Kexec.FormatLoadFlags(Linux.Kexec.KEXEC_ON_CRASH | Linux.Kexec.KEXEC_ARCH_X86_64));

    [Theory]
    [InlineData(null, false, 1234, null, false)]           // a test host: refused
    [InlineData("1", false, 1234, null, true)]             // the VM guest's opt-in
    [InlineData("yes", false, 1234, null, false)]          // only "1" opts in
    [InlineData(null, true, 1234, null, true)]             // capture kernel
    [InlineData(null, false, 1, "flags : fpu hypervisor", true)] // PID 1 on a VM
    [InlineData(null, false, 1, "flags : fpu", false)]     // PID 1 on bare metal
    public void Reboot_guard(string? env, bool vmcore, int pid, string? cpuinfo, bool allowed)
    {
        var guard = new RebootGuard(n => n == RebootGuard.OptInVariable ? env : null, p => vmcore && p == "/proc/vmcore", _ => cpuinfo, pid);
        Assert.Equal(allowed, guard.WhyRefused() is null);
    }

    [Fact]
    public void The_real_implementation_refuses_reboot_and_load_on_this_host()
    {
        // This process is no PID 1, has no /proc/vmcore and no opt-in: nothing reaches the kernel.
        Assert.Null(Environment.GetEnvironmentVariable(RebootGuard.OptInVariable));
        var messages = new StringWriter();
        var real = new LinuxSystemCalls(RebootGuard.ForProcess(), messages);
        Assert.Equal(Errno.EPERM, real.reboot(Reboot.LINUX_REBOOT_CMD_KEXEC).Errno);
        Assert.Equal(Errno.EPERM, real.reboot(Reboot.LINUX_REBOOT_CMD_POWER_OFF).Errno);
        Assert.Equal(Errno.EPERM, real.kexec_file_load(0, -1, "\0"u8, 0).Errno);
        // A crash-kernel load passes the guard (this host's kernel then answers for itself: no EPERM from us).
        Assert.DoesNotContain("refusing kexec_file_load", RefusalOf(r => r.kexec_file_load(-1, -1, "\0"u8, Linux.Kexec.KEXEC_FILE_ON_CRASH)), StringComparison.Ordinal);
        Assert.Equal(Errno.EPERM, real.ifdown().Errno);
        Assert.Equal(Errno.EPERM, real.execv("/sbin/shutdown", ["shutdown", "-r", "now"]).Errno);
        Assert.Contains("refusing reboot(LINUX_REBOOT_CMD_KEXEC)", messages.ToString(), StringComparison.Ordinal);
    }

    private static string RefusalOf(Action<LinuxSystemCalls> call)
    {
        var messages = new StringWriter();
        call(new LinuxSystemCalls(RebootGuard.ForProcess(), messages));
        return messages.ToString();
    }

    [Fact]
    public void Status_api_reads_sysfs_under_the_root()
    {
        using var tree = TestTree.Standard();
        tree.WriteSystemFile("/sys/kernel/kexec_crash_loaded", "1\n");
        var loader = new KexecLoader(new RecordingSystemCalls(), new SystemRoot(tree.Root), TextWriter.Null);
        Assert.Equal(new KexecStatus(false, true, 268435456UL), loader.ReadStatus());
        Assert.True(loader.IsCrashKernelReserved());
        Assert.Equal(0x10000000UL, loader.CrashKernelRegionSize());
        File.Delete(Path.Join(tree.Root, "/sys/kernel/kexec_loaded"));
        tree.WriteSystemFile("/sys/kernel/kexec_crash_size", "garbage");
        Assert.Equal(new KexecStatus(null, true, null), loader.ReadStatus());
    }

    [Fact]
    public void Loader_api_load_and_unload_for_kdumpctl()
    {
        using var tree = TestTree.Standard();
        var sys = new RecordingSystemCalls();
        var err = new StringWriter();
        var loader = new KexecLoader(sys, new SystemRoot(tree.Root), err);
        var vmlinuz = Path.Combine(tree.Directory, "vmlinuz");
        var result = loader.Load(new KexecLoadRequest(vmlinuz)
        {
            InitrdPath = Path.Combine(tree.Directory, "initrd.img"),
            CommandLine = "irqpoll nr_cpus=1",
            Crash = true,
            Mode = KexecSyscallMode.FileOnly,
        });
        Assert.Equal(KexecResult.Success, result);
        Assert.Equal(KexecResult.Success, loader.Unload(crash: true));
        Assert.Equal("", err.ToString());
        Assert.Equal(
            ["kexec_file_load(3<$T/vmlinuz>, 4<$T/initrd.img>, 18, \"irqpoll nr_cpus=1\", KEXEC_FILE_ON_CRASH) = 0",
             "kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD|KEXEC_FILE_ON_CRASH) = 0"],
            sys.Calls.Where(c => c.StartsWith("kexec", StringComparison.Ordinal)).Select(tree.Relative));
    }

    [Theory]
    [InlineData("0", 0UL, true)]
    [InlineData("4096", 4096UL, true)]
    [InlineData("0x1000", 4096UL, true)]
    [InlineData("010", 8UL, true)]
    [InlineData(" 12", 12UL, true)]
    [InlineData("12z", 0UL, false)]
    [InlineData("", 0UL, false)]
    [InlineData("09", 0UL, false)]
    public void Strtoul(string text, ulong value, bool ok)
    {
        Assert.Equal(ok, KexecCommand.TryStrtoul(text, out var v));
        if (ok) Assert.Equal(value, v);
    }
}
