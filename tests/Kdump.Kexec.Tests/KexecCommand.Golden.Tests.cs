using Kdump.Kexec.Images;
using Kdump.Linux;
using Kdump.Linux.Testing;

namespace Kdump.Kexec.Tests;

/// <summary>
/// Golden CLI tests: argv → stdout, stderr, exit status and the system calls made (recorded by a
/// fake, so nothing is loaded or rebooted). Expected messages are kexec-tools 2.0.32's
/// (kexec/kexec.c, kexec/arch/x86_64/kexec-bzImage64.c); $T is the test's temporary directory.
/// </summary>
public sealed class KexecCommandGoldenTests : IDisposable
{
    private static readonly string s_usage = KexecUsage.Text(KernelImageTypes.X64);
    private readonly TestTree _tree = TestTree.Standard();

    public void Dispose() => _tree.Dispose();

    private static void Expect(KexecRun run, int exit, string stdout = "", string stderr = "", params string[] calls)
    {
        Assert.Equal(stderr, run.Stderr);
        Assert.Equal(stdout, run.Stdout);
        Assert.Equal(calls, run.Calls);
        Assert.Equal(exit, run.ExitCode);
    }

    // --- loading ------------------------------------------------------------------------------

    [Fact]
    public void Panic_load_with_initrd_and_append_uses_kexec_file_load_on_crash() => Expect(
        KexecRun.Invoke(_tree, "-s", "-p", "vmlinuz", "--initrd=initrd.img", "--append=console=ttyS0 irqpoll nr_cpus=1"),
        0,
        calls:
        [
            "open(\"$T/vmlinuz\", O_RDONLY|O_CLOEXEC) = 3",
            "open(\"$T/initrd.img\", O_RDONLY|O_CLOEXEC) = 4",
            "kexec_file_load(3<$T/vmlinuz>, 4<$T/initrd.img>, 32, \"console=ttyS0 irqpoll nr_cpus=1\", KEXEC_FILE_ON_CRASH) = 0",
            "close(4<$T/initrd.img>) = 0",
            "close(3<$T/vmlinuz>) = 0",
        ]);

    [Fact]
    public void Load_without_initrd_sets_no_initramfs_and_passes_an_empty_command_line() => Expect(
        KexecRun.Invoke(_tree, "-l", "vmlinuz"),
        0,
        calls:
        [
            "open(\"$T/vmlinuz\", O_RDONLY|O_CLOEXEC) = 3",
            "kexec_file_load(3<$T/vmlinuz>, -1, 1, \"\", KEXEC_FILE_NO_INITRAMFS) = 0",
            "close(3<$T/vmlinuz>) = 0",
            "sync() = 0", // -l keeps main()'s do_sync; only -p and -u clear it
        ]);

    [Fact]
    public void Command_line_and_append_are_one_option_and_the_last_wins() => Assert.Contains(
        "kexec_file_load(3<$T/vmlinuz>, -1, 2, \"b\", KEXEC_FILE_NO_INITRAMFS) = 0",
        KexecRun.Invoke(_tree, "-l", "--command-line=a", "--append", "b", "vmlinuz").Calls);

    [Fact]
    public void Ramdisk_is_initrd() => Assert.Contains(
        "kexec_file_load(3<$T/vmlinuz>, 4<$T/initrd.img>, 1, \"\", 0) = 0",
        KexecRun.Invoke(_tree, "-l", "--ramdisk=initrd.img", "vmlinuz").Calls);

    [Fact]
    public void Debug_adds_kexec_file_debug() => Assert.Contains(
        "kexec_file_load(3<$T/vmlinuz>, -1, 1, \"\", KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS|KEXEC_FILE_DEBUG) = 0",
        KexecRun.Invoke(_tree, "-d", "-p", "vmlinuz").Calls);

