using Kdump.Inspection;
using Kdump.Memory;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.MainJob;

/// <summary>
/// The main job's summary of each real vmcore agrees with what the lab recorded when it made
/// the dump (info.txt): kernel release, the panic it triggered, the CPUs it booted.
/// </summary>
public class KdumpLabShowTests
{
    [Theory]
    [MemberData(nameof(Cases))]
    public void Summary_of_real_dump_matches_the_lab_record(string release, string file)
    {
        var info = Lab.Info(release);
        var path = Lab.Fixture(release, file);
        using var dump = DumpOpener.Open(path, new DumpOpenOptions { AcceptFlattened = true });

        var s = DumpInspector.Summarize(dump, new FileInfo(path).Length);

        Assert.Empty(s.Problems);
        Assert.Equal(info["osrelease"], s.OsRelease);
        Assert.Equal("x86_64", s.Machine);
        Assert.Equal(4096, s.PageSize);
        Assert.Equal(0UL, s.KernelOffset); // the lab boots with nokaslr
        Assert.NotNull(s.CrashTime);
        Assert.Contains(info["panic_string"], s.PanicLine, StringComparison.Ordinal);
        Assert.True(s.DmesgRecords > 100, $"only {s.DmesgRecords} records");
        Assert.Equal(int.Parse(info["qemu_smp"]), s.CpuCount);
        var ram = s.Ranges.Where(r => r.Note.Length == 0).Aggregate(0UL, (a, r) => a + r.SizeBytes);
        Assert.InRange(ram, 512UL << 20, (ulong)int.Parse(info["qemu_mem_mib"]) << 20);
    }

    [Theory]
    [MemberData(nameof(Releases))]
    public void Qmp_dump_has_no_crash_but_a_readable_log(string release)
    {
        var path = Lab.Fixture(release, "qmp.elf");
        using var dump = DumpOpener.Open(path);

        var s = DumpInspector.Summarize(dump, new FileInfo(path).Length);

        Assert.Empty(s.Problems);
        Assert.Equal(Lab.Info(release)["osrelease"], s.OsRelease);
        Assert.Null(s.PanicLine);
        Assert.True(s.DmesgRecords > 100, $"only {s.DmesgRecords} records");
    }

    [Fact]
    public void Text_form_names_the_kernel_and_the_panic()
    {
        var path = Lab.Fixture("bookworm", "proc-vmcore.elf");
        using var dump = DumpOpener.Open(path);
        var writer = new StringWriter();

        DumpSummaryText.Write(DumpInspector.Summarize(dump, new FileInfo(path).Length, 5), writer);

        var text = writer.ToString();
        Assert.Contains($"kernel:        {Lab.Info("bookworm")["osrelease"]}\n", text, StringComparison.Ordinal);
        Assert.Contains("panic:         [", text, StringComparison.Ordinal);
        Assert.Contains("kernel log:", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Lab.Releases)
        {
            data.Add(r, "proc-vmcore.elf");
            data.Add(r, "derived/l-d31.kdump");
            data.Add(r, "derived/F-l-d31.flat");
        }
        return data;
    }

    public static TheoryData<string> Releases() => Lab.ReleaseData;
}
