using Kdump.Cli;
using Kdump.Dump;
using Kdump.Formats.Dwarf;
using Kdump.Formats.Elf;
using Kdump.Makedumpfile.Vmlinux;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Makedumpfile;

public static partial class MakedumpfileCommand
{
    private sealed partial class Session
    {
        /// <summary>check_param_for_generating_vmcoreinfo: -g FILE -x VMLINUX and nothing that makes a dump.</summary>
        private bool CheckGeneratingVmcoreInfo(IReadOnlyList<string> operands)
        {
            if (operands.Count != 0 || Compress || DumpLevelNonZero || Has('E') || Has('i') || Has('F') || Has('R') || Has('X')
                || (!Has('x') && !Has(MakedumpfileOptions.XenSyms)))
                return false;
            if (DryRun)
            {
                Msg("--dry-run cannot be used with -g.\n");
                return false;
            }
            return true;
        }

        /// <summary>-g FILE -x VMLINUX (generate_vmcoreinfo): VMCOREINFO made from the vmlinux's symbols and DWARF.</summary>
        private bool GenerateVmcoreInfo(IReadOnlyList<string> operands)
        {
            if (!CheckGeneratingVmcoreInfo(operands)) return Invalid();
            if (CheckParams) return true;
            if (Has(MakedumpfileOptions.XenSyms)) return NotImplemented("-g with --xen-syms (VMCOREINFO of a Xen hypervisor)");
            var output = _args['g']!;
            using var vmlinux = OpenVmlinux();
            if (vmlinux is null) return false;
            FileStream file;
            try
            {
                // fopen(name, "w"), as open_vmcoreinfo: created or truncated before the vmlinux is read.
                file = new FileStream(context.ResolvePath(output), FileMode.Create, FileAccess.Write);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("open_vmcoreinfo", $"Can't open the vmcoreinfo file({output}). {IoErrorText.StrError(e)}");
                return false;
            }
            using (file)
            {
                if (ReadVmlinux(vmlinux) is not { } debug) return false;
                if (Generate(debug, vmlinux, forGenerate: true) is not { } g) return false;
                // get_kernel_version: a release that is no version fails -g after the warning (the file stays empty).
                if (KernelVersionOf(g.Release) == 0) return false;
                try
                {
                    file.Write(System.Text.Encoding.Latin1.GetBytes(g.Text));
                    file.Flush();
                }
                catch (IOException e)
                {
                    ErrMsg("close_files_for_generating_vmcoreinfo", $"Can't close the vmcoreinfo file({output}). {IoErrorText.StrError(e)}");
                    return false;
                }
            }
            Msg("\n");
            Msg($"The vmcoreinfo is saved to {output}.\n");
            return true;
        }

        /// <summary>open_kernel_file: the -x vmlinux, mapped; null after upstream's message.</summary>
        private MappedFileMemory? OpenVmlinux()
        {
            var name = _args['x']!;
            try
            {
                return MappedFileMemory.Open(context.ResolvePath(name));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("open_kernel_file", $"Can't open the kernel file({name}). {IoErrorText.StrError(e)}");
                return null;
            }
            catch (NotSupportedException)
            {
                // A pipe or other file without a length: libdw cannot read it either.
                ErrMsg("init_dwarf_info", $"Failed reading {name}: not a regular file (a vmlinux is read by random access)");
                return null;
            }
        }

        /// <summary>init_dwarf_info: the vmlinux as an ELF object with DWARF; null after a message naming what is wrong.</summary>
        private (ElfObject Elf, DwarfFile Dwarf)? ReadVmlinux(MappedFileMemory vmlinux)
        {
            var name = _args['x']!;
            try
            {
                var elf = ElfObject.Parse(vmlinux.Memory, name);
                if (DwarfFile.Open(elf) is not { } dwarf)
                {
                    ErrMsg("init_dwarf_info", $"Can't get debug context descriptor for {name}.");
                    return null;
                }
                return (elf, dwarf);
            }
            catch (KdumpException e)
            {
                ErrMsg("init_dwarf_info", $"Failed reading {name}: {e.Message}");
                return null;
            }
        }

