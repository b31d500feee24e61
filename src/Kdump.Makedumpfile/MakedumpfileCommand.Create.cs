using System.Runtime.InteropServices;
using Kdump.Cli;
using Kdump.Compression;
using Kdump.Dump;
using Kdump.Formats;
using Kdump.Formats.Diskdump;
using Kdump.Kernel;
using Kdump.Kernel.Arch.X64;
using Kdump.Kernel.Pages;
using Kdump.Linux;
using Kdump.Memory;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;
using Kdump.Primitives.Units;

namespace Kdump.Makedumpfile;

public static partial class MakedumpfileCommand
{
    // print_info.h message-level bits used here.
    private const int ProgressIndicator = 1;
    private const int ReportMessages = 16;

    private sealed partial class Session
    {
        private int _codecOption;

        /// <summary>Another -d level follows if this write runs out of space: no "incomplete" line yet.</summary>
        private bool _retryFollows;

        /// <summary>The retry opens the file it made before (truncated) instead of refusing it as existing.</summary>
        private bool _overwrite;

        /// <summary>The last write stopped on ENOSPC or -L's limit (upstream's flag_nospace).</summary>
        private bool _outOfSpace;

        /// <summary>The progress line's spinner and clock, for the whole run (a -d A,B retry goes on turning it).</summary>
        private ProgressConsole? _progressConsole;

