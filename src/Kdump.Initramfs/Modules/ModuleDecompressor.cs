using System.IO.Compression;

namespace Kdump.Initramfs.Modules;

/// <summary>
/// Gives a module's plain ELF bytes, so that the capture program loads every module with
/// <c>finit_module(fd, "", 0)</c> and never needs the kernel's MODULE_INIT_COMPRESSED_FILE
/// (Linux commit b1ae6dc41eaa ("module: add in-kernel support for decompressing") (v5.17), not
/// enabled in every kernel). .ko.xz needs the <c>xz</c> program (no xz decoder in the BCL).
/// </summary>
public static class ModuleDecompressor
{
    /// <summary>The path a module gets in the image (its compression suffix removed).</summary>
    public static string PlainPath(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        foreach (var ext in s_suffixes)
        {
            if (relativePath.EndsWith(ext, StringComparison.Ordinal)) return relativePath[..^(ext.Length - 3)];
        }
        return relativePath;
    }

    private static readonly string[] s_suffixes = [".ko.xz", ".ko.zst", ".ko.gz"];

    /// <summary>Reads and, if needed, decompresses one module. <paramref name="runXz"/> maps a host path to the output of <c>xz -dc</c>.</summary>
    public static byte[] ReadPlain(string hostPath, Func<string, byte[]> runXz)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        ArgumentNullException.ThrowIfNull(runXz);
        if (hostPath.EndsWith(".ko.xz", StringComparison.Ordinal)) return runXz(hostPath);
        if (hostPath.EndsWith(".ko.zst", StringComparison.Ordinal))
        {
            using var input = File.OpenRead(hostPath);
            using var z = new ZstdSharp.DecompressionStream(input);
            using var output = new MemoryStream();
            z.CopyTo(output);
            return output.ToArray();
        }
        if (hostPath.EndsWith(".ko.gz", StringComparison.Ordinal))
        {
            using var input = File.OpenRead(hostPath);
            using var z = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            z.CopyTo(output);
            return output.ToArray();
        }
        return File.ReadAllBytes(hostPath);
    }
}