        /// <summary>
        /// -x without -g: what initial() takes from the vmlinux (get_symbol_info, get_structure_info,
        /// get_srcfile_info) as VMCOREINFO text; null after a message.
        /// </summary>
        private string? VmcoreInfoFromVmlinux()
        {
            using var vmlinux = OpenVmlinux();
            if (vmlinux is null || ReadVmlinux(vmlinux) is not { } debug) return null;
            return Generate(debug, vmlinux, forGenerate: false)?.Text;
        }

        /// <summary>
        /// gather_filter_info for --config: the erase commands resolved against the -x vmlinux and
        /// the dump. Null (after a message) only when the run must stop: the file cannot be read,
        /// the vmlinux is unusable, or the modules list of a config with a module section cannot be
        /// read. Errors in commands are reported and the command skipped, as upstream; a module
        /// section whose module is not loaded is passed over, one whose debug file is not found is
        /// skipped with upstream's message.
        /// </summary>
        private EraseList? GatherEraseRanges(DumpInput input)
        {
            var name = _args[MakedumpfileOptions.Config]!;
            string text;
            try
            {
                text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(context.ResolvePath(name)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("process_config_file", $"Can't open config file({name}). {IoErrorText.StrError(e)}");
                return null;
            }
            using var vmlinux = OpenVmlinux();
            if (vmlinux is null || ReadVmlinux(vmlinux) is not { } debug) return null;
            try
            {
                // Indexed units leave memory as each pass goes, as for -g.
                var search = new DebugInfoSearch(debug.Dwarf, [], [], ErrMsg, DebugInfoSearch.ReleaseIndexed(debug.Elf, vmlinux.Forget));
                var kernel = input.Kernel;
                var info = kernel.VmcoreInfo;
                var imageSize = info.TryGetNumber("KERNEL_IMAGE_SIZE", out var size) ? unchecked((ulong)size) : 1UL << 30;
                var reader = new KernelReader(kernel, input.Dump is ElfDump ? null : input.Dump.Name, ErrMsg);
                var resolver = new Erase.EraseResolver(debug.Elf.Symbols, search, reader, info.KernelOffset ?? 0, imageSize, ErrMsg);
                // A silent first reading finds the names the commands start from, to look them all
                // up in one pass over the DWARF; the second reads and resolves one command at a
                // time, as upstream, so messages come in its order.
                var scan = Erase.FilterConfig.Read(text, (_, _) => { });
                var commands = new List<Erase.ConfigCommand>();
                while (scan.Next() is { } c) commands.Add(c);
                // load_module_symbols. Upstream runs it for every config and fails the dump when no
                // module is loaded; here only a config with a module section reads the list.
                Erase.LoadedModules? modules = null;
                if (scan.ModuleSections.Count > 0)
                {
                    var head = unchecked(debug.Elf.Symbols.GetValueOrDefault("modules") + (ulong)(info.KernelOffset ?? 0));
                    modules = Erase.LoadedModules.Load(search, head, reader, ErrMsg, Debug);
                    if (modules is null) return null;
                }
                resolver.Prepare([.. commands.Where(c => c.Module is null or "vmlinux")]);
                var config = Erase.FilterConfig.Read(text, ErrMsg, m => modules?.Find(m) is not null);
                string? release = null;
                (string Name, Erase.EraseResolver? Resolver)? current = null;
                var skip = false;
                while (config.Next(skip) is { } command)
                {
                    skip = false;
                    var r = resolver;
                    if (command.Module is not { } m || m == "vmlinux")
                    {
                        // set_dwarf_debuginfo("vmlinux"): a later section of a module looks for its debug file again.
                        current = null;
                    }
                    else
                    {
                        // set_dwarf_debuginfo: the module's DWARF is looked for when the section
                        // changes; one module's DWARF is held at a time. (The reader gives only
                        // commands of loaded modules' sections.)
                        if (current?.Name != m)
                        {
                            current = (m, modules?.Find(m) is { } loaded
                                ? ModuleResolver(m, release ??= input.ReadUtsName().Release, loaded, reader, info.KernelOffset ?? 0, imageSize, resolver.Ranges, [.. commands.Where(c => c.Module == m)])
                                : null);
                        }
                        if (current?.Resolver is not { } moduleResolver)
                        {
                            ErrMsg("process_config_file", "Skipping to next Module section");
                            skip = true;
                            continue;
                        }
                        r = moduleResolver;
                    }
                    try
                    {
                        r.Process(command);
                    }
                    catch (KdumpException e) when (r != resolver)
                    {
                        // A damaged debug file of a module fails its section, not the dump.
                        ErrMsg("init_dwarf_info", $"Failed reading the debug file of module '{command.Module}': {e.Message}");
                        current = (command.Module!, null);
                        skip = true;
                    }
                }
                return resolver.Ranges;
            }
            catch (KdumpException e)
            {
                ErrMsg("gather_filter_info", $"{_args['x']}: {e.Message}");
                return null;
            }
        }

        /// <summary>
        /// The resolver of a "[module]" section: symbols from the module's table in the dump (then,
        /// as upstream's get_symbol_addr, the raw values of its debug file's own symbol table),
        /// types from its debug file's DWARF; null after the messages when that file is not found.
        /// </summary>
        private Erase.EraseResolver? ModuleResolver(string name, string release, Erase.LoadedModules.Module module,
            KernelReader reader, ulong kaslrOffset, ulong imageSize, EraseList ranges, IReadOnlyList<Erase.ConfigCommand> commands)
        {
            if (Erase.ModuleDebugInfo.Find(name, release, ErrMsg) is not { } found) return null;
            try
            {
                if (DwarfFile.Open(found.Elf) is not { } dwarf)
                {
                    ErrMsg("init_dwarf_info", $"Can't get debug context descriptor for {found.Path}.");
                    return null;
                }
                var symbols = new Dictionary<string, ulong>(found.Elf.Symbols, StringComparer.Ordinal);
                var taken = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (symbol, value) in module.Symbols)
                {
                    // find_module_symbol's 0 reads as not found: the debug file's value is taken then.
                    if (symbol is not null && taken.Add(symbol) && value != 0) symbols[symbol] = value;
                }
                var search = new DebugInfoSearch(dwarf, [], [], ErrMsg);
                var resolver = new Erase.EraseResolver(symbols, search, reader, kaslrOffset, imageSize, ErrMsg, ranges);
                resolver.Prepare(commands);
                return resolver;
            }
            catch (KdumpException e)
            {
                ErrMsg("init_dwarf_info", $"Failed reading {found.Path}: {e.Message}");
                return null;
            }
        }

