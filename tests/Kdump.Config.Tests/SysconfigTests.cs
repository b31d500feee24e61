using Kdump.Config.Shell;
using Kdump.Config.Sysconfig;

namespace Kdump.Config.Tests;

/// <summary>/etc/sysconfig/kdump without a shell and prepare_cmdline (fact sheet §2).</summary>
public class SysconfigTests
{
    [Fact]
    public void ReadsShippedTemplateShape()
    {
        var s = SysconfigKdump.Parse("""
            # comment
            KDUMP_KERNELVER=""

            KDUMP_COMMANDLINE_REMOVE="hugepages hugepagesz slub_debug quiet"
            KDUMP_COMMANDLINE_APPEND='irqpoll nr_cpus=1'  # trailing comment
            export KEXEC_ARGS=-s
            KDUMP_IMG=vmlinuz
            #KDUMP_BOOTDIR="/boot"
            """);
        Assert.Equal("", s.KdumpKernelVer);
        Assert.Equal("hugepages hugepagesz slub_debug quiet", s.KdumpCommandlineRemove);
        Assert.Equal("irqpoll nr_cpus=1", s.KdumpCommandlineAppend);
        Assert.Equal("-s", s.KexecArgs);
        Assert.Equal(["/boot", "/boot/efi", "/efi", "/"], s.BootDirs);
    }

    [Fact]
    public void MissingFileKeepsKdumpctlFallbacks()
    {
        var s = SysconfigKdump.Parse(null);
        Assert.Equal("hugepages hugepagesz slub_debug", s.KdumpCommandlineRemove);
        Assert.Equal("", s.KdumpCommandlineAppend);
    }

    [Theory]
    [InlineData("A=\"x\\\"y\"", "x\"y")]
    [InlineData("A=a\\ b", "a b")]
    [InlineData("A=\"multi\nline\"", "multi\nline")]
    [InlineData("A='$HOME'", "$HOME")]
    [InlineData("A=\"a\"'b'c", "abc")]
    [InlineData("A=1\nA=2", "2")]
    public void LiteralValues(string text, string expected) =>
        Assert.Equal(expected, ShellAssignmentFile.Parse(text).Get("A"));

    [Theory]
    [InlineData("A=$HOME", 1, "'$' needs a shell to evaluate")]
    [InlineData("\nA=\"$(id)\"", 2, "'$' inside double quotes needs a shell to evaluate")]
    [InlineData("A=`id`", 1, "'`' needs a shell to evaluate")]
    [InlineData("A=1; rm -rf /", 1, "';' needs a shell to evaluate")]
    [InlineData("A=1 B=2", 1, "unexpected 'B' after the value of A; one assignment per line, no commands")]
    [InlineData("source /etc/x", 1, "only NAME=value assignments can be read without a shell")]
    [InlineData("A=\"unterminated\n\n", 1, "unterminated double quote")]
    [InlineData("\n\nA='unterminated", 3, "unterminated single quote")]
    [InlineData("A=~/x", 1, "'~' (tilde expansion) needs a shell to evaluate")]
    [InlineData("A=x\0", 1, "line contains a NUL byte")]
    public void RefusesWhatNeedsAShell(string text, int line, string reason)
    {
        var e = Assert.Throws<KdumpConfigException>(() => ShellAssignmentFile.Parse(text));
        Assert.Equal($"/etc/sysconfig/kdump:{line}: {reason}", e.Message);
    }

