using System.Text;
using Kdump.Cli;
using Kdump.Dump;
using Kdump.Formats.Diskdump;
using Kdump.Formats.Elf;
using Kdump.Kernel;
using Kdump.Kernel.Arch.X64;
using Kdump.Kernel.Pages;
using Kdump.Linux;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Makedumpfile;

/// <summary>
/// -D (message-level bit 8): 1.7.8's DEBUG_MSG lines of main, open_dump_memory and initial(), in
/// its order and formats, printed where the common messages go (stdout; stderr with -F). Only the
/// lines of the x86_64 path our inputs take; see docs/compat/makedumpfile.md for what is left out.
/// </summary>
public static partial class MakedumpfileCommand
{
    private const int DebugMessages = 8;

    // x86_64 constants of arch/x86_64.c and makedumpfile.h.
    private const ulong PageOffset2627 = 0xffff880000000000;
    private const ulong PageOffsetOrig = 0xffff810000000000;
    private const ulong PageOffset5Level = 0xff11000000000000;

    private sealed partial class Session
    {
        private bool DebugOn => (_messageLevel & DebugMessages) != 0;

        private void Debug(string text)
        {
            if (DebugOn) (_toStderr ? context.Error : context.Out).Write(text);
        }

        /// <summary>main: the version and argv as getopt left it (options first), each word followed by a space.</summary>
        private void DebugCommandLine(IReadOnlyList<string> permuted)
        {
            if (!DebugOn) return;
            var line = new StringBuilder($"command line: {context.ProgramName} ");
            foreach (var word in permuted) line.Append(word).Append(' ');
            Debug($"makedumpfile: version {Version} (released on {ReleaseDate})\n{line}\n\n");
        }

        /// <summary>
        /// open_dump_memory's format checks: for ELF, the sadump probe's three lines, the PT_LOAD table
        /// (get_elf_info; every PT_LOAD, as read) and "Linux kdump"; for a kdump-compressed file its
        /// headers (get_kdump_compressed_header_info, whose "0x%ld" sizes are decimal).
        /// </summary>
        private void DebugDumpFormat(IDump dump)
        {
            if (!DebugOn) return;
            var s = new StringBuilder();
            if (dump is ElfDump elf)
            {
                s.Append("sadump: does not have partition header\nsadump: read dump device as unknown format\nsadump: unknown format\n");
                var n = 0;
                foreach (var p in elf.Core.ProgramHeaders)
                {
                    if (p.Type != ElfConstants.PtLoad) continue;
                    if (n == 0) s.Append($"{"",8} {"phys_start",16} {"phys_end",16} {"virt_start",16} {"virt_end",16}\n");
                    s.Append($"LOAD[{n,2}] {p.PhysicalAddress,16:x} {unchecked(p.PhysicalAddress + p.MemorySize),16:x} {p.VirtualAddress,16:x} {unchecked(p.VirtualAddress + p.MemorySize),16:x}\n");
                    n++;
                }
                s.Append("Linux kdump\n");
            }
            else if (dump is KdumpCompressedDump kdump)
            {
                var h = kdump.Primary.Header;
                var k = kdump.Primary.SubHeader;
                // C's %d and %ld of the raw fields: a hostile value prints as it wraps, as upstream's.
                s.Append("diskdump main header\n");
                s.Append($"  signature        : {Signature(h)}\n");
                s.Append($"  header_version   : {h.HeaderVersion}\n");
                s.Append($"  status           : {unchecked((int)h.Status)}\n");
                s.Append($"  block_size       : {h.BlockSize}\n");
                s.Append($"  sub_hdr_size     : {h.SubHeaderBlocks}\n");
                s.Append($"  bitmap_blocks    : {unchecked((int)h.BitmapBlocks)}\n");
                s.Append($"  max_mapnr        : 0x{h.MaxMapNr:x}\n");
                s.Append($"  total_ram_blocks : {unchecked((int)h.TotalRamBlocks)}\n");
                s.Append($"  device_blocks    : {unchecked((int)h.DeviceBlocks)}\n");
                s.Append($"  written_blocks   : {unchecked((int)h.WrittenBlocks)}\n");
                s.Append($"  current_cpu      : {unchecked((int)h.CurrentCpu)}\n");
                s.Append($"  nr_cpus          : {h.CpuCount}\n");
                s.Append("kdump sub header\n");
                s.Append($"  phys_base        : 0x{k.PhysBase:x}\n");
                s.Append($"  dump_level       : {k.DumpLevel}\n");
                s.Append($"  split            : {k.Split}\n");
                s.Append($"  start_pfn        : 0x{k.StartPfn32:x}\n");
                s.Append($"  end_pfn          : 0x{k.EndPfn32:x}\n");
                if (h.HeaderVersion >= 6)
                {
                    s.Append($"  start_pfn_64     : 0x{k.StartPfn64:x}\n");
                    s.Append($"  end_pfn_64       : 0x{k.EndPfn64:x}\n");
                    s.Append($"  max_mapnr_64     : 0x{k.MaxMapNr64:x}\n");
                }
                if (h.HeaderVersion >= 3) s.Append($"  offset_vmcoreinfo: 0x{k.OffsetVmcoreInfo:x}\n  size_vmcoreinfo  : 0x{unchecked((long)k.SizeVmcoreInfo)}\n");
                if (h.HeaderVersion >= 4) s.Append($"  offset_note      : 0x{k.OffsetNote:x}\n  size_note        : 0x{unchecked((long)k.SizeNote)}\n");
                if (h.HeaderVersion >= 5) s.Append($"  offset_eraseinfo : 0x{k.OffsetEraseInfo:x}\n  size_eraseinfo   : 0x{unchecked((long)k.SizeEraseInfo)}\n");
            }
            Debug(s.ToString());
        }

