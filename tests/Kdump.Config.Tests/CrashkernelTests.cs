using Kdump.Config.Crashkernel;

namespace Kdump.Config.Tests;

/// <summary>crashkernel= (fact sheet §4): kernel parsing and lookup, kdump-utils arithmetic and defaults.</summary>
public class CrashkernelTests
{
    private const ulong M = MemorySize.MiB;
    private const ulong G = MemorySize.GiB;

    [Theory]
    [InlineData("crashkernel=256M", 4 * G, 256 * M, 0UL)]
    [InlineData("crashkernel=256M@16M", 4 * G, 256 * M, 16 * M)]
    [InlineData("crashkernel=0x10000000", 4 * G, 256 * M, 0UL)]
    [InlineData("crashkernel=512k", 4 * G, 512 * 1024UL, 0UL)]
    [InlineData("ro crashkernel=128M quiet crashkernel=192M", 4 * G, 192 * M, 0UL)]
    [InlineData("crashkernel=2G-64G:256M,64G-:512M", 4 * G, 256 * M, 0UL)]
    [InlineData("crashkernel=2G-64G:256M,64G-:512M", 64 * G, 512 * M, 0UL)]
    [InlineData("crashkernel=2G-64G:256M,64G-:512M", 128 * G, 512 * M, 0UL)]
    [InlineData("crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M@64M", 8 * G, 256 * M, 64 * M)]
    // RAM rounded up to 128 MiB: 1.95 GiB of System RAM still matches 2G-.
    [InlineData("crashkernel=2G-64G:256M", 2 * G - 50 * M, 256 * M, 0UL)]
    // 64G end is exclusive.
    [InlineData("crashkernel=2G-64G:256M,64G-:512M", 64 * G - 100 * M, 512 * M, 0UL)]
    [InlineData("crashkernel=2G-64G:256M,64G-:512M", 64 * G - 200 * M, 256 * M, 0UL)]
    public void KernelPicksReservation(string cmdline, ulong ram, ulong size, ulong offset)
    {
        var r = KernelCrashkernelParser.Parse(cmdline, ram, CrashkernelArch.X64);
        Assert.Equal(CrashkernelStatus.Ok, r.Status);
        Assert.Equal(size, r.Size);
        Assert.Equal(offset, r.Base);
        Assert.False(r.High);
    }

    [Theory]
    [InlineData("crashkernel=2G-64G:256M", 1 * G, "crashkernel size resulted in zero bytes")]
    [InlineData("crashkernel=1G-4G:2G", 1 * G, "crashkernel: invalid size")]
    [InlineData("crashkernel=4G-2G:256M", 8 * G, "crashkernel: end <= start")]
    [InlineData("crashkernel=2G:256M", 8 * G, "crashkernel: '-' expected")]
    [InlineData("crashkernel=2G-64G256M:x", 8 * G, "crashkernel: ':' expected")]
    [InlineData("crashkernel=2G-64G:abc", 8 * G, "crashkernel: Memory value expected")]
    [InlineData("crashkernel=auto", 8 * G, "crashkernel: memory value expected")]
    [InlineData("crashkernel=256Mx", 8 * G, "crashkernel: unrecognized char: x")]
    [InlineData("crashkernel=99999999999999999999G", 8 * G, "crashkernel: value '99999999999999999999G' does not fit in 64 bits")]
    [InlineData("crashkernel=17179869184G", 8 * G, "crashkernel: value '17179869184G' does not fit in 64 bits")]
    [InlineData("crashkernel=1G-2G:99999999999999999999M", 8 * G, "crashkernel: value '99999999999999999999M' does not fit in 64 bits")]
    public void KernelRejects(string cmdline, ulong ram, string message)
    {
        var r = KernelCrashkernelParser.Parse(cmdline, ram, CrashkernelArch.X64);
        Assert.Equal(CrashkernelStatus.Invalid, r.Status);
        Assert.Contains(message, r.KernelMessages);
        Assert.False(r.Reserves);
    }