    [Fact]
    public void X86TemplateValues()
    {
        var t = SysconfigTemplate.For("x86_64");
        Assert.Equal("hugepages hugepagesz slub_debug quiet log_buf_len swiotlb hugetlb_cma ignition.firstboot cma", t.KdumpCommandlineRemove);
        Assert.Equal("novmcoredd hugetlb_cma=0 kfence.sample_interval=0 initramfs_options=size=90% irqpoll nr_cpus=1 reset_devices cgroup_disable=memory mce=off numa=off udev.children-max=2 panic=10 acpi_no_memhotplug transparent_hugepage=never nokaslr hest_disable cma=0 pcie_ports=compat", t.KdumpCommandlineAppend);
        Assert.Equal("-s", t.KexecArgs);
        Assert.Equal("hugepages hugepagesz slub_debug quiet log_buf_len swiotlb hugetlb_cma ignition.firstboot", SysconfigTemplate.For("ppc64le").KdumpCommandlineRemove);
        Assert.Equal("", SysconfigTemplate.For("i386").KexecArgs);
        Assert.Equal("novmcoredd hugetlb_cma=0 kfence.sample_interval=0 initramfs_options=size=90% irqpoll maxcpus=1 reset_devices cma=0", SysconfigTemplate.For("riscv64").KdumpCommandlineAppend);
    }

    public static TheoryData<CaptureCommandLineInputs, string> Cmdlines => new()
    {
        { new("BOOT_IMAGE=/vmlinuz-6.1 root=UUID=abc ro crashkernel=256M quiet hugepages=10\n", Remove: "hugepages quiet", Append: "irqpoll nr_cpus=1"),
          "BOOT_IMAGE=/vmlinuz-6.1 ro irqpoll nr_cpus=1 rd.systemd.gpt_auto=no" },
        { new("ignored", KdumpCommandline: "a=1 b=2 c", Remove: "b=x", Append: "d"), "a=1 c d rd.systemd.gpt_auto=no" },
        { new("a= b=\"x y\" c='1'", Append: ""), "b=\"x y\" c=1 rd.systemd.gpt_auto=no" },
        { new("rd.lvm.lv=vg/root rd.luks.uuid=1 rd.dm.uuid=2 rd.md.uuid=3 fcoe=x netroot=y rd.iscsi.initiator=z iscsi_initiator=w panic_on_warn=1 keep"), "keep rd.systemd.gpt_auto=no" },
        { new("a", Append: "irqpoll x", BootCpuApicId: "0", WatchdogDrivers: ["i6300esb", "hpwdt"]),
          "a irqpoll x disable_cpu_apicid=0 i6300esb.pretimeout=0 hpwdt.pretimeout=0 hpwdt.kdumptimeout=0 rd.systemd.gpt_auto=no" },
        { new("irqpoll a", Append: "irqpoll", IsAwsGraviton: true), "a irqpoll rd.systemd.gpt_auto=no" },
        { new("x", Debug: true), "x rd.systemd.gpt_auto=no rd.debug" },
        { new("  a   b  ", Append: "  c   d  "), "a b c d rd.systemd.gpt_auto=no" },
        { new("-n a -e b"), "a b rd.systemd.gpt_auto=no" },
        { new("foo=bar=baz"), "foo=bar=baz rd.systemd.gpt_auto=no" },
    };

    [Theory]
    [MemberData(nameof(Cmdlines))]
    public void BuildsCaptureCommandLine(CaptureCommandLineInputs inputs, string expected) =>
        Assert.Equal(expected, CaptureCommandLine.Build(inputs));

    [Fact]
    public void UnterminatedQuoteInCmdline()
    {
        var e = Assert.Throws<KdumpConfigException>(() => CaptureCommandLine.Build(new("a=\"b")));
        Assert.Equal("kernel command line: xargs: unmatched double quote; by default quotes are special to xargs unless you use the -0 option", e.Message);
    }

    [Fact]
    public void HugeCmdlineIsRefused() =>
        Assert.Throws<KdumpConfigException>(() => CaptureCommandLine.Build(new(new string('a', 100_000))));

    [Fact]
    public void BootCpuApicId()
    {
        const string cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\napicid\t\t: 4\n\nprocessor\t: 1\napicid\t\t: 6\n";
        Assert.Equal("4", CpuInfo.BootCpuApicId(cpuinfo));
        Assert.Null(CpuInfo.BootCpuApicId("processor\t: 0\nBogoMIPS\t: 50.00\n"));
    }

    [Fact]
    public void TestIdAppended() =>
        Assert.Equal("a kdump_test_id=1-2 ", new SysconfigKdump { KdumpCommandlineAppend = "a" }.WithTestId("1-2").KdumpCommandlineAppend);
}