        /// <summary>readmem(VADDR) and vaddr_to_paddr over the dump's page tables, with readmem's messages on failure.</summary>
        private sealed class KernelReader(Kdump.Kernel.KernelView kernel, string? kdumpName, Action<string, string> error) : Erase.EraseResolver.IKernelReader
        {
            public bool TryRead(ulong address, Span<byte> destination)
            {
                // readmem of nothing returns 0, which its callers take as failure.
                if (destination.IsEmpty) return false;
                var pageSize = (ulong)kernel.Memory.Physical.PageSize;
                var at = address;
                try
                {
                    // Page by page, as readmem, to name the address where it stopped.
                    var done = 0;
                    while (done < destination.Length)
                    {
                        // A range that runs past 2^64 wraps to 0, which no page table maps.
                        at = unchecked(address + (ulong)done);
                        var n = (int)Math.Min((ulong)(destination.Length - done), pageSize - (at % pageSize));
                        kernel.Memory.Read(new Kdump.Primitives.Units.VirtAddr(at), destination.Slice(done, n));
                        done += n;
                    }
                    return true;
                }
                catch (Kdump.Kernel.Memory.KernelAddressNotMappedException)
                {
                    ExplainWalk(at);
                    error("readmem", $"Can't convert a virtual address({at:x}) to physical address.");
                }
                catch (PageNotStoredException)
                {
                    PageNotStored(ToPhysical(at) ?? 0);
                }
                catch (KdumpException)
                {
                    // A page stored damaged: upstream's message is its decoder's; the address line follows.
                }
                // VADDR is 0 in makedumpfile.h's enum of address types.
                error("readmem", $"type_addr: 0, addr:{at:x}, size:{destination.Length}");
                return false;
            }

