using Kdump.Formats;
using Kdump.Formats.Flattened;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Memory;

/// <summary>Opens any supported dump by what its first bytes say it is.</summary>
public static class DumpOpener
{
    public static IDump Open(string path, DumpOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new DumpOpenOptions();
        var source = MappedFileSource.Open(path);
        try
        {
            return Open(source, options);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Opens a dump from any byte source (tests, reassembled views); takes ownership of it.</summary>
    public static IDump Open(IByteSource source, DumpOpenOptions? options = null)
    {
        options ??= new DumpOpenOptions();
        var dump = OpenFormat(source, options);
        if (options.ReplaceVmcoreInfo is { } replace)
        {
            if (dump is ElfDump elf) elf.VmcoreInfoOverride = replace(elf.VmcoreInfo);
            else if (dump is KdumpCompressedDump kdump) kdump.VmcoreInfoOverride = replace(kdump.VmcoreInfo);
        }
        return dump;
    }

    private static IDump OpenFormat(IByteSource source, DumpOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        var format = Sniff(source);
        switch (format)
        {
            case DumpFormat.Elf32:
            case DumpFormat.Elf64:
                return ElfDump.Open(source, options.Limits);
            case DumpFormat.KdumpCompressed:
            case DumpFormat.DiskDump:
                return KdumpCompressedDump.Open([source], options.Limits);
            case DumpFormat.Flattened when options.AcceptFlattened:
                return OpenFlattened(source, options);
            case DumpFormat.Flattened:
                throw new DumpFormatMismatchException($"'{source.Name}' is a flattened-format dump; reassemble it with makedumpfile -R")
                { FilePath = source.Name, Offset = 0, DetectedFormat = FormatProbe.ShortName(format) };
            default:
                throw Mismatch(source, format);
        }
    }

    private static IDump OpenFlattened(IByteSource source, DumpOpenOptions options)
    {
        var view = FlattenedByteSource.Open(source, options.Limits);
        var inner = Sniff(view);
        return inner switch
        {
            DumpFormat.Elf32 or DumpFormat.Elf64 => ElfDump.Open(view, options.Limits, "flattened+" + FormatProbe.ShortName(inner)),
            DumpFormat.KdumpCompressed or DumpFormat.DiskDump => KdumpCompressedDump.Open([view], options.Limits, "flattened+kdump-compressed"),
            _ => throw Mismatch(view, inner, "the reassembled data of this flattened dump"),
        };
    }

    private static DumpFormat Sniff(IByteSource source)
    {
        Span<byte> head = stackalloc byte[FormatProbe.HeadBytes];
        var n = source.ReadAt(0, head);
        return FormatProbe.Detect(head[..Math.Max(0, n)]);
    }

    private static DumpFormatMismatchException Mismatch(IByteSource source, DumpFormat format, string subject = "it")
    {
        string message;
        if (format == DumpFormat.Unknown)
        {
            Span<byte> head = stackalloc byte[16];
            var n = Math.Max(0, source.ReadAt(0, head));
            message = source.Length == 0
                ? $"'{source.Name}' is not a vmcore: the file is empty"
                : $"'{source.Name}' is not a vmcore (ELF, kdump-compressed or flattened): {subject} starts with {FormatProbe.HexPrefix(head[..n])}";
        }
        else
        {
            message = $"'{source.Name}' is not a readable vmcore: {subject} is {FormatProbe.Describe(format)}";
        }
        return new DumpFormatMismatchException(message) { FilePath = source.Name, Offset = 0, DetectedFormat = FormatProbe.ShortName(format) };
    }
}