    [Fact]
    public void Reuse_cmdline_for_a_crash_kernel_drops_boot_image_and_crashkernel_then_appends() => Assert.Contains(
        "kexec_file_load(3<$T/vmlinuz>, -1, 42, \"root=UUID=1234 ro quiet irqpoll nr_cpus=1\", KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS) = 0",
        KexecRun.Invoke(_tree, "-p", "--reuse-cmdline", "--append=irqpoll nr_cpus=1", "vmlinuz").Calls);

    [Fact]
    public void Reuse_cmdline_for_a_normal_kernel_keeps_crashkernel() => Assert.Contains(
        "kexec_file_load(3<$T/vmlinuz>, -1, 41, \"root=UUID=1234 ro crashkernel=256M quiet\", KEXEC_FILE_NO_INITRAMFS) = 0",
        KexecRun.Invoke(_tree, "-l", "--reuse-cmdline", "vmlinuz").Calls);

    [Fact]
    public void Reuse_cmdline_with_an_empty_proc_cmdline_dies()
    {
        _tree.WriteSystemFile("/proc/cmdline", "");
        Expect(KexecRun.Invoke(_tree, "-l", "--reuse-cmdline", "vmlinuz"), 1, stderr: "Failed to read /proc/cmdline\n");
    }

    [Fact]
    public void Panic_load_without_reserved_memory_dies_with_upstream_text()
    {
        _tree.WriteSystemFile("/proc/iomem", TestTree.IomemWithoutCrashKernel);
        Expect(KexecRun.Invoke(_tree, "-p", "vmlinuz"), 1,
            stderr: "Memory for crashkernel is not reserved\n" +
                    "Please reserve memory by passing\"crashkernel=Y@X\" parameter to kernel\n" +
                    "Then try to loading kdump kernel\n");
    }

    [Fact]
    public void Missing_kernel_dies_like_slurp_file() => Expect(
        KexecRun.Invoke(_tree, "-l", "missing"), 1, stderr: "Cannot open `$T/missing': No such file or directory\n");

    [Fact]
    public void Unknown_kernel_format_fails_with_255()
    {
        _tree.WriteFile("notakernel", new byte[4096]);
        Expect(KexecRun.Invoke(_tree, "-s", "-l", "notakernel"), 255, stderr: "Cannot determine the file type of $T/notakernel\n");
    }

    [Fact]
    public void Old_boot_protocol_is_not_a_bzImage64()
    {
        _tree.WriteBzImage("old", protocol: 0x020b);
        Expect(KexecRun.Invoke(_tree, "-s", "-l", "old"), 255, stderr: "Cannot determine the file type of $T/old\n");
    }

    [Fact]
    public void Missing_initrd_is_reported_by_the_loader() => Expect(
        KexecRun.Invoke(_tree, "-l", "--initrd=nope", "vmlinuz"), 255,
        stderr: "Could not open initrd file $T/nope:No such file or directory\nCannot load $T/vmlinuz\n",
        calls: ["open(\"$T/vmlinuz\", O_RDONLY|O_CLOEXEC) = 3", "open(\"$T/nope\", O_RDONLY|O_CLOEXEC) = -1 ENOENT", "close(3<$T/vmlinuz>) = 0"]);

    [Fact]
    public void Real_mode_entry_is_refused_by_the_file_loader() => Expect(
        KexecRun.Invoke(_tree, "-l", "--real-mode", "vmlinuz"), 255,
        stderr: "Kexec2 syscall does not support 16bit or 32bit entry yet\nCannot load $T/vmlinuz\n");

    [Fact]
    public void No_kernel_prints_the_message_then_usage_and_fails_with_255() => Expect(
        KexecRun.Invoke(_tree, "-l"), 255, stdout: s_usage, stderr: "No kernel specified\n");

    [Fact]
    public void File_only_load_without_the_syscall_exits_253()
    {
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", Errno.ENOSYS);
        var run = KexecRun.Invoke(_tree, sys, "-s", "-l", "vmlinuz");
        Expect(run, 253, stderr: "syscall kexec_file_load not available.\n",
            calls: ["open(\"$T/vmlinuz\", O_RDONLY|O_CLOEXEC) = 3",
                    "kexec_file_load(3<$T/vmlinuz>, -1, 1, \"\", KEXEC_FILE_NO_INITRAMFS) = -1 ENOSYS",
                    "close(3<$T/vmlinuz>) = 0"]);
    }