    [Fact]
    public void SizeNotBelowRamIsInvalid() =>
        Assert.Equal(CrashkernelStatus.Invalid, KernelCrashkernelParser.Parse("crashkernel=4G", 4 * G, CrashkernelArch.X64).Status);

    [Fact]
    public void NoCrashkernelIsNotFound() =>
        // The kernel folds this into -EINVAL; we keep "absent" apart for callers (docs/compat/crashkernel.md).
        Assert.Equal(CrashkernelStatus.NotFound, KernelCrashkernelParser.Parse("ro quiet", 4 * G, CrashkernelArch.Simple("ppc64le")).Status);

    [Fact]
    public void HighWithDefaultLow()
    {
        var r = KernelCrashkernelParser.Parse("crashkernel=1G,high", 16 * G, CrashkernelArch.X64);
        Assert.Equal(CrashkernelStatus.Ok, r.Status);
        Assert.True(r.High);
        Assert.Equal(1 * G, r.Size);
        Assert.Equal(256 * M, r.LowSize);
    }

    [Fact]
    public void HighWithExplicitLow()
    {
        var r = KernelCrashkernelParser.Parse("crashkernel=1G,high crashkernel=72M,low", 16 * G, CrashkernelArch.X64);
        Assert.Equal(72 * M, r.LowSize);
    }

    [Fact]
    public void PlainWinsOverHigh()
    {
        var r = KernelCrashkernelParser.Parse("crashkernel=1G,high crashkernel=256M", 16 * G, CrashkernelArch.X64);
        Assert.False(r.High);
        Assert.Equal(256 * M, r.Size);
    }

    [Fact]
    public void HighIgnoredWhereUnsupported() =>
        Assert.Equal(CrashkernelStatus.NotFound, KernelCrashkernelParser.Parse("crashkernel=1G,high", 16 * G, CrashkernelArch.Simple("s390x")).Status);

    [Fact]
    public void StrstrFindsEmbeddedName()
    {
        // get_last_crashkernel uses strstr, so a later "foo.crashkernel=" is the last one.
        var r = KernelCrashkernelParser.Parse("crashkernel=256M foo.crashkernel=128M", 4 * G, CrashkernelArch.X64);
        Assert.Equal(128 * M, r.Size);
    }

    [Theory]
    [InlineData("2G-64G:256M,64G-:512M", "0M", "2G-64G:256M,64G-:512M")]
    [InlineData("2G-64G:256M,64G-:512M", "64M", "2G-64G:320M,64G-:576M")]
    [InlineData("2G-4G:256M,4G-64G:320M,64G-:576M", "100M", "2G-4G:356M,4G-64G:420M,64G-:676M")]
    [InlineData("1G-4G:1G,4G-:1G", "100M", "1G-4G:1124M,4G-:1124M")]
    [InlineData("256M", "100", "268435556")]
    [InlineData("1023G", "1G", "1T")]
    [InlineData("256M@16M", "64M", "320M@16M")]
    [InlineData("1G,high", "64M", "1088M,high")]
    [InlineData("256M,low", "0M", "256M,low")]
    [InlineData("2G-:256M@0x1000000", "0M", "2G-:256M@0x1000000")]
    [InlineData("2G-4G:384M,4G-16G:512M", "16M", "2G-4G:400M,4G-16G:528M")]
    [InlineData("512M", "-256M", "256M")]
    public void CrashkernelAdd(string ck, string delta, string expected) =>
        Assert.Equal(expected, CrashkernelArithmetic.Add(ck, delta));

    [Theory]
    [InlineData("auto", "64M")]
    [InlineData("2G-x:256M", "64M")]
    [InlineData("256Q", "64M")]
    [InlineData("9223372036854775807", "1")]
    [InlineData("99999999999999999999G", "1M")]
    public void CrashkernelAddRejects(string ck, string delta) =>
        Assert.Throws<KdumpConfigException>(() => CrashkernelArithmetic.Add(ck, delta));

    [Theory]
    [InlineData(0UL, "0M")]
    [InlineData(1UL, "0M")]
    [InlineData(2UL, "256M")]
    [InlineData(63UL, "256M")]
    [InlineData(64UL, "512M")]
    [InlineData(100000UL, "512M")]
    public void RecommendSizeX86(ulong gib, string size) =>
        Assert.Equal(size, CrashkernelDefaults.RecommendSizeForMemory(gib, new CrashkernelDefaultInputs("x86_64")));

