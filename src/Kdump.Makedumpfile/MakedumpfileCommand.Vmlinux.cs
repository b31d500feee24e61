using Kdump.Cli;
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
                if (Generate(debug, vmlinux) is not { } g) return false;
                KernelVersionOf(g.Release);
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
            return Generate(debug, vmlinux)?.Text;
        }

        /// <summary>The lookups over the vmlinux; damaged debug information ends them with a message naming where.</summary>
        private (string Text, string Release)? Generate((ElfObject Elf, DwarfFile Dwarf) debug, MappedFileMemory vmlinux)
        {
            try
            {
                // Indexed units leave memory as the walk goes: the lookups after it touch a few.
                return VmlinuxVmcoreInfo.Generate(debug.Elf, debug.Dwarf, Environment.SystemPageSize, ErrMsg, vmlinux.Forget);
            }
            catch (KdumpException e)
            {
                ErrMsg("get_debug_info", $"{_args['x']}: {e.Message}");
                return null;
            }
        }

        /// <summary>
        /// initial() with -x: the vmlinux's values come first and the dump's VMCOREINFO only fills
        /// what they lack (the READ_* macros skip what is set), except OSRELEASE and PAGESIZE, which
        /// read_vmcoreinfo_basic_info takes from the dump. Symbols move by the dump's KERNELOFFSET
        /// (find_kaslr_offsets, then SYMBOL_INIT adds it).
        /// </summary>
        internal static ReadOnlyMemory<byte> MergeWithNote(string generated, ReadOnlySpan<byte> note)
        {
            var noteLines = System.Text.Encoding.Latin1.GetString(note).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var fromNote = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in noteLines) fromNote.TryAdd(Key(line), line);
            ulong slide = 0;
            if (fromNote.TryGetValue("KERNELOFFSET", out var k))
                ulong.TryParse(k.AsSpan("KERNELOFFSET=".Length), System.Globalization.NumberStyles.AllowHexSpecifier, null, out slide);
            var merged = new List<string>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in generated.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var key = Key(line);
                keys.Add(key);
                if (key is "OSRELEASE" or "PAGESIZE" && fromNote.TryGetValue(key, out var own)) merged.Add(own);
                else if (slide != 0 && key.StartsWith("SYMBOL(", StringComparison.Ordinal)
                         && ulong.TryParse(line.AsSpan(key.Length + 1), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var address))
                    merged.Add($"{key}={unchecked(address + slide):x}");
                else merged.Add(line);
            }
            merged.AddRange(noteLines.Where(l => !keys.Contains(Key(l))));
            return System.Text.Encoding.Latin1.GetBytes(string.Concat(merged.Select(l => l + "\n")));

            static string Key(string line) => line.IndexOf('=') is var eq and >= 0 ? line[..eq] : line;
        }
    }
}