    [Theory]
    [InlineData(Errno.ENOSYS)]
    [InlineData(Errno.EINVAL)]
    [InlineData(Errno.ENOEXEC)]
    [InlineData(Errno.ENOTSUP)]
    public void Auto_mode_falls_back_to_kexec_load_on_the_upstream_errnos_silently(int errno)
    {
        _tree.AddLegacyMachine();
        _tree.WriteFile("vmlinuz", Kdump.Tests.Shared.BzImageStub.Loadable());
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", errno);
        Expect(KexecRun.Invoke(_tree, sys, "-p", "vmlinuz", "--append=console=ttyS0"), 0,
            calls: ["open(\"$T/vmlinuz\", O_RDONLY|O_CLOEXEC) = 3",
                    "kexec_file_load(3<$T/vmlinuz>, -1, 14, \"console=ttyS0\", KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS) = -1 " + Errno.Name(errno),
                    "close(3<$T/vmlinuz>) = 0",
                    "kexec_load(0x2f803030, 4, [{0x2f000000, 0x800000, 14336}, {0x2f800000, 0x1000, 400}, " +
                    "{0x2f801000, 0x2000, 4129}, {0x2f803000, 0x1000, 4096}], KEXEC_ON_CRASH|KEXEC_ARCH_X86_64) = 0"]);
    }

    [Theory]
    [InlineData(Errno.EKEYREJECTED, "Key was rejected by service")]
    [InlineData(Errno.ENOKEY, "Required key not available")]
    [InlineData(Errno.EBADMSG, "Bad message")]
    [InlineData(Errno.EPERM, "Operation not permitted")]
    [InlineData(Errno.EBUSY, "Device or resource busy")]
    public void Signature_and_other_errors_never_fall_back(int errno, string text)
    {
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", errno);
        Expect(KexecRun.Invoke(_tree, sys, "-p", "vmlinuz"), 255, stderr: $"kexec_file_load failed: {text}\n",
            calls: ["open(\"$T/vmlinuz\", O_RDONLY|O_CLOEXEC) = 3",
                    "kexec_file_load(3<$T/vmlinuz>, -1, 1, \"\", KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS) = -1 " + Errno.Name(errno),
                    "close(3<$T/vmlinuz>) = 0"]);
    }

    [Fact]
    public void Legacy_syscall_load_of_a_kernel_without_an_alignment_fails_before_any_syscall() => Expect(
        KexecRun.Invoke(_tree, "-c", "-l", "vmlinuz"), 255,
        stderr: "kexec: '$T/vmlinuz': kernel_alignment 0x0 at offset 0x230: is not a power of two of at least a page\n" +
                "Cannot load $T/vmlinuz\n");

    [Fact]
    public void An_elf_vmlinux_is_recognised_and_the_kernel_decides()
    {
        WriteElfVmlinux();
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", Errno.ENOEXEC);
        var run = KexecRun.Invoke(_tree, sys, "-s", "-l", "vmlinux");
        Expect(run, 253, stderr: "syscall kexec_file_load not available.\n",
            calls: ["open(\"$T/vmlinux\", O_RDONLY|O_CLOEXEC) = 3",
                    "kexec_file_load(3<$T/vmlinux>, -1, 1, \"\", KEXEC_FILE_NO_INITRAMFS) = -1 ENOEXEC",
                    "close(3<$T/vmlinux>) = 0"]);
    }

    [Fact]
    public void An_elf_vmlinux_falling_back_to_kexec_load_is_a_type_this_loader_does_not_know()
    {
        WriteElfVmlinux();
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", Errno.ENOEXEC);
        Expect(KexecRun.Invoke(_tree, sys, "-p", "vmlinux"), 255, stderr: "Cannot determine the file type of $T/vmlinux\n",
            calls: ["open(\"$T/vmlinux\", O_RDONLY|O_CLOEXEC) = 3",
                    "kexec_file_load(3<$T/vmlinux>, -1, 1, \"\", KEXEC_FILE_ON_CRASH|KEXEC_FILE_NO_INITRAMFS) = -1 ENOEXEC",
                    "close(3<$T/vmlinux>) = 0"]);
    }