        /// <summary>
        /// --reassemble: store_splitting_info's lines (set_page_size's and its own page_size, the first
        /// file's max_mapnr and dump level) and sort_splitting_info's list, in pfn order, by the names given.
        /// </summary>
        private void DebugSplittingInfo(KdumpCompressedDump dump, IReadOnlyList<string> parts)
        {
            if (!DebugOn) return;
            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in parts) given.TryAdd(context.ResolvePath(part), part);
            var first = dump.Primary;
            var s = new StringBuilder();
            s.Append($"page_size    : {first.PageSize}\npage_size    : {first.PageSize}\n");
            s.Append($"max_mapnr    : {first.MaxMapNr:x}\ndump_level   : {first.SubHeader.DumpLevel}\n");
            s.Append($"num_dumpfile : {dump.Files.Count}\n");
            // sort_splitting_info's exchange sort over the files as given: parts that start at the
            // same pfn (empty ones) come out in its order, not in a stable sort's.
            var byName = dump.Files.ToDictionary(f => f.Name);
            var order = parts.Select(p => byName.GetValueOrDefault(context.ResolvePath(p))).OfType<DiskDumpFile>().ToArray();
            static ulong Start(DiskDumpFile f) => f.IsSplit ? f.StartPfn : 0;
            for (var i = 0; i < order.Length - 1; i++)
            {
                for (var j = i; j < order.Length; j++)
                {
                    if (Start(order[i]) < Start(order[j])) continue;
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }
            foreach (var file in order)
                s.Append($"dumpfile ({given.GetValueOrDefault(file.Name, file.Name)})\n  start_pfn  : {Start(file):x}\n  end_pfn    : {(file.IsSplit ? file.EndPfn : 0):x}\n");
            Debug(s.ToString());
        }

        /// <summary>
        /// signature[8] printed with %s: no NUL ends it, so the bytes of header_version that follow
        /// (little-endian, up to its first zero byte) are printed too: "KDUMP   \x06" for version 6.
        /// </summary>
        private static string Signature(DiskDumpHeader h)
        {
            var s = new StringBuilder(h.Signature);
            var nul = h.Signature.IndexOf('\0', StringComparison.Ordinal);
            if (nul >= 0) return h.Signature[..nul];
            for (var shift = 0; shift < 32; shift += 8)
            {
                var b = (h.HeaderVersion >> shift) & 0xff;
                if (b == 0) break;
                s.Append((char)b);
            }
            return s.ToString();
        }

        /// <summary>
        /// read_vmcoreinfo_basic_info, once per text read (<see cref="_vmcoreInfoTexts"/>): "VMCOREINFO   :",
        /// each line as upstream reads it (<see cref="VmcoreInfo.Lines"/>) indented by two spaces,
        /// set_page_size's line after PAGESIZE=, then an empty line.
        /// </summary>
        private void DebugVmcoreInfo(IDump dump)
        {
            if (!DebugOn) return;
            var texts = _vmcoreInfoTexts ?? [dump.VmcoreInfo.ToArray()];
            foreach (var text in texts) DebugVmcoreInfo(text);
            // initial()'s fallback_to_current_page_size: no text gave a page size (a re-filter
            // takes it from the file's header without a line).
            if (dump is ElfDump && texts.All(t => t.Length == 0))
                Debug($"page_size    : {Environment.SystemPageSize}\nWARNING: Cannot determine page size (no vmcoreinfo).\nUsing the dump kernel page size: {Environment.SystemPageSize}\n");
        }

