using Kdump.Cli;
using Kdump.Dump;
using Kdump.Formats;
using Kdump.Formats.Flattened;
using Kdump.Kernel;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Linux;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Makedumpfile;

/// <summary>
/// makedumpfile's command line, messages and exit codes (docs/compat/makedumpfile.md): dump files
/// (kdump-compressed, <c>-F</c>, <c>-E</c>, <c>--split</c>, <c>--dry-run</c>, <c>-L</c>, <c>--vtop</c>),
/// <c>--reassemble</c>, <c>-R</c>, <c>--dump-dmesg</c> (<c>--partial-dmesg</c>), <c>--mem-usage</c>,
/// <c>-h</c> and <c>-v</c>; the modes not built are parsed and refused with a message.
/// </summary>
public static partial class MakedumpfileCommand
{
    public const string Version = "1.7.8";
    public const string ReleaseDate = "30 Oct 2025";

    // print_info.h message-level bits.
    private const int CommonMessages = 2;
    private const int ErrorMessages = 4;

    public static int Run(IToolContext context, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        var s = new Session(context);
        var ok = s.Main(args);
        // -h and -v return from main before its "out:" epilogue.
        if (!s.CheckParams && !s.ShowedInfo)
        {
            s.Msg("\n");
            // A --mem-usage table is not followed by "Completed." (main's out: label).
            if (!ok) s.Msg("makedumpfile Failed.\n");
            else if (!s.MemUsageGiven) s.Msg("makedumpfile Completed.\n");
        }
        return ok ? 0 : s.FailureCode;
    }

    /// <summary>One run's state: the parsed options and message routing (upstream's global info, kept local).</summary>
    private sealed partial class Session(IToolContext context)
    {
        private readonly HashSet<int> _seen = [];
        private readonly Dictionary<int, string?> _args = [];
        private int _messageLevel = 7;
        private long? _sizeLimit;
        private bool _toStderr;

        public bool CheckParams { get; private set; }

        public bool ShowedInfo { get; private set; }

        public bool Main(IReadOnlyList<string> args)
        {
            var parsed = MakedumpfileOptions.Parser.Parse(args, context.ProgramName, context.IsPosixlyCorrect());
            foreach (var o in parsed.Options)
            {
                if (o.IsError)
                {
                    context.Error.WriteLine(o.Error);
                    return Invalid();
                }
                _seen.Add(o.Id);
                _args[o.Id] = o.Argument;
                if (o.Id == 'F') _toStderr = true;
                if (o.Id is 'c' or 'l' or 'p' or 'z') _codecOption = o.Id;
                if (o.Id == MakedumpfileOptions.CheckParams) CheckParams = true;
                if (o.Id == MakedumpfileOptions.MessageLevel && !SetMessageLevel(o.Argument!)) return false;
                if (o.Id == 'L' && !SetSizeLimit(o.Argument!)) return false;
                if (o.Id == 'd' && !SetDumpLevels(o.Argument!)) return false;
            }
            if (Has('D')) _messageLevel |= 8;
            if (CheckParams) _messageLevel = 7;
            if (Has('h'))
            {
                Msg(Usage.Text);
                ShowedInfo = true;
                return true;
            }
            if (Has('v'))
            {
                Msg($"makedumpfile: version {Version} (released on {ReleaseDate})\nlzo\tenabled\nsnappy\tenabled\nzstd\tenabled\n\n");
                ShowedInfo = true;
                return true;
            }
            DebugCommandLine(parsed.Permuted);
            var operands = parsed.Operands;
            if (Has('g')) return GenerateVmcoreInfo(operands);
            if (Has('R')) return Rearrange(operands);
            if (Has(MakedumpfileOptions.Reassemble)) return Reassemble(operands);
            if (Has(MakedumpfileOptions.DumpDmesg)) return DumpDmesg(operands);
            if (!CheckCreatingDumpfile(operands)) return Invalid();
            if (CheckParams) return true;
            if (Has(MakedumpfileOptions.MemUsage)) return MemUsage(operands);
            return CreateDumpfile(operands);
        }

        private bool Has(int id) => _seen.Contains(id);

        /// <summary>--dry-run: everything but writing the dump file (which is not even created).</summary>
        private bool DryRun => Has(MakedumpfileOptions.DryRun);

