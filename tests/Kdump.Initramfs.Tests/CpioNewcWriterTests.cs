using System.Text;
using Kdump.Initramfs.Cpio;
using Kdump.Initramfs.Image;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

public sealed class CpioNewcWriterTests : IDisposable
{
    private readonly ScratchDir _scratch = Lab.Scratch("cpio");

    public void Dispose() => _scratch.Dispose();

    private static ImagePlan SamplePlan()
    {
        var plan = new ImagePlan();
        plan.AddFile("/init", "#!/bin/sh\necho hi\n"u8.ToArray(), UnixMode.Perm0755);
        plan.AddFile("/etc/kdump.conf", "path /var/crash\n"u8.ToArray(), UnixMode.Perm0600);
        plan.AddSymlink("/bin/sh", "busybox");
        plan.AddCharDevice("/dev/console", 5, 1);
        plan.AddFile("/empty", [], UnixMode.Perm0644);
        plan.AddFile("/odd", "abc"u8.ToArray(), UnixMode.Perm0644); // 3 bytes: exercises data padding
        return plan;
    }

    [Fact]
    public void First_header_is_byte_exact_newc()
    {
        using var ms = new MemoryStream();
        var w = new CpioNewcWriter(ms, mtime: 0x5F5E100);
        w.WriteFile("a", UnixMode.Perm0644, "xyz"u8);
        w.Finish();
        var text = Encoding.ASCII.GetString(ms.ToArray(), 0, 110);
        // magic, ino 1, mode 0100644, uid, gid, nlink 1, mtime, size 3, dev 0/0, rdev 0/0, namesize 2, check 0
        Assert.Equal("070701" + "00000001" + "000081A4" + "00000000" + "00000000" + "00000001" + "05F5E100" + "00000003"
            + "00000000" + "00000000" + "00000000" + "00000000" + "00000002" + "00000000", text);
        // 110 + "a\0" = 112 (aligned), then "xyz" + 1 pad byte.
        Assert.Equal("a\0xyz\0"u8.ToArray(), ms.ToArray()[110..116]);
        Assert.Equal(0, ms.Length % 4);
    }

    [Fact]
    public void System_cpio_lists_and_extracts_what_we_wrote()
    {
        var archive = Path.Combine(_scratch.Path, "plain.cpio");
        using (var f = File.Create(archive)) SamplePlan().WriteCpio(f);

        Assert.Equal(["bin", "bin/sh", "dev", "dev/console", "empty", "etc", "etc/kdump.conf", "init", "odd"], CpioTool.List(archive));
        var verbose = CpioTool.ListVerbose(archive);
        Assert.Contains(verbose, l => l.StartsWith("crw-------", StringComparison.Ordinal) && l.Contains("5,   1", StringComparison.Ordinal) && l.EndsWith("dev/console", StringComparison.Ordinal));
        Assert.Contains(verbose, l => l.StartsWith("-rw-------", StringComparison.Ordinal) && l.EndsWith("etc/kdump.conf", StringComparison.Ordinal));
        Assert.Contains(verbose, l => l.StartsWith("lrwxrwxrwx", StringComparison.Ordinal) && l.EndsWith("bin/sh -> busybox", StringComparison.Ordinal));

        var dir = CpioTool.Extract(archive, _scratch.Path);
        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(dir, "init")));
        Assert.Equal("abc", File.ReadAllText(Path.Combine(dir, "odd")));
        Assert.Equal(0, new FileInfo(Path.Combine(dir, "empty")).Length);
        Assert.Equal("busybox", new FileInfo(Path.Combine(dir, "bin/sh")).LinkTarget);
    }

    [Theory]
    [InlineData(InitramfsCompression.Gzip)]
    [InlineData(InitramfsCompression.Zstd)]
    public void Compressed_images_decompress_with_the_system_tools_and_are_deterministic(InitramfsCompression compression)
    {
        var a = Path.Combine(_scratch.Path, $"a-{compression}.img");
        var b = Path.Combine(_scratch.Path, $"b-{compression}.img");
        using (var f = File.Create(a)) SamplePlan().Write(f, compression);
        using (var f = File.Create(b)) SamplePlan().Write(f, compression);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var archive = CpioTool.Decompress(a, _scratch.Path);
        Assert.Contains("etc/kdump.conf", CpioTool.List(archive));
    }

    [Fact]
    public void Parents_are_implicit_and_the_last_entry_for_a_path_wins()
    {
        var plan = new ImagePlan();
        plan.AddFile("/a/b/c", [1]);
        plan.AddFile("//a/b/c", [2]);
        Assert.Equal(["a", "a/b", "a/b/c"], plan.Entries.Select(e => e.Path));
        Assert.Equal([2], plan.Get("/a/b/c")!.Content);
    }
}
