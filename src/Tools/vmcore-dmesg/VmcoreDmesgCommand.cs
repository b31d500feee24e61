using Kdump.Cli;
using Kdump.Formats;
using Kdump.Kernel;
using Kdump.Kernel.Memory;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Tools.VmcoreDmesg;

/// <summary>
/// kexec-tools' <c>vmcore-dmesg &lt;kernel core file&gt;</c>: the kernel log of a vmcore to stdout, with
/// upstream's messages and exit codes (docs/compat/vmcore-dmesg.md). Extensions: kdump-compressed
/// and flattened input, and page-table translation for dumps without virtual ranges.
/// </summary>
public static class VmcoreDmesgCommand
{
    private const string ElfFailure = "Unable to read ELF information from vmcore";

    public static int Run(IToolContext context, IReadOnlyList<string> args) => Run(context, args, VmcoreDmesgFormat.MaxOutputBytes);

    /// <summary>As <see cref="Run(IToolContext, IReadOnlyList{string})"/> with another output cap (tests: 2 GiB of output is slow to make).</summary>
    internal static int Run(IToolContext context, IReadOnlyList<string> args, long maxOutputBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        var err = context.Error;
        if (args.Count != 1)
        {
            err.WriteLine($"usage: {context.ProgramName} <kernel core file>");
            return 1;
        }
        var name = args[0];
        var path = context.ResolvePath(name);
        byte[] ident;
        try
        {
            if (Directory.Exists(path))
            {
                err.WriteLine($"Read of e_ident from {name} failed: Is a directory");
                return 3;
            }
            using var f = File.OpenRead(path);
            ident = new byte[16];
            var n = f.ReadAtLeast(ident, ident.Length, throwOnEndOfStream: false);
            if (n < ident.Length)
            {
                err.WriteLine($"Read of e_ident from {name} failed: Success");
                return 3;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            err.WriteLine($"Cannot open {name}: {IoErrorText.StrError(e)}");
            return 2;
        }

        var format = FormatProbe.Detect(ident);
        if (format is not (DumpFormat.KdumpCompressed or DumpFormat.DiskDump or DumpFormat.Flattened))
        {
            var identError = CheckElfIdent(ident);
            if (identError is { } e)
            {
                err.WriteLine(e.Message);
                err.WriteLine(ElfFailure);
                return e.ExitCode;
            }
        }

        IDump dump;
        try
        {
            dump = DumpOpener.Open(path, new DumpOpenOptions { AcceptFlattened = true });
        }
        catch (KdumpException e)
        {
            err.WriteLine(e.Message);
            err.WriteLine(ElfFailure);
            return 16;
        }
        using (dump)
        {
            return Dump(context, dump, maxOutputBytes);
        }
    }

    private static int Dump(IToolContext context, IDump dump, long maxOutputBytes)
    {
        var err = context.Error;
        try
        {
            var view = KernelView.Open(dump, TranslationStrategy.SegmentsElsePageTables);
            if (CheckExports(view.VmcoreInfo) is { } missing)
            {
                err.WriteLine(missing.Message);
                return missing.ExitCode;
            }
            var log = PrintkLayouts.Read(view.VmcoreInfo, view.Memory);
            try
            {
                VmcoreDmesgFormat.Write(log, context.StandardOutput, maxOutputBytes);
                context.StandardOutput.Flush();
                return 0;
            }
            catch (UnauthorizedAccessException e)
            {
                // A closed stdout (`>&-`): EBADF, which the console stream reports so.
                err.WriteLine($"Failed to write out the dmesg log buffer!: {IoErrorText.StrError(e)}");
                return 54;
            }
        }
        catch (PrintkCorruptException e)
        {
            err.WriteLine(e.Message);
            err.WriteLine("The printk log_buf is most likely corrupted.");
            err.WriteLine($"log_buf = 0x{e.LogBuf:x}, idx = 0x{e.Index:x}");
            return e.Kind == PrintkCorruptionKind.Cycle ? 68 : 69;
        }
        catch (KernelAddressNotMappedException e) when (KernelView.HasVirtualRanges(dump))
        {
            err.WriteLine($"No program header covering vaddr 0x{e.Address:x} found kexec bug?");
            return 30;
        }
        catch (KdumpException e)
        {
            err.WriteLine(e.Message);
            return 65;
        }
        catch (DmesgOutputTooLargeException e)
        {
            context.StandardOutput.Flush();
            err.WriteLine(e.Message);
            return 53;
        }
        catch (IOException e)
        {
            err.WriteLine($"Failed to write out the dmesg log buffer!: {IoErrorText.StrError(e)}");
            return 54;
        }
    }


    private sealed record Failure(string Message, int ExitCode);

    /// <summary>kexec-tools' e_ident checks, in its order (<c>util_lib/elf_info.c:read_elf</c>).</summary>
    private static Failure? CheckElfIdent(ReadOnlySpan<byte> ident)
    {
        if (!ident[..4].SequenceEqual<byte>([0x7f, (byte)'E', (byte)'L', (byte)'F'])) return new("Missing elf signature", 4);
        if (ident[6] != 1) return new("Bad elf version", 5);
        if (ident[4] is not (1 or 2)) return new($"Unknown elf class {ident[4]}", 6);
        if (ident[5] is not (1 or 2)) return new($"Unkown elf data order {ident[5]}", 7);   // sic: upstream's spelling
        return null;
    }

    /// <summary>
    /// The exports kexec-tools checks before walking the structured and legacy logs, with its
    /// messages and codes (<c>dump_dmesg_structured</c> 60–67, <c>dump_dmesg_legacy</c> 50–53).
    /// </summary>
    private static Failure? CheckExports(VmcoreInfo info)
    {
        if (info.TryGetSymbol("prb", out _)) return null;
        if (info.TryGetSymbol("log_first_idx", out _))
        {
            if (!info.TryGetSymbol("log_buf", out _)) return new("Missing the log_buf symbol", 60);
            if (!info.TryGetSymbol("log_buf_len", out _)) return new("Missing the log_bug_len symbol", 61);
            if (!info.TryGetSymbol("log_next_idx", out _)) return new("Missing the log_next_idx symbol", 63);
            var s = info.TryGetSize("printk_log", out _) ? "printk_log" : "log";
            if (!info.TryGetSize(s, out _)) return new("Missing the struct log size export", 64);
            if (!info.TryGetOffset($"{s}.ts_nsec", out _)) return new("Missing the log.ts_nsec offset export", 65);
            if (!info.TryGetOffset($"{s}.len", out _)) return new("Missing the log.len offset export", 66);
            if (!info.TryGetOffset($"{s}.text_len", out _)) return new("Missing the log.text_len offset export", 67);
            return null;
        }
        if (!info.TryGetSymbol("log_buf", out _)) return new("Missing the log_buf symbol", 50);
        if (!info.TryGetSymbol("log_end", out _)) return new("Missing the log_end symbol", 51);
        if (!info.TryGetSymbol("log_buf_len", out _)) return new("Missing the log_bug_len symbol", 52);
        if (!info.TryGetSymbol("logged_chars", out _)) return new("Missing the logged_chars symbol", 53);
        return null;
    }
}
