using Kdump.Cli;
using Kdump.Compression;
using Kdump.Primitives.Errors;

namespace Kdump.Initramfs.Modules;

/// <summary>
/// Gives a module's plain ELF bytes, so that the capture program loads every module with
/// <c>finit_module(fd, "", 0)</c> and never needs the kernel's MODULE_INIT_COMPRESSED_FILE
/// (Linux commit b1ae6dc41eaa ("module: add in-kernel support for decompressing") (v5.17), not
/// enabled in every kernel). xz is decoded through liblzma, gzip through libz, zstd in-process.
/// </summary>
public static class ModuleDecompressor
{
    /// <summary>Bound on a module, compressed or decoded.</summary>
    private const long MaxModuleBytes = 1L << 30;

    private static readonly string[] s_suffixes = [".ko.xz", ".ko.zst", ".ko.gz"];

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

    /// <summary>
    /// Reads one module, decoded when it is compressed (told by its magic, not its name). A module
    /// that cannot be read or is no ELF file fails the build here, not finit_module in the capture kernel.
    /// </summary>
    public static byte[] ReadPlain(string hostPath)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        byte[] plain;
        try
        {
            plain = CompressedFile.ReadPlain(hostPath, MaxModuleBytes);
        }
        catch (KdumpException e)
        {
            // The message names the file: "'PATH': xz stream at offset 0x…: …".
            throw new InitramfsBuildException($"cannot read module {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InitramfsBuildException($"cannot read module '{hostPath}': {IoErrorText.StrError(e)}", e);
        }
        return plain.AsSpan().StartsWith(ElfMagic) ? plain
            : throw new InitramfsBuildException($"cannot read module '{hostPath}': not an ELF file{(plain.Length == 0 ? " (empty)" : "")}");
    }

    private static ReadOnlySpan<byte> ElfMagic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];
}