        /// <summary>create_dumpfile for kdump-compressed output (plain file or -F).</summary>
        private bool CreateDumpfile(IReadOnlyList<string> operands)
        {
            if (Has(MakedumpfileOptions.Eppic))
                return NotImplemented("--eppic (erase filters written as eppic macros)");
            if (Has('X') || Has(MakedumpfileOptions.XenSyms) || Has(MakedumpfileOptions.XenVmcoreinfo) || Has(MakedumpfileOptions.Diskset))
                return NotImplemented("reading Xen or sadump input (-X, --xen-syms, --xen-vmcoreinfo, --diskset)");
            if (Has(MakedumpfileOptions.ShowStats)) _messageLevel |= ReportMessages;

            var level = FirstDumpLevel;
            var threads = NumThreads;
            var order = _args.TryGetValue('b', out var b) ? Atoi(b!) : 4;
            if (order < 0)
            {
                Msg($"Block order({order}) is invalid.\n");
                return Invalid();
            }
            // The write cache is 2^order pages and the output bytes do not depend on it: past 2^14
            // (64 MiB) we stay at that size rather than allocate what upstream would.
            order = Math.Min(order, 14);
            var windowPfns = 1 << 20;
            if (_args.TryGetValue(MakedumpfileOptions.CyclicBuffer, out var cb))
                windowPfns = (int)Math.Clamp(Atoi(cb!) * 1024L * 8, 32768, 1 << 28);

            // main checks the dump files before create_dumpfile opens anything.
            foreach (var name in Has('F') ? [] : operands.Skip(1))
            {
                if (!CheckDumpFile(name)) return false;
            }
            var vmcore = operands[0];
            var dump = OpenDumpWithVmcoreInfo(vmcore);
            if (dump is null) return false;
            DebugDumpFormat(dump);
            // initial(): filtering needs VMCOREINFO, zero pages (-d 1) do not. It checks the list's
            // highest level (max_dump_level): a retry may need struct pages the first level does not.
            if (dump.VmcoreInfo.IsEmpty && _dumpLevels.DefaultIfEmpty(0).Max() > (int)DumpLevel.Zero)
            {
                dump.Dispose();
                Msg($"{vmcore} doesn't contain vmcoreinfo.\n");
                Msg("Specify '-x' option or '-i' option.\n");
                return Invalid();
            }

            using var input = DumpInput.Open(dump);
            input.MapInput = !Has(MakedumpfileOptions.NonMmap);
            // Upstream's order: update_dump_level before initial(), whose -E test precedes check_release
            // (initial()'s "doesn't contain vmcoreinfo" above comes after update_dump_level upstream;
            // only a re-filtered dump without VMCOREINFO would show it).
            UpdateDumpLevel(input, vmcore, level);
            DebugVmcoreInfo(dump);
            if (Has('E') && dump is not ElfDump)
            {
                // initial(): upstream writes ELF from ELF input only, too.
                Msg($"'-E' option is disabled, because {vmcore} is kdump compressed format.\n");
                return false;
            }
            DebugPhysBaseAndMaxMapNr(input);
            // calculate_cyclic_buffer_size's thread messages, then check_release, as in initial().
            threads = BoundThreads(threads, input.PageSize);
            var files = Has(MakedumpfileOptions.Split) ? operands.Count - 1 : 1;
            // Read once: the messages below and the one-cycle choice must agree.
            var freeBytes = MemInfo.ReadFree();
            CyclicBufferLines(input, files, cb, freeBytes);
            if (!CheckRelease(input, vmcore)) return false;
            DebugMemoryLayout(input);
            // check_splitblock_size (only with --split, as upstream): KiB; 0 (or no number) means the default.
            var splitblockBytes = 1L << 30;
            if (Has(MakedumpfileOptions.Split) && _args.TryGetValue(MakedumpfileOptions.SplitblockSize, out var sb) && Atoi(sb!) != 0)
            {
                splitblockBytes = (long)Atoi(sb!) << 10;
                // Upstream appends strerror(errno) of whatever call failed last; that part is left out.
                if (splitblockBytes < 0 || splitblockBytes % input.PageSize != 0)
                {
                    ErrMsg("check_splitblock_size", "The splitblock size must be align to page_size.");
                    return false;
                }
            }
            if (_args.TryGetValue(MakedumpfileOptions.WorkDir, out var workDir) && !CheckWorkDir(workDir!)) return false;
            var options = new DumpOptions
            {
                SplitblockBytes = splitblockBytes,
                Codec = _codecOption switch { 'c' => PageCodecs.Zlib, 'l' => PageCodecs.Lzo, 'p' => PageCodecs.Snappy, 'z' => PageCodecs.Zstd, _ => null },
                Threads = threads,
                WindowPfns = windowPfns,
                CacheOrder = order,
                UnusedVmemmap = Has('e') ? FindVmemmap(input) : null,
                // initial(): re-filtering and --work-dir always work in one cycle (-e needs
                // --work-dir); otherwise it sizes the buffer itself when --cyclic-buffer is absent
                // or atoi gives 0.
                OneCycle = input.Dump is KdumpCompressedDump || Has('e') || Has(MakedumpfileOptions.WorkDir)
                    || (Atoi(cb ?? "0") == 0 && CyclicBuffer.FitsOneCycle(input.MaxMapNr, files, freeBytes)),
            };
            if (_args.TryGetValue(MakedumpfileOptions.Vtop, out var vtop) && StrToUl(vtop!) is var address and not 0)
                PrintVtop(input, address);
            if (Has(MakedumpfileOptions.Config))
            {
                if (GatherEraseRanges(input) is not { } erase) return false;
                options = options with { Erase = erase };
            }
            // create_dumpfile's retry: with -d A,B,… a dump that fills the disk is made again at the
            // next level. Only for one kdump-compressed file: upstream's retry of -E and
            // --split goes wrong (measured with 1.7.8), and a -F stream cannot be taken back.
            var retries = Has('E') || Has('F') || Has(MakedumpfileOptions.Split) ? 0 : Math.Max(0, _dumpLevels.Count - 1);
            for (var attempt = 0; ; attempt++)
            {
                IPageFilter? filter;
                try
                {
                    filter = PageFilterFactory.Create(input, (DumpLevel)level, text => context.Error.Write(text.EndsWith('\n') ? text : text + "\n"));
                }
                catch (KdumpException e)
                {
                    ErrMsg("create_dumpfile", e.Message);
                    // A retry's filter: the file of the level before is there, flagged, and stays.
                    if (attempt > 0) Msg("This is an incomplete dumpfile, but might analyzable.\n");
                    return false;
                }
                options = options with { Level = (DumpLevel)level, Filter = filter };
                if (Has(MakedumpfileOptions.Split)) return WriteSplit(input, options, operands.Skip(1).ToList());
                if (Has('F')) return WriteFlattened(input, options);
                _retryFollows = attempt < retries;
                _outOfSpace = false;
                if (WriteFile(input, options, operands[1])) return true;
                if (!_retryFollows || !_outOfSpace) return false;
                level = _dumpLevels[attempt + 1];
                Msg($"Retry to create a dumpfile by dump_level({level}).\n");
                // Upstream unlinks the file first; truncating it is the same for a file and leaves a
                // device node (-f /dev/full fills up too) in place.
                _overwrite = true;
                UpdateDumpLevel(input, vmcore, level);
            }
        }

