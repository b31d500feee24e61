using Kdump.Cli;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Cli;

/// <summary>
/// The strerror text of failures the kernel really returns, as the BCL reports them: the tools'
/// "Can't write the dump file(F). …" lines must read as upstream's on a full, read-only or
/// existing target.
/// </summary>
public sealed class IoErrorTextTests
{
    [Fact]
    public void A_full_device_reads_as_ENOSPC()
    {
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            full.Write(new byte[4096]);
        });
        Assert.Equal("No space left on device", IoErrorText.StrError(e));
    }

    [Fact]
    public void An_existing_file_reads_as_EEXIST()
    {
        using var scratch = Lab.Scratch("errno-eexist");
        var path = Path.Combine(scratch.Path, "vmcore");
        File.WriteAllBytes(path, [1]);
        var e = Assert.ThrowsAny<IOException>(() => new FileStream(path, FileMode.CreateNew).Dispose());
        Assert.Equal("File exists", IoErrorText.StrError(e));
    }

    [Fact]
    public void A_read_only_mount_reads_as_EROFS()
    {
        using var scratch = Lab.Scratch("errno-erofs");
        var mountPoint = Path.Combine(scratch.Path, "ro");
        Directory.CreateDirectory(mountPoint);
        var mount = ExternalProcess.Run("/bin/mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", mountPoint]);
        Assert.True(mount.ExitCode == 0, $"cannot mount a read-only tmpfs (needs root): {mount.Stderr}");
        try
        {
            var e = Assert.ThrowsAny<IOException>(() => File.WriteAllBytes(Path.Combine(mountPoint, "vmcore"), [1]));
            Assert.Equal("Read-only file system", IoErrorText.StrError(e));
        }
        finally
        {
            ExternalProcess.Run("/bin/umount", [mountPoint]);
        }
    }
}
