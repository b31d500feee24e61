using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>The system's GNU cpio, gzip and zstd as the independent readers of our archives.</summary>
internal static class CpioTool
{
    /// <summary>The uncompressed archive of an image file (gzip -dc, zstd -dc, or the bytes themselves).</summary>
    public static string Decompress(string image, string scratch)
    {
        var head = File.ReadAllBytes(image).AsSpan(0, 4).ToArray();
        var output = Path.Combine(scratch, Path.GetFileName(image) + ".cpio");
        if (head[0] == 0x1f && head[1] == 0x8b) File.WriteAllBytes(output, Check(ExternalProcess.Run("gzip", ["-dc", image])).Stdout);
        else if (head.AsSpan().SequenceEqual(new byte[] { 0x28, 0xB5, 0x2F, 0xFD })) File.WriteAllBytes(output, Check(ExternalProcess.Run("zstd", ["-dcq", image])).Stdout);
        else File.Copy(image, output, overwrite: true);
        return output;
    }

    /// <summary><c>cpio -t</c>: the names in archive order.</summary>
    public static string[] List(string archive) =>
        System.Text.Encoding.UTF8.GetString(Check(ExternalProcess.Run("cpio", ["--quiet", "-t", "-F", archive])).Stdout)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary><c>cpio -tv</c> lines.</summary>
    public static string[] ListVerbose(string archive) =>
        System.Text.Encoding.UTF8.GetString(Check(ExternalProcess.Run("cpio", ["--quiet", "-tv", "-F", archive])).Stdout)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary><c>cpio -id</c> into a new directory (device nodes skipped: <c>--no-absolute-filenames</c>, names relative).</summary>
    public static string Extract(string archive, string scratch)
    {
        var dir = Path.Combine(scratch, "x-" + Path.GetFileName(archive));
        Directory.CreateDirectory(dir);
        Check(ExternalProcess.Run("cpio", ["--quiet", "-id", "--no-absolute-filenames", "-F", archive, "-D", dir]));
        return dir;
    }

    private static ExternalProcess.Result Check(ExternalProcess.Result r) =>
        r.ExitCode == 0 ? r : throw new InvalidOperationException($"tool failed ({r.ExitCode}): {r.Stderr}");
}