        private void DebugVmcoreInfo(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty) return;
            var s = new StringBuilder("VMCOREINFO   :\n");
            foreach (var value in VmcoreInfo.Lines(text))
            {
                s.Append("  ").Append(value).Append('\n');
                if (value.StartsWith("PAGESIZE=", StringComparison.Ordinal) && long.TryParse(value.AsSpan(9), out var size) && size > 0 && long.IsPow2(size))
                    s.Append($"page_size    : {size}\n");
            }
            s.Append('\n');
            Debug(s.ToString());
        }

        /// <summary>get_phys_base_x86_64 (not when re-filtering) and get_max_mapnr's lines.</summary>
        private void DebugPhysBaseAndMaxMapNr(DumpInput input)
        {
            if (!DebugOn || input.Dump is not ElfDump) return;
            var physBase = X64Architecture.GetPhysBase(input.Info, input.Dump.KernelSegments, out var source);
            if (source == PhysBaseSource.VmcoreInfo) Debug($"phys_base    : {physBase:x} (vmcoreinfo)\n");
            else if (source == PhysBaseSource.PtLoad) Debug($"phys_base    : {physBase:x} (pt_load)\n");
            Debug($"\nmax_mapnr    : {input.MaxMapNr:x}\n");
        }

        /// <summary>
        /// initial()'s cyclic buffer, for an ELF input without --work-dir (re-filtering and
        /// --work-dir work in one cycle, and -e needs --work-dir): without --cyclic-buffer
        /// calculate_cyclic_buffer_size's size and, when both bitmaps fit, the one-cycle line; with
        /// it, N KiB, cut to MemFree (per --split file) with two messages when larger. A negative N
        /// is larger too: upstream compares it as unsigned. Then the size, at debug level.
        /// </summary>
        private void CyclicBufferLines(DumpInput input, int files, string? cyclicBufferKiB, long? freeBytes)
        {
            if (input.Dump is not ElfDump || Has(MakedumpfileOptions.WorkDir)) return;
            long bytes;
            var kib = Atoi(cyclicBufferKiB ?? "0");
            if (kib == 0)
            {
                bytes = (long)CyclicBuffer.Bytes(input.MaxMapNr, files, freeBytes);
                if (CyclicBuffer.FitsOneCycle(input.MaxMapNr, files, freeBytes)) Debug("There is enough free memory to be done in one cycle.\n");
            }
            else
            {
                bytes = (long)kib << 10;
                var free = Math.Max(0, freeBytes ?? 0) / Math.Max(files, 1);
                if (unchecked((ulong)bytes) > (ulong)free)
                {
                    Msg("Specified buffer size is larger than free memory.\n");
                    Msg("The buffer size for the cyclic mode will ");
                    Msg($"be truncated to {free} byte.\n");
                    bytes = free;
                }
            }
            Debug($"\nBuffer size for the cyclic mode: {bytes}\n");
        }

        /// <summary>
        /// initial() after check_release: get_versiondep_info's page_offset, get_numnodes, get_mem_map
        /// (the memory type and every section's mem_map, 0 where none), init_compound_offset and the
        /// mmap line. Without VMCOREINFO only get_mem_map_without_mm's one row, the offsets and mmap.
        /// </summary>
        private void DebugMemoryLayout(DumpInput input)
        {
            if (!DebugOn) return;
            var info = input.Info;
            // check_release's get_kernel_version; 0 without VMCOREINFO.
            var kernelVersion = ParseKernelVersion(info.OsRelease ?? "");
            var s = new StringBuilder();
            if (!info.IsEmpty)
            {
                s.Append($"page_offset  : {PageOffset(input, info, kernelVersion)}\n");
                var nodes = 0;
                try
                {
                    nodes = OnlineNodes.Read(input.Kernel).Count;
                }
                catch (KdumpException)
                {
                    // get_nodes_online fails: one node.
                }
                s.Append($"num of NODEs : {Math.Max(nodes, 1)}\n");
                try
                {
                    var map = SparseMemMap.Discover(input.Kernel, input.MaxMapNr, input.Dump.Name);
                    s.Append(map.IsExtreme ? "Memory type  : SPARSEMEM_EX\n\n" : "Memory type  : SPARSEMEM\n\n");
                    var present = map.Sections.ToDictionary(x => x.Number);
                    var count = (input.MaxMapNr + map.PagesPerSection - 1) / map.PagesPerSection;
                    for (ulong nr = 0; nr < count; nr++)
                    {
                        var start = nr * map.PagesPerSection;
                        var end = Math.Min(start + map.PagesPerSection, input.MaxMapNr);
                        MemMapRow(s, nr, present.TryGetValue(nr, out var section) ? section.MemMap : 0, start, end);
                    }
                }
                catch (KdumpException)
                {
                    // Not SPARSEMEM, or its tables cannot be read: upstream fails the run there; we go on.
                }
            }
            else
            {
                MemMapRow(s, 0, 0, 0, input.MaxMapNr);
            }
            var (order, dtor) = CompoundOffsets(info, kernelVersion);
            s.Append($"compound_order_offset : {order}\ncompound_dtor_offset  : {dtor}\n");
            s.Append(!input.MapInput ? "mmap() is disabled by specified option '--non-mmap'.\n"
                : input.Dump is ElfDump ? "mmap() is available on the kernel.\n"
                : "The kernel doesn't support mmap(), read() will be used instead.\n");
            Debug(s.ToString());
        }