    /// <summary>An ELF header of an x86_64 executable (ELFCLASS64, little-endian, ET_EXEC, EM_X86_64).</summary>
    private void WriteElfVmlinux()
    {
        var elf = new byte[64];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2; elf[5] = 1; elf[16] = 2; elf[18] = 62;
        _tree.WriteFile("vmlinux", elf);
    }

    // --- unloading ------------------------------------------------------------------------------

    [Fact]
    public void Unload_crash_kernel() => Expect(
        KexecRun.Invoke(_tree, "-p", "-u"), 0, calls: ["kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD|KEXEC_FILE_ON_CRASH) = 0"]);

    [Fact]
    public void Unload_falls_back_to_kexec_load_on_enosys_in_auto_mode()
    {
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", Errno.ENOSYS);
        Expect(KexecRun.Invoke(_tree, sys, "-u"), 0,
            calls: ["kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD) = -1 ENOSYS", "kexec_load(0x0, 0, NULL, KEXEC_ARCH_X86_64) = 0"]);
    }

    [Fact]
    public void Unload_with_file_syscall_only_and_enosys_exits_253()
    {
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", Errno.ENOSYS);
        Expect(KexecRun.Invoke(_tree, sys, "-s", "-p", "-u"), 253, stderr: "syscall kexec_file_load not available.\n",
            calls: ["kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD|KEXEC_FILE_ON_CRASH) = -1 ENOSYS"]);
    }

    [Fact]
    public void Unload_with_the_legacy_syscall() => Expect(
        KexecRun.Invoke(_tree, "-c", "-p", "-u"), 0, calls: ["kexec_load(0x0, 0, NULL, KEXEC_ON_CRASH|KEXEC_ARCH_X86_64) = 0"]);

    [Fact]
    public void Unload_failure_other_than_enosys_is_final()
    {
        var sys = new RecordingSystemCalls().FailAlways("kexec_file_load", Errno.EBUSY);
        Expect(KexecRun.Invoke(_tree, sys, "-u"), 255, stderr: "kexec_file_load(unload) failed: Device or resource busy\n",
            calls: ["kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD) = -1 EBUSY"]);
    }

    [Fact]
    public void Unload_with_a_loader_option_is_a_usage_error() => Expect(
        KexecRun.Invoke(_tree, "-u", "--initrd=x"), 1, stdout: s_usage);

    [Fact]
    public void Unload_with_an_arch_option_below_opt_arch_max_is_fine() => Expect(
        KexecRun.Invoke(_tree, "-u", "--reset-vga"), 0, calls: ["kexec_file_load(-1, -1, 0, \"\", KEXEC_FILE_UNLOAD) = 0"]);