        private bool Compress => Has('c') || Has('l') || Has('p') || Has('z');

        private bool DumpLevelNonZero => FirstDumpLevel != 0;

        /// <summary>info->num_threads: MAX(atoi(--num-threads), 0), 0 without the option.</summary>
        private int NumThreads => _args.TryGetValue(MakedumpfileOptions.NumThreads, out var t) ? Math.Max(0, Atoi(t!)) : 0;

        /// <summary>info->dump_level: the first of -d's levels (0 without -d).</summary>
        private int FirstDumpLevel => _dumpLevels.Count > 0 ? _dumpLevels[0] : 0;

        /// <summary>-d N[,N…]: the levels in order; each later one is tried when the disk fills up.</summary>
        private readonly List<int> _dumpLevels = [];

        /// <summary>
        /// parse_dump_level, while the options are read (so a bad level fails before -h or a later
        /// option's error): atoi of each comma-separated item, at most NUM_ARRAY_DUMP_LEVEL (32).
        /// </summary>
        private bool SetDumpLevels(string value)
        {
            // No level at all ("-d ,") leaves info->dump_level as it was, with nothing to retry.
            var first = _dumpLevels.Count > 0 ? _dumpLevels[0] : (int?)null;
            _dumpLevels.Clear();
            foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var level = Atoi(item);
                if (level is < 0 or > 31)
                {
                    Msg($"Dump_level({level}) is invalid.\n");
                    return false;
                }
                if (_dumpLevels.Count == 32)
                {
                    Msg("Dump_level is invalid.\n");
                    return false;
                }
                _dumpLevels.Add(level);
            }
            if (_dumpLevels.Count == 0 && first is { } kept) _dumpLevels.Add(kept);
            return true;
        }

        public void Msg(string text)
        {
            if ((_messageLevel & CommonMessages) == 0) return;
            (_toStderr ? context.Error : context.Out).Write(text);
        }

        /// <summary>
        /// write_and_check_space's line for a write that failed (MSG: stdout, no function name):
        /// -L's limit, or the errno's text. <paramref name="what"/> is "dump" or "log".
        /// </summary>
        private void CantWrite(string what, string file, Exception error) =>
            Msg(error is SizeLimitReachedException limit
                ? $"\nCan't write the {what} file({file}). Size limit({limit.Limit}) reached.\n"
                : $"\nCan't write the {what} file({file}). {IoErrorText.StrError(error)}\n");

        private void ErrMsg(string function, string text)
        {
            if ((_messageLevel & ErrorMessages) != 0) context.Error.Write($"{function}: {text}\n");
        }

        private bool Invalid()
        {
            Msg("Commandline parameter is invalid.\n");
            Msg("Try `makedumpfile --help' for more information.\n");
            return false;
        }

        private bool NotImplemented(string what)
        {
            context.Error.Write($"{context.ProgramName}: {what} is not implemented in this build (see docs/compat/makedumpfile.md).\n");
            return false;
        }

        private bool SetMessageLevel(string value)
        {
            var ml = Atoi(value);
            if (ml is < 0 or > 31)
            {
                _messageLevel = 7;
                Msg($"Message_level({ml}) is invalid.\n");
                return false;
            }
            if (!CheckParams) _messageLevel = ml;
            return true;
        }

        /// <summary>-L SIZE: memparse (a number in strtoull syntax, then K, M, G, T, P or E); 0 or trailing text is refused.</summary>
        private bool SetSizeLimit(string value)
        {
            var v = StrToUll(value, out var end);
            var shifts = end < value.Length ? "kmgtpe".IndexOf(char.ToLowerInvariant(value[end])) + 1 : 0;
            if (shifts > 0)
            {
                v = unchecked(v << (10 * shifts));
                end++;
            }
            if (end != value.Length || v == 0)
            {
                Msg($"Limit size({value}) is invalid.\n");
                return false;
            }
            _sizeLimit = (long)Math.Min(v, long.MaxValue);
            return true;
        }