            /// <summary>
            /// __vtop4_x86_64's lines for where the walk stopped: an entry not present, or an entry
            /// whose table page is not in the dump (readmem(PADDR)'s lines first, type_addr 1).
            /// </summary>
            private void ExplainWalk(ulong address)
            {
                if (kernel.Memory.Translator is not Kdump.Kernel.Arch.X64.X64PageTableWalker walker) return;
                var walk = new List<(string Level, ulong EntryAddress, ulong Entry)>();
                (string Level, ulong Address)? unread = null;
                var t = walker.Translate(new Kdump.Primitives.Units.VirtAddr(address), walk, (level, at) => unread = (level, at));
                if (unread is { } u)
                {
                    PageNotStored(u.Address);
                    error("readmem", $"type_addr: 1, addr:{u.Address:x}, size:8");
                    error("__vtop4_x86_64", u.Level switch
                    {
                        "PGD" => $"Can't get pgd (page_dir:{u.Address:x}).",
                        "P4D" => $"Can't get p4d_pte (p4d_paddr:{u.Address:x}).",
                        "PUD" => $"Can't get pud_pte (pud_paddr:{u.Address:x}).",
                        "PMD" => $"Can't get pmd_pte (pmd_paddr:{u.Address:x}).",
                        _ => $"Can't get pte (pte_paddr:{u.Address:x}).",
                    });
                    return;
                }
                if (t.Status != Kdump.Kernel.Memory.TranslationStatus.NotMapped || walk.Count == 0) return;
                error("__vtop4_x86_64", walk[^1].Level switch
                {
                    "PGD" => "Can't get a valid pgd.",
                    "P4D" => "Can't get a valid p4d_pte.",
                    "PUD" => "Can't get a valid pud_pte.",
                    "PMD" => "Can't get a valid pmd_pte.",
                    _ => "Can't get a valid pte.",
                });
            }

            /// <summary>readpage_elf's or readpage_kdump_compressed's line for the page holding <paramref name="physical"/>.</summary>
            private void PageNotStored(ulong physical)
            {
                var pageSize = (ulong)kernel.Memory.Physical.PageSize;
                if (kdumpName is null) error("readpage_elf", $"Attempt to read non-existent page at 0x{physical / pageSize * pageSize:x}.");
                else error("readpage_kdump_compressed", $"pfn({physical / pageSize:x}) is excluded from {kdumpName}.");
            }

            public ulong? ToPhysical(ulong address)
            {
                var t = kernel.Memory.Translator.Translate(new Kdump.Primitives.Units.VirtAddr(address));
                return t.IsOk ? t.Physical.Value : null;
            }
        }

        /// <summary>The lookups over the vmlinux; damaged debug information ends them with a message naming where.</summary>
        private (string Text, string Release)? Generate((ElfObject Elf, DwarfFile Dwarf) debug, MappedFileMemory vmlinux, bool forGenerate)
        {
            try
            {
                // Indexed units leave memory as the walk goes: the lookups after it touch a few.
                return VmlinuxVmcoreInfo.Generate(debug.Elf, debug.Dwarf, Environment.SystemPageSize, ErrMsg, forGenerate, vmlinux.Forget);
            }
            catch (KdumpException e)
            {
                ErrMsg("get_debug_info", $"{_args['x']}: {e.Message}");
                return null;
            }
        }
    }
}