        /// <summary>
        /// update_dump_level: re-filtering keeps what the input already left out, and says so when
        /// that raises the level. Upstream's line has no newline; the next message starts with one.
        /// </summary>
        private void UpdateDumpLevel(DumpInput input, string vmcore, int level)
        {
            var previous = input.PreviousDumpLevel;
            if ((level | previous) != level)
                Msg($"dump_level is changed to {level | previous}, because {vmcore} was created by dump_level({previous}).");
        }

        /// <summary>
        /// open_dump_bitmap: with --work-dir upstream keeps its bitmaps in a mkstemp file there, so a
        /// missing or read-only directory fails the dump before it starts. We need no such file,
        /// but create and remove one so that a kdump.conf typo fails here as it does upstream.
        /// </summary>
        private bool CheckWorkDir(string dir)
        {
            var name = $"{dir}/kdump_bitmap{Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal)[..6]}";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            try
            {
                using (new FileStream(context.ResolvePath(name), options))
                {
                }
                File.Delete(context.ResolvePath(name));
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("open_dump_bitmap", $"Can't open the bitmap file({name}). {IoErrorText.StrError(e)}");
                return false;
            }
        }

        /// <summary>
        /// -e: where the struct pages live (find_vmemmap). As upstream, a failure is reported and
        /// the dump is written without -e.
        /// </summary>
        private VmemmapBacking? FindVmemmap(DumpInput input)
        {
            string? error;
            VmemmapBacking? backing = null;
            try
            {
                var kernel = input.Kernel;
                var structPage = kernel.VmcoreInfo.TryGetSize("page", out var size) && size <= int.MaxValue ? (int)size : 0;
                if (kernel.Memory.Translator is not X64PageTableWalker tables)
                {
                    error = "-e walks x86_64 page tables only";
                }
                else if (input.PageSize != 4096)
                {
                    error = $"-e needs 4096-byte pages, not {input.PageSize}";
                }
                else
                {
                    // mem_map_data[0].mem_map when pfn 0 has a section (it moves with KASLR), else the fixed base.
                    var sections = SparseMemMap.Discover(kernel, input.MaxMapNr, input.Dump.Name).Sections;
                    var start = sections.Count > 0 && sections[0].StartPfn == 0 ? sections[0].MemMap : tables.Layout.VmemmapStart;
                    // get_max_paddr: the highest end of an ELF PT_LOAD; a kdump-compressed input has none
                    // (upstream's walk then ends at once), so its max_mapnr stands in.
                    var maxPaddr = input.Dump is ElfDump elf
                        ? elf.Core.Loads.Where(l => l.PhysicalAddress != ulong.MaxValue).Select(l => l.PhysicalAddress + l.MemorySize).DefaultIfEmpty(0UL).Max()
                        : checked(input.MaxMapNr * (ulong)input.PageSize);
                    backing = X64VmemmapWalk.Find(input.Dump.Physical, tables, start, structPage, maxPaddr, out error);
                }
            }
            catch (Exception e) when (e is KdumpException or OverflowException)
            {
                error = e.Message;
            }
            if (backing is not null) return backing;
            // Upstream prints its walk's complaint on stdout (printf) for this one case.
            // With -F stdout is the dump, so the line goes to stderr instead of into the stream.
            if (error == X64VmemmapWalk.NotHuge) (Has('F') ? context.Error : context.Out).Write(error + "\n");
            else ErrMsg("find_vmemmap_x86_64", error!);
            ErrMsg("create_dumpfile", "Can't find vmemmap pages");
            return null;
        }

