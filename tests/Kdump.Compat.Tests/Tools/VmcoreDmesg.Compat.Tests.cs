using System.Text;
using Kdump.Kernel;
using Kdump.Kernel.Printk;
using Kdump.Memory;
using Kdump.Tests.Shared;
using Kdump.Tools.VmcoreDmesg;

namespace Kdump.Compat.Tests.Tools;

public class VmcoreDmesgCompatTests
{
    private static InProcess.Result Run(params string[] args) => InProcess.Run(VmcoreDmesgCommand.Run, "vmcore-dmesg", args);

    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Output_on_proc_vmcore_is_byte_identical_to_kexec_tools(string release)
    {
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        var ours = Run(vmcore);
        Assert.Equal("", ours.Stderr);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(File.ReadAllBytes(Lab.Fixture(release, "derived/vmcore-dmesg-2.0.32.txt")), ours.Stdout);
        var live = ExternalProcess.Run(Lab.ReferenceTool("vmcore-dmesg-2.0.32"), [vmcore]);
        Assert.Equal(0, live.ExitCode);
        Assert.Equal(live.Stdout, ours.Stdout);
    }

    [Theory]
    [MemberData(nameof(DerivedData))]
    public void Derived_kdump_and_flattened_files_give_the_same_log(string release, string file)
    {
        var ours = Run(Lab.Fixture(release, "derived/" + file));
        Assert.Equal("", ours.Stderr);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(File.ReadAllBytes(Lab.Fixture(release, "derived/vmcore-dmesg-2.0.32.txt")), ours.Stdout);
    }

    public static TheoryData<string, string> DerivedData()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Lab.Releases)
            foreach (var f in new[] { "l-d31.kdump", "c-d1.kdump", "z-d1.kdump", "l-d0.kdump", "F-l-d31.flat" })
                data.Add(r, f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void On_a_QEMU_elf_we_work_where_kexec_tools_fails_and_read_the_same_records_as_makedumpfile_mode(string release)
    {
        var qmp = Lab.Fixture(release, "qmp.elf");
        var reference = ExternalProcess.Run(Lab.ReferenceTool("vmcore-dmesg-2.0.32"), [qmp]);
        Assert.Equal(30, reference.ExitCode);
        Assert.Contains("No program header covering vaddr", reference.Stderr, StringComparison.Ordinal);

        var ours = Run(qmp);
        Assert.Equal(0, ours.ExitCode);
        Assert.NotEmpty(ours.Stdout);

        using var dump = DumpOpener.Open(qmp);
        var viaFallback = Records(dump, TranslationStrategy.SegmentsElsePageTables);
        var viaPageTables = Records(dump, TranslationStrategy.PageTables);
        Assert.Equal(viaPageTables, viaFallback);
        Assert.NotEmpty(viaPageTables);
    }

    private static List<(ulong?, ulong, uint?, string)> Records(IDump dump, TranslationStrategy strategy)
    {
        var view = KernelView.Open(dump, strategy);
        return [.. PrintkLayouts.Read(view.VmcoreInfo, view.Memory).Records
            .Select(r => (r.Sequence, r.TimestampNs, r.CallerId, Convert.ToHexString(r.Text.Span)))];
    }

    [Theory]
    [MemberData(nameof(Lab.ReleaseData), MemberType = typeof(Lab))]
    public void Output_that_would_pass_the_cap_stops_before_the_crossing_record_with_exit_53(string release)
    {
        // kexec-tools caps at 2 GiB (exit 53); the cap is lowered here to cut a real log in its middle.
        var vmcore = Lab.Fixture(release, "proc-vmcore.elf");
        var full = File.ReadAllBytes(Lab.Fixture(release, "derived/vmcore-dmesg-2.0.32.txt"));
        InProcess.Result Capped(long cap) => InProcess.Run((c, a) => VmcoreDmesgCommand.Run(c, a, cap), "vmcore-dmesg", [vmcore]);

        var half = Capped(full.Length / 2);
        Assert.Equal(53, half.ExitCode);
        Assert.Equal($"The vmcore-dmesg.txt over {full.Length / 2} bytes is not supported.\n", half.Stderr);
        Assert.InRange(half.Stdout.Length, full.Length / 4, full.Length / 2);
        Assert.Equal(full[..half.Stdout.Length], half.Stdout);
        Assert.Equal((byte)'\n', half.Stdout[^1]);

        var exact = Capped(full.Length);
        Assert.Equal((0, ""), (exact.ExitCode, exact.Stderr));
        Assert.Equal(full, exact.Stdout);
        var oneShort = Capped(full.Length - 1);
        Assert.Equal(53, oneShort.ExitCode);
        Assert.Equal(full[..oneShort.Stdout.Length], oneShort.Stdout);
        Assert.True(oneShort.Stdout.Length < full.Length);

        Assert.Equal("The vmcore-dmesg.txt over 2G in size is not supported.",
            new Kdump.Kernel.Printk.Formatting.DmesgOutputTooLargeException(Kdump.Kernel.Printk.Formatting.VmcoreDmesgFormat.MaxOutputBytes).Message);
    }

    [Fact]
    public void Usage_and_open_errors_match_upstream()
    {
        var reference = Lab.ReferenceTool("vmcore-dmesg-2.0.32");
        using var scratch = Lab.Scratch("vmcore-dmesg");
        var text = Path.Combine(scratch.Path, "not-a-core.txt");
        File.WriteAllText(text, "hello, this is not an ELF file\n");
        foreach (var args in new[] { Array.Empty<string>(), ["a", "b"], ["/nonexistent/vmcore"], [text] })
        {
            var theirs = ExternalProcess.Run(reference, args);
            var ours = Run(args);
            Assert.Equal(theirs.ExitCode, ours.ExitCode);
            Assert.Equal(theirs.Stdout, ours.Stdout);
            Assert.Equal(NormaliseArgv0(theirs.Stderr), ours.Stderr);
        }
    }

    [Fact]
    public void An_empty_input_fails_reading_e_ident_like_upstream()
    {
        var ours = Run("/dev/null");
        Assert.Equal(3, ours.ExitCode);
        Assert.Equal("Read of e_ident from /dev/null failed: Success\n", ours.Stderr);
    }

    /// <summary>The reference wrapper runs sid's binary by its sysroot path; ours is called "vmcore-dmesg".</summary>
    private static string NormaliseArgv0(string stderr) =>
        System.Text.RegularExpressions.Regex.Replace(stderr, @"usage: \S*vmcore-dmesg ", "usage: vmcore-dmesg ");
}