        /// <summary>strtoull(s, &amp;end, 0): optional blanks and sign, 0x for hex, a leading 0 for octal; stops at the first other character; saturates.</summary>
        private static ulong StrToUll(string s, out int end)
        {
            var i = 0;
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            var negative = false;
            if (i < s.Length && s[i] is '+' or '-') negative = s[i++] == '-';
            var radix = 10;
            if (i + 2 < s.Length && s[i] == '0' && s[i + 1] is 'x' or 'X' && Uri.IsHexDigit(s[i + 2]))
            {
                radix = 16;
                i += 2;
            }
            else if (i < s.Length && s[i] == '0')
            {
                radix = 8;
            }
            var first = i;
            ulong v = 0;
            var overflow = false;
            for (; i < s.Length; i++)
            {
                var d = char.IsAsciiDigit(s[i]) ? s[i] - '0' : char.IsAsciiLetter(s[i]) ? char.ToLowerInvariant(s[i]) - 'a' + 10 : 99;
                if (d >= radix) break;
                if (v > (ulong.MaxValue - (ulong)d) / (ulong)radix) overflow = true;
                else v = (v * (ulong)radix) + (ulong)d;
            }
            // No digits: nothing converted, end is the start of the string.
            end = i == first ? 0 : i;
            if (overflow) return ulong.MaxValue;
            return negative ? unchecked(0 - v) : v;
        }

