using Kdump.Config;
using Kdump.Config.Conf;

namespace Kdump.Config.Tests;

/// <summary>kdump_get_conf_val semantics (fact sheet §1.1).</summary>
public class KdumpConfReaderTests
{
    [Theory]
    [InlineData("path /var/crash", "path", "/var/crash")]
    [InlineData("   path    /var/crash   ", "path", "/var/crash")]
    [InlineData("\tpath\t/var/crash", "path", "/var/crash")]
    [InlineData("path /var/crash # comment", "path", "/var/crash")]
    [InlineData("path /var/crash#comment", "path", "/var/crash")]
    [InlineData("core_collector \"makedumpfile -l --message-level 7 -d 31\"", "core_collector", "makedumpfile -l --message-level 7 -d 31")]
    [InlineData("core_collector makedumpfile  -l   -d 31", "core_collector", "makedumpfile  -l   -d 31")]
    [InlineData("sshkey \"/root/key", "sshkey", "\"/root/key")]
    [InlineData("sshkey \"", "sshkey", "\"")]
    [InlineData("sshkey \"\"", "sshkey", "")]
    [InlineData("ext4 UUID=\"abcd\"", "ext4", "UUID=\"abcd\"")]
    [InlineData("path \"/a\" # c", "path", "/a")]
    [InlineData("# path /x", "path", "")]
    [InlineData("   # path /x", "path", "")]
    [InlineData("path", "path", "")]
    public void ReadsOneValue(string text, string option, string expected) =>
        Assert.Equal(expected, KdumpConfReader.Parse(text).GetValue(option));

    [Fact]
    public void LastValueWins()
    {
        var conf = KdumpConfReader.Parse("ext2 /dev/sda1\next4 /dev/sdb1\n");
        Assert.Equal("/dev/sdb1", conf.GetValue("ext4"));
        Assert.Equal("/dev/sdb1", conf.GetValueMatching(KdumpConfReader.TargetPattern));
        Assert.Equal("/dev/sda1", conf.GetValue("ext2"));
    }

    [Fact]
    public void LastMatchingLineWinsEvenWhenEmpty()
    {
        // _found is overwritten by the later, empty value.
        var conf = KdumpConfReader.Parse("path /a\npath\n");
        Assert.Equal("", conf.GetValue("path"));
    }

    [Fact]
    public void SavePathDefaultsAndSqueezes()
    {
        Assert.Equal("/var/crash/", KdumpConfReader.Parse("").GetSavePath());
        Assert.Equal("/a/b/", KdumpConfReader.Parse("path //a///b//").GetSavePath());
    }

    [Fact]
    public void NormalizedLinesMirrorKdumpReadConf()
    {
        var conf = KdumpConfReader.Parse("# c\n\n  path /x # y\nfailure_action \"shell\"\n");
        Assert.Equal(["path /x", "failure_action shell"], conf.ToNormalizedLines());
        Assert.Equal(3, conf.Lines[0].LineNumber);
    }

    [Fact]
    public void NulByteIsAClearError()
    {
        var e = Assert.Throws<KdumpConfigException>(() => KdumpConfReader.Parse("path /a\npath /b\0x\n"));
        Assert.Equal("/etc/kdump.conf:2: line contains a NUL byte", e.Message);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void HugeLineIsAClearError()
    {
        var e = Assert.Throws<KdumpConfigException>(() => KdumpConfReader.Parse("path /" + new string('a', 70_000)));
        Assert.Contains(":1: line is longer than the maximum of 65536 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeFileIsAClearError()
    {
        var e = Assert.Throws<KdumpConfigException>(() => KdumpConfReader.Parse(new string('\n', 2 << 20)));
        Assert.Contains("file is larger than the maximum", e.Message, StringComparison.Ordinal);
    }
}