    // --- status ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("1\n", "0\n", new[] { "-S" }, 1)]
    [InlineData("0\n", "1\n", new[] { "-S" }, 0)]
    [InlineData("0\n", "1\n", new[] { "-S", "-l" }, 1)]
    [InlineData("1\n", "0\n", new[] { "-S", "-p" }, 1)]
    [InlineData("0\n", "0\n", new[] { "--status", "-p", "-u" }, 0)]
    public void Status_exits_1_when_loaded_and_0_when_not(string crashLoaded, string loaded, string[] args, int exit)
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_crash_loaded", crashLoaded);
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", loaded);
        Expect(KexecRun.Invoke(_tree, args), exit);
    }

    [Fact]
    public void Status_without_sysfs_exits_255()
    {
        File.Delete(Path.Join(_tree.Root, "/sys/kernel/kexec_crash_loaded"));
        Expect(KexecRun.Invoke(_tree, "-S"), 255);
    }

    [Fact]
    public void Status_supersedes_loading_but_loader_options_are_then_a_usage_error() => Expect(
        KexecRun.Invoke(_tree, "-S", "-p", "--initrd=x", "vmlinuz"), 1, stdout: s_usage);

    // --- exec, force, shutdown --------------------------------------------------------------------

    [Fact]
    public void Exec_syncs_downs_interfaces_and_reboots_into_the_loaded_kernel()
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", "1\n");
        Expect(KexecRun.Invoke(_tree, "-e"), 0, calls: ["sync() = 0", "ifdown() = 0", "reboot(LINUX_REBOOT_CMD_KEXEC) = 0"]);
    }

    [Fact]
    public void Exec_with_no_sync_and_no_ifdown()
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", "1\n");
        Expect(KexecRun.Invoke(_tree, "-e", "-x", "-y"), 0, calls: ["reboot(LINUX_REBOOT_CMD_KEXEC) = 0"]);
    }

    [Fact]
    public void Exec_with_nothing_loaded_dies() => Expect(
        KexecRun.Invoke(_tree, "-e"), 1, stderr: "Nothing has been loaded!\n");

    [Fact]
    public void Exec_failure_reports_errno()
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", "1\n");
        var sys = new RecordingSystemCalls().FailAlways("reboot", Errno.EPERM);
        Expect(KexecRun.Invoke(_tree, sys, "-e", "-x"), 255, stderr: "kexec failed: Operation not permitted\n",
            calls: ["sync() = 0", "reboot(LINUX_REBOOT_CMD_KEXEC) = -1 EPERM"]);
    }

    [Fact]
    public void Force_loads_then_execs_without_shutdown()
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", "1\n");
        var run = KexecRun.Invoke(_tree, "-f", "vmlinuz");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["sync() = 0", "ifdown() = 0", "reboot(LINUX_REBOOT_CMD_KEXEC) = 0"], run.Calls.TakeLast(3));
    }

    [Fact]
    public void Plain_kexec_loads_then_runs_shutdown()
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", "1\n");
        var sys = new RecordingSystemCalls().FailNext("execv", Errno.ENOENT);
        var run = KexecRun.Invoke(_tree, sys, "vmlinuz");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["execv(\"/sbin/shutdown\", [\"shutdown\", \"-r\", \"now\"]) = -1 ENOENT",
             "execv(\"/etc/shutdown\", [\"shutdown\", \"-r\", \"now\"]) = 0",
             "sync() = 0"],
            run.Calls.TakeLast(3));
    }

    [Fact]
    public void Shutdown_not_found_anywhere_is_perror()
    {
        _tree.WriteSystemFile("/sys/kernel/kexec_loaded", "1\n");
        var sys = new RecordingSystemCalls().FailAlways("execv", Errno.ENOENT);
        var run = KexecRun.Invoke(_tree, sys, "vmlinuz");
        Assert.Equal(255, run.ExitCode);
        Assert.Equal("shutdown: No such file or directory\n", run.Stderr);
    }

    // --- options --------------------------------------------------------------------------------

    [Fact]
    public void Version() => Expect(KexecRun.Invoke(_tree, "-v"), 0, stdout: "kexec-tools 2.0.32\n");

    [Fact]
    public void Help() => Expect(KexecRun.Invoke(_tree, "--help"), 0, stdout: s_usage);

    [Fact]
    public void Options_are_handled_in_order_so_version_before_a_bad_option_wins() =>
        Expect(KexecRun.Invoke(_tree, "-v", "-q"), 0, stdout: "kexec-tools 2.0.32\n");

    [Theory]
    [InlineData(new[] { "-q" }, "kexec: invalid option -- 'q'\n")]
    [InlineData(new[] { "--bogus" }, "kexec: unrecognized option '--bogus'\n")]
    [InlineData(new[] { "-t" }, "kexec: option requires an argument -- 't'\n")]
    [InlineData(new[] { "--append" }, "kexec: option '--append' requires an argument\n")]
    [InlineData(new[] { "--load=x" }, "kexec: option '--load' doesn't allow an argument\n")]
    [InlineData(new[] { "-?" }, "")]
    public void Getopt_errors_print_usage_and_exit_1(string[] args, string stderr) =>
        Expect(KexecRun.Invoke(_tree, args), 1, stdout: s_usage, stderr: stderr);

    [Theory]
    [InlineData("--entry=12z", "entry")]
    [InlineData("--mem-min=0x", "mem-min")]
    [InlineData("--mem-max=zz", "mem-max")]
    public void Bad_numeric_values(string arg, string name) => Expect(
        KexecRun.Invoke(_tree, arg, "-l", "vmlinuz"), 1, stdout: s_usage, stderr: $"Bad option value in --{name}={arg[(arg.IndexOf('=') + 1)..]}\n");

    [Fact]
    public void Preserve_context_without_mem_max_dies() => Expect(
        KexecRun.Invoke(_tree, "--load-preserve-context", "vmlinuz"), 1, stderr: KexecMessages.PreserveContextNeedsMemMax);

    [Fact]
    public void Preserve_context_is_not_supported_by_kexec_file_load() => Expect(
        KexecRun.Invoke(_tree, "--load-preserve-context", "--mem-max=0x10000000", "vmlinuz"), 1,
        stderr: "--load-preserve-context not supported with kexec_file_load\n");

    [Fact]
    public void Exec_live_update_needs_xen() => Expect(
        KexecRun.Invoke(_tree, "--exec-live-update"), 1, stderr: "--exec-live-update only works under xen.\n");

    [Fact]
    public void Hotplug_needs_crash_elfcorehdr_size() => Expect(
        KexecRun.Invoke(_tree, "--hotplug", "-p", "vmlinuz"), 1,
        stderr: "Path /sys/kernel/crash_elfcorehdr_size does not exist, the kernel needs CONFIG_CRASH_HOTPLUG\n");

    [Fact]
    public void Hotplug_with_the_file_present_loads()
    {
        _tree.WriteSystemFile("/sys/kernel/crash_elfcorehdr_size", "8192\n");
        Assert.Equal(0, KexecRun.Invoke(_tree, "--hotplug", "-p", "vmlinuz").ExitCode);
    }

    [Theory]
    [InlineData("--serial=ttyS9", "Bad serial port base 'ttyS9'\n")]
    [InlineData("--serial-baud=1234", "Bad serial port baud rate '1234'\n")]
    public void Bad_serial_settings_print_usage_and_skip_the_load(string arg, string stderr) => Expect(
        KexecRun.Invoke(_tree, arg, "-l", "vmlinuz"), 255, stdout: s_usage, stderr: stderr);

    [Fact]
    public void Print_ckr_size_prints_the_crash_kernel_range_size() => Expect(
        KexecRun.Invoke(_tree, "--print-ckr-size"), 0, stdout: "268435456\n");

    [Fact]
    public void Reuseinitrd_without_retain_initrd_dies() => Expect(
        KexecRun.Invoke(_tree, "--reuseinitrd", "-l", "vmlinuz"), 1, stderr: KexecMessages.ReuseInitrdNotRetained);

    [Fact]
    public void Jump_back_helper_sets_preserve_context_which_kexec_file_load_refuses() => Expect(
        KexecRun.Invoke(_tree, "--load-jump-back-helper", "--entry=0x1000"), 1,
        stderr: "--load-preserve-context not supported with kexec_file_load\n");

    [Fact]
    public void Jump_back_helper_needs_an_entry() => Expect(
        KexecRun.Invoke(_tree, "-c", "--load-jump-back-helper"), 255, stderr: "Please specify jump back entry in command line\n",
        calls: ["sync() = 0", "ifdown() = 0"]);

    [Fact]
    public void Jump_back_helper_loads_one_empty_segment() => Expect(
        KexecRun.Invoke(_tree, "-c", "--load-jump-back-helper", "--entry=0x1000", "-x", "-y"), 0,
        calls: ["kexec_load(0x1000, 1, [{0x0, 0x0, 0}], KEXEC_PRESERVE_CONTEXT) = 0"]);
}