        /// <summary>
        /// print_vtop (--vtop ADDRESS): one kernel virtual address through the dump's page tables,
        /// with each entry read on the way (vtop4_x86_64's trace lines).
        /// </summary>
        private void PrintVtop(DumpInput input, ulong address)
        {
            var physical = ulong.MaxValue; // NOT_PADDR, as upstream prints a failed translation
            var walk = new List<(string Level, ulong EntryAddress, ulong Entry)>();
            string? error = null;
            try
            {
                var translator = input.Kernel.Memory.Translator;
                var t = translator is X64PageTableWalker x64 ? x64.Translate(new VirtAddr(address), walk) : translator.Translate(new VirtAddr(address));
                if (t.IsOk) physical = t.Physical.Value;
                else error = $"Can't translate 0x{address:x}: {t.Reason}";
            }
            catch (KdumpException e)
            {
                error = e.Message;
            }
            Msg("\n");
            Msg($"Translating virtual address {address:x} to physical address.\n");
            foreach (var (level, at, entry) in walk) Msg($"  {level} : {at,16:x} => {entry,16:x}\n");
            // Upstream's walk stops at the bad entry with its error, then prints the result line.
            if (error is not null) ErrMsg("vaddr_to_paddr", error);
            Msg("VIRTUAL           PHYSICAL\n");
            Msg($"{address,16:x}  {physical:x}\n");
            Msg("\n");
        }

        private static ulong StrToUl(string s) => StrToUll(s, out _);

        /// <summary>
        /// --num-threads no larger than half of the available memory holds, with makedumpfile's two
        /// lines when it is cut: a typo in kdump.conf must not make the capture kernel run out of memory.
        /// </summary>
        private int BoundThreads(int threads, int pageSize)
        {
            if (threads <= 1 || MemInfo.ReadAvailable() is not { } available) return threads;
            var fit = (int)Math.Clamp(available / 2 / KdumpCompressedDumper.BytesPerThread(pageSize), 1, int.MaxValue);
            if (threads <= fit) return threads;
            Msg($"There isn't enough memory for {threads} threads.\n");
            Msg($"--num_threads is set to {fit}.\n");
            return fit;
        }

        /// <summary>
        /// The index of the first part whose disk_dump_header (its first <see cref="DiskDumpHeader.Size64"/>
        /// bytes, as 1.7.8's memcmp of the struct) differs from the first part's; null when all agree.
        /// A part too short to hold one is left to the reader, which names it.
        /// </summary>
        private static int? MismatchedHeader(List<IByteSource> sources)
        {
            var first = new byte[DiskDumpHeader.Size64];
            if (sources[0].ReadAt(0, first) != first.Length) return null;
            var other = new byte[first.Length];
            for (var i = 1; i < sources.Count; i++)
            {
                if (sources[i].ReadAt(0, other) != other.Length) return null;
                if (!other.AsSpan().SequenceEqual(first)) return i;
            }
            return null;
        }