        private static void MemMapRow(StringBuilder s, ulong nr, ulong memMap, ulong start, ulong end)
        {
            if (nr == 0) s.Append($"{"",13} {"mem_map",16} {"pfn_start",16} {"pfn_end",16}\n");
            s.Append($"mem_map[{nr,4}] {memMap,16:x} {start,16:x} {end,16:x}\n");
        }

        /// <summary>
        /// get_page_offset_x86_64 without -x: the last PT_LOAD of the direct map gives it (pt_load),
        /// else a constant by kernel version and paging depth (a re-filtered dump has no PT_LOADs).
        /// </summary>
        private static string PageOffset(DumpInput input, VmcoreInfo info, int kernelVersion)
        {
            ulong fromLoads = 0;
            if (input.Dump is ElfDump elf)
            {
                foreach (var p in elf.Core.Loads)
                {
                    if (p.VirtualAddress != 0 && p.VirtualAddress < X64AddressLayout.StartKernelMap && p.PhysicalAddress != ulong.MaxValue)
                        fromLoads = unchecked(p.VirtualAddress - p.PhysicalAddress);
                }
            }
            if (fromLoads != 0) return $"{fromLoads:x} (pt_load)";
            var constant = kernelVersion < KernelVersion(2, 6, 27) ? PageOffsetOrig
                : info.TryGetNumber("pgtable_l5_enabled", out var l5) && l5 != 0 ? PageOffset5Level
                : PageOffset2627;
            return $"{constant:x} (constant)";
        }

        /// <summary>init_compound_offset, printed as %u (so an offset that was never found shows as a huge number).</summary>
        private static (uint Order, uint Dtor) CompoundOffsets(VmcoreInfo info, int kernelVersion)
        {
            unchecked
            {
                // NOT_FOUND_STRUCTURE is -1; C's long arithmetic wraps, and so does this.
                long Offset(string name) => info.TryGetOffset(name, out var v) ? (long)v : -1;
                long Size(string name) => info.TryGetSize(name, out var v) ? (long)v : -1;
                var old = kernelVersion < KernelVersion(4, 4, 0);
                var order = Offset("folio._folio_order") is var fo && fo != -1 ? fo - Size("page")
                    : Offset("page.compound_order") is var po && po != -1 ? po
                    : old ? Offset("page.lru") + Offset("list_head.prev") : 0;
                var dtor = Offset("folio._folio_dtor") is var fd && fd != -1 ? fd - Size("page")
                    : Offset("page.compound_dtor") is var pd && pd != -1 ? pd
                    : old ? Offset("page.lru") + Offset("list_head.next") : 0;
                return ((uint)order, (uint)dtor);
            }
        }

        /// <summary>write_kdump_pages_parallel_cyclic's line for each worker it joined (not -E: its writer has none).</summary>
        private void DebugThreadsJoined(int threads)
        {
            for (var i = 0; i < threads; i++) Debug($"Thread {i} finishes.\n");
        }

        /// <summary>write_kdump_eraseinfo's lines (kdump-compressed and -F), or write_elf_eraseinfo's (-E).</summary>
        private void DebugEraseInfo(DumpReport report)
        {
            // reassemble_kdump_pages copies the eraseinfo without a line.
            if (!DebugOn || Has(MakedumpfileOptions.Reassemble)) return;
            if (Has('E'))
            {
                Debug($"erase info size: {report.EraseInfoSize}\n");
                if (report.EraseInfoSize > 0 && report.EraseInfoOffset >= 0)
                    Debug($"Writing erase info...\noffset_eraseinfo: {report.EraseInfoOffset:x}, size_eraseinfo: {report.EraseInfoSize}\n");
            }
            else if (report.EraseInfoOffset >= 0) Debug($"Writing erase info...\noffset_eraseinfo: {report.EraseInfoOffset:x}, size_eraseinfo: {report.EraseInfoSize}\n");
        }
    }
}