        /// <summary>atoi(3): leading blanks, optional sign, digits; anything else stops it.</summary>
        /// <summary>glibc's atoi: (int)strtol(s, NULL, 10), so a value past the long range saturates and the cast keeps the low 32 bits.</summary>
        private static int Atoi(string s)
        {
            var i = 0;
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            var negative = false;
            if (i < s.Length && s[i] is '+' or '-') negative = s[i++] == '-';
            ulong v = 0;
            var overflow = false;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                var digit = (ulong)(s[i] - '0');
                if (v > (ulong.MaxValue - digit) / 10) overflow = true;
                else v = (v * 10) + digit;
            }
            long value = negative
                ? (overflow || v > 1UL << 63 ? long.MinValue : unchecked(-(long)v))
                : (overflow || v > long.MaxValue ? long.MaxValue : (long)v);
            return unchecked((int)value);
        }

        /// <summary>check_param_for_creating_dumpfile, for the modes this build knows.</summary>
        private bool CheckCreatingDumpfile(IReadOnlyList<string> operands)
        {
            if ((Compress && Has('E')) || (Has('i') && Has('x')) || (Has('i') && Has(MakedumpfileOptions.XenSyms))) return false;
            if (Has(MakedumpfileOptions.DryRun) && Has(MakedumpfileOptions.DumpDmesg))
            {
                Msg("--dry-run cannot be used with --dump-dmesg.\n");
                return false;
            }
            if (Has('F') && Has(MakedumpfileOptions.Split)) return false;
            if (Has(MakedumpfileOptions.Config) && !Has('x')) return false;
            // Only a positive count conflicts (upstream tests info->num_threads).
            if (NumThreads > 0 && Has(MakedumpfileOptions.Split))
            {
                Msg("--num-threads cannot used with --split.\n");
                return false;
            }
            if (NumThreads > 0 && Has('E'))
            {
                Msg("--num-threads cannot used with ELF format.\n");
                return false;
            }
            if (Has(MakedumpfileOptions.PartialDmesg) && !Has(MakedumpfileOptions.DumpDmesg)) return false;
            if (Has('e') && !Has(MakedumpfileOptions.WorkDir))
            {
                Msg("-e requires --work-dir\n");
                return false;
            }
            var split = Has(MakedumpfileOptions.Split);
            if (split && operands.Count > 2 && Has('E'))
            {
                Msg("Options for splitting dumpfile cannot be used with Elf format.\n");
                return false;
            }
            return (operands.Count == 2 && !Has('F') && !split)
                || (split && operands.Count > 2)
                || (operands.Count == 1 && (Has('F') || Has(MakedumpfileOptions.MemUsage)));
        }

        /// <summary>check_dump_file: an existing output is refused unless -f (and then must be writable).</summary>
        private bool CheckDumpFile(string name)
        {
            var path = context.ResolvePath(name);
            if (!File.Exists(path) && !Directory.Exists(path)) return true;
            if (Has('f'))
            {
                // access(W_OK) as check_dump_file: opening would block on a FIFO without a reader
                // and, closed again, end the reader of one that has it.
                if (PathAccess.CheckWrite(path) is not 0 and var errno)
                {
                    ErrMsg("check_dump_file", $"Can't open the dump file ({name}). {Errno.strerror(errno)}");
                    return false;
                }
                return true;
            }
            ErrMsg("check_dump_file", $"Can't open the dump file ({name}). File exists");
            return false;
        }

        /// <summary>
        /// open_dump_file: O_EXCL unless -f, which truncates; created 0600 like 1.7.8, since a dump holds
        /// every secret that was in RAM and must not be readable by others even for a moment.
        /// </summary>
        private FileStream? OpenDumpFile(string name)
        {
            var options = new FileStreamOptions
            {
                Mode = Has('f') || _overwrite ? FileMode.Create : FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                return new FileStream(context.ResolvePath(name), options);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A directory (passed by -f's access check): the BCL says access denied, open(2) EISDIR.
                var why = IoErrorText.IsDirectoryRefusal(e, context.ResolvePath(name)) ? "Is a directory" : IoErrorText.StrError(e);
                ErrMsg("open_dump_file", $"Can't open the dump file({name}). {why}");
                return null;
            }
        }

        private bool Rearrange(IReadOnlyList<string> operands)
        {
            if (operands.Count != 1 || Compress || DumpLevelNonZero || Has('E') || Has('i') || Has('x')
                || Has(MakedumpfileOptions.XenSyms) || Has('F') || Has('g') || Has('X'))
                return Invalid();
            if (CheckParams) return true;
            var name = operands[0];
            if (!CheckDumpFile(name)) return false;
            // --dry-run reads and checks the whole stream but creates no file.
            using (var output = DryRun ? Stream.Null : OpenDumpFile(name))
            {
                if (output is null) return false;
                // A FIFO or a terminal as the dump file: the records are written at their offsets.
                if (!output.CanSeek)
                {
                    ErrMsg("write_buffer", $"Can't seek the dump file({name}). Illegal seek");
                    return false;
                }
                try
                {
                    FlattenedReassembler.Reassemble(new StdinStream(context.StandardInput),
                        _sizeLimit is { } limit && !DryRun ? new SizeLimitedSeekableStream(output, name, limit) : output);
                }
                catch (KdumpException e)
                {
                    ErrMsg("rearrange_dumpdata", e.Message);
                    return false;
                }
                catch (StdinReadException e)
                {
                    ErrMsg("read_buf_from_stdin", $"Can't read STDIN. {IoErrorText.StrError(e.InnerException!)}");
                    return false;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    CantWrite("dump", name, e);
                    return false;
                }
            }
            Msg("\n");
            Msg($"The dumpfile is saved to {name}.\n");
            return true;
        }

        private bool DumpDmesg(IReadOnlyList<string> operands)
        {
            // With -F the log goes to stdout (plain text, not flattened), as upstream's fd_dumpfile.
            var toStdout = Has('F');
            if (!CheckCreatingDumpfile(operands) || operands.Count != (toStdout ? 1 : 2) || Has(MakedumpfileOptions.Split)) return Invalid();
            if (CheckParams) return true;
            if (Has(MakedumpfileOptions.XenSyms) || Has(MakedumpfileOptions.XenVmcoreinfo) || Has(MakedumpfileOptions.Diskset))
                return NotImplemented("--dump-dmesg with --xen-* or --diskset");
            var (vmcore, logfile) = (operands[0], toStdout ? "STDOUT" : operands[1]);
            if (!toStdout && !CheckDumpFile(logfile)) return false;
            if (!WriteDmesg(vmcore, toStdout ? null : logfile)) return false;
            Msg("\n");
            Msg($"The dmesg log is saved to {logfile}.\n");
            return true;
        }

        /// <summary>open_dump_memory and the format checks: the dump, or null after the upstream messages.</summary>
        private IDump? OpenDumpMemory(string vmcore, Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? replaceVmcoreInfo = null)
        {
            try
            {
                return DumpOpener.Open(context.ResolvePath(vmcore), new DumpOpenOptions { ReplaceVmcoreInfo = replaceVmcoreInfo });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var why = IoErrorText.IsDirectoryRefusal(e, context.ResolvePath(vmcore)) ? "Is a directory" : IoErrorText.StrError(e);
                ErrMsg("open_dump_memory", $"Can't open the dump memory({vmcore}). {why}");
            }
            catch (DumpFormatMismatchException e)
            {
                ErrMsg("check_elf_format", "Can't get valid ehdr.");
                // Our hint, printed as an error message: --message-level without bit 4 hides it.
                if ((_messageLevel & ErrorMessages) != 0)
                {
                    context.Error.Write(e.DetectedFormat == FormatProbe.ShortName(DumpFormat.Flattened)
                        ? $"{vmcore} is in the flattened format: reassemble it first with \"makedumpfile -R DUMPFILE < {vmcore}\".\n"
                        : $"{e.Message}\n");
                }
            }
            catch (KdumpException e)
            {
                ErrMsg("open_dump_memory", e.Message);
            }
            catch (NotSupportedException)
            {
                // A pipe or a FIFO (`cat vmcore | makedumpfile … /dev/stdin`): the readers seek, which
                // fails with ESPIPE there, as each of 1.7.8's three format probes says in turn.
                ErrMsg("__read_disk_dump_header", $"Can't seek a file({vmcore}). Illegal seek");
                ErrMsg("read_device", $"Can't seek a file({vmcore}). Illegal seek");
                ErrMsg("check_elf_format", $"Can't seek {vmcore}. Illegal seek");
            }
            return null;
        }

        /// <summary>The log of <paramref name="vmcore"/> into <paramref name="logfile"/>, or stdout when null.</summary>
        private bool WriteDmesg(string vmcore, string? logfile)
        {
            var dump = OpenDumpWithVmcoreInfo(vmcore);
            if (dump is null) return false;
            DebugDumpFormat(dump);
            using (var input = DumpInput.Open(dump))
            {
                input.MapInput = !Has(MakedumpfileOptions.NonMmap);
                DebugVmcoreInfo(dump);
                DebugPhysBaseAndMaxMapNr(input);
                CyclicBufferLines(input, 1, _args.GetValueOrDefault(MakedumpfileOptions.CyclicBuffer), MemInfo.ReadFree());
                if (!CheckRelease(input, vmcore)) return false;
                DebugMemoryLayout(input);
                PrintkLog log;
                try
                {
                    var view = input.Kernel;
                    log = Has(MakedumpfileOptions.PartialDmesg)
                        ? PrintkLayouts.ReadSinceClear(view.VmcoreInfo, view.Memory)
                        : PrintkLayouts.Read(view.VmcoreInfo, view.Memory);
                }
                catch (KdumpException e)
                {
                    ErrMsg("dump_dmesg", e.Message);
                    return false;
                }
                // Upstream reads the 5.10+ lockless ring in its own function, which names itself.
                var function = log.Layout == PrintkLayoutKind.LocklessRing ? "dump_lockless_dmesg" : "dump_dmesg";
                // stdout belongs to the context (flushed, never disposed here).
                using var file = logfile is null ? null : OpenDumpFile(logfile);
                Stream? output = logfile is null ? context.StandardOutput : file;
                if (output is null)
                {
                    ErrMsg(function, "Can't open output file.");
                    return false;
                }
                // A FIFO as the log file: 1.7.8's write_and_check_space seeks before each write.
                if (file is { CanSeek: false })
                {
                    ErrMsg("write_and_check_space", $"Can't seek the dump file({logfile}). Illegal seek");
                    return false;
                }
                // -L: the log stops at the limit as a dump does (write_and_check_space).
                if (_sizeLimit is { } limit) output = new SizeLimitedStream(output, logfile ?? "STDOUT", limit);
                try
                {
                    MakedumpfileDmesgFormat.Write(log, output);
                    output.Flush();
                    return true;
                }
                catch (PrintkCorruptException e)
                {
                    ErrMsg("dump_dmesg", e.Message);
                    ErrMsg("dump_dmesg", "The printk log_buf is most likely corrupted.");
                    ErrMsg("dump_dmesg", $"log_buf = 0x{e.LogBuf:x}, idx = 0x{e.Index:x}");
                    return false;
                }
                catch (KdumpException e)
                {
                    ErrMsg(function, e.Message);
                    return false;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    CantWrite("log", logfile ?? "STDOUT", e);
                    return false;
                }
            }
        }
    }
}