        /// <summary>--reassemble DUMPFILE1 … DUMPFILEn DUMPFILE: one file again, with the set's level and codec.</summary>
        private bool Reassemble(IReadOnlyList<string> operands)
        {
            // check_param_for_reassembling_dumpfile: its count, these options, then --dry-run.
            Debug($"num_dumpfile : {operands.Count - 1}\n");
            if (Compress || DumpLevelNonZero || Has('E') || Has('i') || Has('x') || Has(MakedumpfileOptions.XenSyms)
                || Has('F') || Has('g') || Has('X') || Has(MakedumpfileOptions.Split))
                return Invalid();
            if (DryRun)
            {
                Msg("--dry-run cannot be used with --reassemble.\n");
                return Invalid();
            }
            if (operands.Count < 2) return Invalid();
            if (CheckParams) return true;
            if (!CheckDumpFile(operands[^1])) return false;
            var parts = operands.Take(operands.Count - 1).ToList();
            var sources = new List<IByteSource>();
            KdumpCompressedDump dump;
            try
            {
                // Part by part, so that a failure names its file (__read_disk_dump_header).
                foreach (var part in parts)
                {
                    var path = context.ResolvePath(part);
                    try
                    {
                        sources.Add(FileByteSource.Open(path));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
                    {
                        if (IoErrorText.IsDirectoryRefusal(e, path))
                            ErrMsg("__read_disk_dump_header", $"Can't read a file({part}). Is a directory");
                        else if (e is NotSupportedException)
                            ErrMsg("__read_disk_dump_header", $"Can't seek a file({part}). Illegal seek");
                        else
                            ErrMsg("__read_disk_dump_header", $"Can't open a file({part}). {IoErrorText.StrError(e)}");
                        foreach (var s in sources) s.Dispose();
                        return false;
                    }
                }
                // store_splitting_info: each part's disk_dump_header, byte for byte, must be the
                // first's (parts of runs with another codec, or an incomplete part, never mix),
                // checked in the order given and before the parts' pfn ranges.
                if (MismatchedHeader(sources) is { } odd)
                {
                    ErrMsg("store_splitting_info", $"Invalid dumpfile({parts[odd]}).");
                    foreach (var s in sources) s.Dispose();
                    return false;
                }
                dump = KdumpCompressedDump.Open(sources);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("reassemble_dumpfile", $"Can't read the dump files({string.Join(", ", parts)}). {IoErrorText.StrError(e)}");
                return false;
            }
            catch (KdumpException e)
            {
                ErrMsg("reassemble_dumpfile", e.Message);
                return false;
            }
            DebugSplittingInfo(dump, parts);
            if (!CheckSplittingInfo(dump))
            {
                dump.Dispose();
                return false;
            }
            DebugDumpFormat(dump);
            using var input = DumpInput.Open(dump);
            PageCodecs.TryGet((uint)dump.Primary.Header.Compression, out var codec);
            // reassemble_dumpfile copies; it has no page report (ours would count a re-encode).
            _messageLevel &= ~ReportMessages;
            // initial(): reassembling works in one cycle, from the parts' whole bitmaps.
            var options = new DumpOptions { Codec = codec, OneCycle = true };
            return WriteFile(input, options, operands[^1]);
        }

        /// <summary>
        /// check_splitting_info: the parts, in pfn order, must cover 0 … max_mapnr with no gap. A
        /// missing part, or parts of two different --split runs, would otherwise give a file that
        /// lacks the pages in between and says nothing (the reader alone only refuses overlaps).
        /// </summary>
        private bool CheckSplittingInfo(KdumpCompressedDump dump)
        {
            var end = 0UL;
            foreach (var file in dump.Files.Append(null))
            {
                // A file not made by --split has 0 … 0 in upstream's sub header fields.
                var next = file is null ? dump.Primary.MaxMapNr : file.IsSplit ? file.StartPfn : 0;
                if (end != next)
                {
                    ErrMsg("check_splitting_info", $"There is not dumpfile corresponding to pfn 0x{end:x} - 0x{next:x}.");
                    return false;
                }
                if (file is not null) end = file.IsSplit ? file.EndPfn : 0;
            }
            return true;
        }

        private bool WriteSplit(DumpInput input, DumpOptions options, List<string> names)
        {
            var outputs = new List<IDumpOutput>();
            var files = new List<FileDumpOutput>();
            try
            {
                foreach (var n in names)
                {
                    var output = OpenOutput(n, files);
                    if (output is null) return false;
                    outputs.Add(output);
                }
                if (!Copy(input, [.. outputs], options, string.Join(", ", names))) return false;
            }
            finally
            {
                foreach (var f in files) f.Dispose();
            }
            Msg("\n");
            Msg($"The dumpfiles are saved to {string.Join(", ", names.Take(names.Count - 1))}, and {names[^1]}.\n");
            return true;
        }

        /// <summary>Writes one dump file (its name already passed CheckDumpFile).</summary>
        private bool WriteFile(DumpInput input, DumpOptions options, string name)
        {
            var files = new List<FileDumpOutput>();
            try
            {
                var output = OpenOutput(name, files);
                if (output is null || !Copy(input, [output], options, name)) return false;
            }
            finally
            {
                foreach (var f in files) f.Dispose();
            }
            Msg("\n");
            Msg($"The dumpfile is saved to {name}.\n");
            return true;
        }

        private bool WriteFlattened(DumpInput input, DumpOptions options)
        {
            // The context owns STDOUT and flushes its writer at exit: flush this buffer, never
            // dispose it (that closes STDOUT, and the exit then dies on a closed stream).
            // A dry run writes nothing, not even the flattened header (upstream drops every write).
            var sink = DryRun ? Stream.Null : context.StandardOutput;
            if (_sizeLimit is { } limit) sink = new SizeLimitedStream(sink, "STDOUT", limit);
            var stdout = new BufferedStream(sink, 1 << 20);
            var output = new FlattenedDumpOutput(stdout, "STDOUT");
            if (!Copy(input, [output], options, "STDOUT")) return false;
            try
            {
                output.Complete();
                stdout.Flush();
            }
            catch (SizeLimitReachedException e)
            {
                SizeLimitReached(e, flattened: true);
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // UnauthorizedAccessException: a closed stdout (`>&-`), EBADF.
                CantWrite("dump", "STDOUT", e);
                return false;
            }
            Msg("\n");
            Msg("The dumpfile is saved to STDOUT.\n");
            return true;
        }

        private bool Copy(DumpInput input, IDumpOutput[] outputs, DumpOptions options, string name)
        {
            var showProgress = (_messageLevel & ProgressIndicator) != 0;
            var console = _progressConsole ??= new ProgressConsole(context.Error);
            // reassemble_dumpfile copies only; the others check holes and exclude pages first. The
            // process's first draw is never held back, so 1.7.8's runs start at 0.0 %.
            if (showProgress && !Has(MakedumpfileOptions.Reassemble))
            {
                var holes = new ProgressLine(console, "Checking for memory holes", showEta: false);
                holes.Update(0, 1);
                holes.Finish(1);
                new ProgressLine(console, "Excluding unnecessary pages", showEta: false).Finish(1);
            }
            var progress = new ProgressLine(console, "Copying data");
            long total = 0;
            options = options with
            {
                Progress = showProgress ? (done, all) => { total = all; progress.Update(done, all); } : null,
                // Upstream's line starts with "\n": it ends the open progress line.
                UnusedVmemmapExcluded = (pages, capped) =>
                {
                    console.EndLine();
                    if (capped) ErrMsg("find_unused_vmemmap_pages", $"more than {UnusedVmemmap.MaxRanges} separate ranges of unused struct pages: the rest are kept");
                    if (showProgress) context.Error.Write($"Excluded {pages} unused vmemmap pages\n");
                },
            };
            KdumpCompressedDumper dumper;
            using var cancel = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
            try
            {
                // Inside the try: planning reads the input (utsname, memory map) and may meet damage.
                dumper = new KdumpCompressedDumper(input, outputs[0], options);
                if (Has('E')) dumper.WriteElf(cancel.Token);
                else if (outputs.Length == 1) dumper.Write(cancel.Token);
                else dumper.WriteSplit(outputs, cancel.Token);
                if (options.Threads > 0 && !Has('E'))
                {
                    // write_kdump_pages_parallel_cyclic ends its own 100 % line, joins its
                    // workers, and its caller draws and ends the line once more.
                    console.EndLine();
                    DebugThreadsJoined(options.Threads);
                }
                if (showProgress) progress.Finish(total);
                // reassemble_kdump_pages leaves its line open: the next message starts with "\n".
                if (!Has(MakedumpfileOptions.Reassemble)) console.EndLine();
                DebugEraseInfo(dumper.Report);
            }
            catch (SplitWriteException e)
            {
                // One line per failed file, as each of upstream's writer processes prints its own.
                // Like upstream, the progress line stays open: these lines go to stdout, after "\n".
                foreach (var (output, error) in e.Failures)
                {
                    CantWrite("dump", output, error);
                }
                Msg("This is an incomplete dumpfile, but might analyzable.\n");
                return false;
            }
            catch (SizeLimitReachedException e)
            {
                _outOfSpace = true;
                SizeLimitReached(e, flattened: !outputs[0].IsSeekable);
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // UnauthorizedAccessException: a write to a closed stdout (-F with `>&-`), EBADF.
                _outOfSpace = e is IOException && (e.HResult & 0xffff) == Errno.ENOSPC;
                CantWrite("dump", name, e);
                // A stream cannot be flagged afterwards; upstream says nothing more for -F.
                if (outputs[0].IsSeekable && !(_outOfSpace && _retryFollows)) Msg("This is an incomplete dumpfile, but might analyzable.\n");
                return false;
            }
            catch (OperationCanceledException)
            {
                console.EndLine();
                ErrMsg("write_kdump_pages", $"Interrupted by a signal: {name} is incomplete (flagged in its header).");
                return false;
            }
            catch (KdumpException e)
            {
                console.EndLine();
                ErrMsg("write_kdump_pages", e.Message);
                return false;
            }
            catch (Exception e) when (e is NotSupportedException or AggregateException or InvalidOperationException or OverflowException)
            {
                // A worker's failure, a layout we do not write, a page count that changed between the
                // passes or checked arithmetic on a hostile input: a message, never a trace.
                console.EndLine();
                ErrMsg("write_kdump_pages", (e as AggregateException)?.InnerException?.Message ?? e.Message);
                return false;
            }
            if ((_messageLevel & ReportMessages) != 0) PrintReport(dumper.Report);
            return true;
        }

        /// <summary>-L: the output would pass SIZE bytes (write_and_check_space's message).</summary>
        private void SizeLimitReached(SizeLimitReachedException e, bool flattened)
        {
            CantWrite("dump", e.Output, e);
            // 1.7.8 then tries to seek stdout to flag the stream incomplete, fails and says so; a
            // file is flagged (its header rewritten below the limit).
            if (flattened) ErrMsg("get_nr_pages", $"Can't seek end of the dump file({e.Output}).");
            else if (!_retryFollows) Msg("This is an incomplete dumpfile, but might analyzable.\n");
        }

        /// <summary>
        /// The output for one dump file name: a sink for --dry-run, else the file opened (added to
        /// <paramref name="files"/>, which the caller disposes); within -L's limit either way. Null
        /// after open_dump_file's message.
        /// </summary>
        private IDumpOutput? OpenOutput(string name, List<FileDumpOutput> files)
        {
            IDumpOutput output;
            if (DryRun)
            {
                output = new DiscardDumpOutput(name);
            }
            else
            {
                var stream = OpenDumpFile(name);
                if (stream is null) return null;
                // A FIFO or a terminal: the dump is written at offsets (-F is for a stream).
                if (!stream.CanSeek)
                {
                    stream.Dispose();
                    ErrMsg("write_buffer", $"Can't seek the dump file({name}). Illegal seek");
                    return null;
                }
                var file = new FileDumpOutput(stream.SafeFileHandle, name);
                files.Add(file);
                output = file;
            }
            return _sizeLimit is { } limit ? new SizeLimitedDumpOutput(output, limit) : output;
        }

        /// <summary>print_report (message level 16).</summary>
        private void PrintReport(DumpReport r)
        {
            var w = _toStderr ? context.Error : context.Out;
            w.Write(r.Format());
            w.Write("\n");
        }
    }
}
