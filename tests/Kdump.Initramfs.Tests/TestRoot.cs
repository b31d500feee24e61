using System.Text;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>A prepared system root under the lab scratch directory (removed on dispose).</summary>
internal sealed class TestRoot : IDisposable
{
    private readonly ScratchDir _scratch;

    public TestRoot(string purpose)
    {
        _scratch = Lab.Scratch(purpose);
        Dir = Path.Combine(Scratch, "root");
        Directory.CreateDirectory(Dir);
    }

    public string Scratch => _scratch.Path;

    public string Dir { get; }

    public string Host(string systemPath) => Path.Combine(Dir, systemPath.TrimStart('/'));

    public string Write(string systemPath, string text, UnixFileMode? mode = null)
    {
        var path = Host(systemPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        if (mode is { } m && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, m);
        return path;
    }

    public void MakeDirectory(string systemPath) => Directory.CreateDirectory(Host(systemPath));

    /// <summary>Makes <paramref name="systemPath"/> a relative symlink to a host path outside the root (lab kernels are large).</summary>
    public void LinkOutside(string systemPath, string hostTarget)
    {
        var link = Host(systemPath);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, hostTarget));
    }

    /// <summary>A stand-in capture program (its bytes are checked to be /init).</summary>
    public string CaptureProgram()
    {
        var path = Path.Combine(Scratch, "kdump-capture");
        File.WriteAllText(path, "our capture program\n");
        return path;
    }

    public void Dispose() => _scratch.Dispose();

    public const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
}