    [Theory]
    [InlineData(3UL, "4G-16G:768M,16G-64G:1G,1T-2T:6G", "0M")]
    [InlineData(4UL, "4G-16G:768M,16G-64G:1G,1T-2T:6G", "768M")]
    [InlineData(1024UL, "4G-16G:768M,16G-64G:1G,1T-2T:6G", "6G")]
    [InlineData(20UL, "16G-64G:1G,4G-16G:768M", "1G")]
    [InlineData(70000UL, "64T-102400T:180G", "180G")]
    public void RecommendSizeTable(ulong gib, string ck, string size) =>
        Assert.Equal(size, CrashkernelArithmetic.RecommendSize(gib, ck));

    public static TheoryData<CrashkernelDefaultInputs, string> Defaults => new()
    {
        { new("x86_64"), "2G-64G:256M,64G-:512M" },
        { new("x86_64", SmeOrSevActive: true), "2G-64G:320M,64G-:576M" },
        { new("s390x"), "2G-64G:256M,64G-:512M" },
        { new("aarch64", KernelRelease: "6.12.0-1.el10.aarch64"), "2G-4G:256M,4G-64G:320M,64G-:576M" },
        { new("aarch64", KernelRelease: "6.12.0-1.el10.aarch64", HasMlx5: true), "2G-4G:406M,4G-64G:470M,64G-:726M" },
        { new("aarch64", KernelRelease: "6.12.0-1.el10.aarch64+64k"), "2G-4G:356M,4G-64G:420M,64G-:676M" },
        { new("aarch64", KernelRelease: "6.12.0+64k", HasArmSmmu: true, HasMlx5: true), "2G-4G:940M,4G-64G:1004M,64G-:1260M" },
        { new("ppc64le"), "2G-4G:385M,4G-16G:513M,16G-64G:1025M,64G-128G:2049M,128G-:4097M" },
        { new("ppc64le", NrCpus: 16), "2G-4G:400M,4G-16G:528M,16G-64G:1040M,64G-128G:2064M,128G-:4112M" },
        { new("ppc64le", DumpMode.Fadump, NrCpus: 16), "4G-16G:784M,16G-64G:1040M,64G-128G:2064M,128G-1T:4112M,1T-2T:6160M,2T-4T:12304M,4T-8T:20496M,8T-16T:36880M,16T-32T:65552M,32T-64T:131088M,64T-:184336M" },
        { new("i686"), "" },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void ArchDefaults(CrashkernelDefaultInputs inputs, string expected) =>
        Assert.Equal(expected, CrashkernelDefaults.Recommend(inputs));

    [Fact]
    public void AutoTranslatesToArchDefault()
    {
        Assert.Equal("2G-64G:256M,64G-:512M", CrashkernelDefaults.TranslateAuto("auto", new("x86_64")));
        Assert.Equal("256M", CrashkernelDefaults.TranslateAuto("256M", new("x86_64")));
    }

    [Theory]
    [InlineData("nr_cpus=16 numa=off", 16)]
    [InlineData("irqpoll nr_cpus=1 reset_devices", 1)]
    [InlineData("nr_cpus=0", 1)]
    [InlineData("nr_cpus=abc", 1)]
    [InlineData("nr_cpus=4 nr_cpus=8", 8)]
    [InlineData("", 1)]
    public void NrCpus(string append, int expected) => Assert.Equal(expected, CrashkernelArithmetic.FindNrCpus(append));

    private const string Iomem = """
        00000000-00000fff : Reserved
        00001000-0009fbff : System RAM
        0009fc00-0009ffff : Reserved
        00100000-bffdbfff : System RAM
          03000000-03ffffff : Kernel code
          04000000-045fffff : Kernel rodata
          04600000-049fffff : Kernel data
          05000000-053fffff : Kernel bss
          ab000000-baffffff : Crash kernel
        bffdc000-bfffffff : Reserved
        100000000-13fffffff : System RAM
        """;

    [Fact]
    public void IomemSizes()
    {
        var iomem = ProcIomem.Parse(Iomem);
        Assert.Equal(0x9ec00UL + 0xbfedc000UL + 0x40000000UL, iomem.SystemRamBytes);
        Assert.Equal(4UL, iomem.SystemSizeGiB);
        Assert.Equal(256 * M, iomem.CrashKernelBytes);
        Assert.Single(iomem.CrashKernelRanges);
        Assert.Equal(16 * M + 6 * M + 4 * M + 4 * M, iomem.KernelImageBytes);
        Assert.Equal(0x13fffffffUL, iomem.LastEnd);
    }

    [Theory]
    [InlineData("00000000-zz : System RAM")]
    [InlineData("00001000 : System RAM")]
    [InlineData("00002000-00001000 : System RAM")]
    [InlineData("00000000-ffffffffffffffffff : System RAM")]
    public void IomemRejects(string line)
    {
        var e = Assert.Throws<KdumpConfigException>(() => ProcIomem.Parse(line));
        Assert.StartsWith("/proc/iomem:1: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(1023UL * 1024 * 1024, 1UL)]
    [InlineData(1919UL * 1024 * 1024, 1UL)]
    [InlineData(1921UL * 1024 * 1024, 2UL)]
    [InlineData(2047UL * 1024 * 1024, 2UL)]
    public void SystemSizeRounding(ulong bytes, ulong gib) =>
        Assert.Equal(gib, ProcIomem.SystemSizeGiBFromBytes(bytes));

    [Fact]
    public void ShowMemMessage()
    {
        Assert.Equal(268435456UL, ShowMem.ParseCrashSize("268435456\n"));
        Assert.Equal("Reserved 256MB memory for crash kernel", ShowMem.Message(268435456));
        Assert.Equal("Reserved 0MB memory for crash kernel", ShowMem.Message(0));
        Assert.Throws<KdumpConfigException>(() => ShowMem.ParseCrashSize("-1"));
        Assert.Throws<KdumpConfigException>(() => ShowMem.ParseCrashSize("99999999999999999999999"));
    }

    [Fact]
    public void EstimateOutput()
    {
        var e = CrashkernelEstimate.Compute(new EstimateInputs(
            Baseline: "256M",
            ReservedBytes: 256 * M,
            KernelImageBytes: 59 * M,
            InitrdBytes: 33 * M,
            InitrdModules: ["virtio_blk", "big", "ext4"],
            ProcModules: "ext4 1048576 1 - Live 0x0\nvirtio_blk 20480 2 - Live 0x0\nbig 3145728 0 - Live 0x0\nunused 9999999 0 - Live 0x0\n",
            LuksKeyslotMemoryKiB: []));
        Assert.Equal(256 * M, e.RecommendedBytes);
        Assert.Equal(4 * M + 20480, e.ModulesBytes);
        Assert.Equal("""
            Reserved crashkernel:    256M
            Recommended crashkernel: 178M

            Kernel image size:   59M
            Kernel modules size: 4M
            Initramfs size:      33M
            Runtime reservation: 16M
            Large modules:
                ext4: 1048576
                big: 3145728

            """.Replace("178M", "256M", StringComparison.Ordinal), e.Format());
    }

    [Fact]
    public void EstimateWithLuksAndWarning()
    {
        var e = CrashkernelEstimate.Compute(new EstimateInputs("0M", 128 * M, 60 * M, 40 * M, [], "", [1048576], "aarch64"));
        var text = e.Format();
        Assert.StartsWith("Encrypted kdump target requires extra memory, assuming using the keyslot with maximum memory requirement\n\nReserved crashkernel:    128M\n", text, StringComparison.Ordinal);
        Assert.Contains("LUKS required size:  1074M\n", text, StringComparison.Ordinal);
        Assert.Contains("Large modules: <none>\n", text, StringComparison.Ordinal);
        Assert.EndsWith("WARNING: Current crashkernel size is lower than recommended size 1270M.\n", text, StringComparison.Ordinal);
    }
}
