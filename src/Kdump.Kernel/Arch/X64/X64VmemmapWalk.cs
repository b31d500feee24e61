using Kdump.Formats;
using Kdump.Kernel.Pages;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Arch.X64;

/// <summary>
/// Reads the kernel page tables that map the vmemmap (x86_64, 4-level) into
/// <see cref="VmemmapRun"/>s, the answer makedumpfile's <c>find_vmemmap_x86_64</c> gives (makedumpfile
/// 1.6.0, "exclude page structures of non-dumped pages"): the vmemmap must be mapped by 2 MiB pages,
/// and a run ends where the backing pages stop being physically contiguous or at a hole.
/// Upstream's walk is kept where it changes the answer: it starts at the first entry of the PUD page
/// that the vmemmap's PGD entry names, skips absent PUD entries without counting them, counts
/// absent PMD entries as holes, and stops at the struct page of the highest physical address.
/// </summary>
public static class X64VmemmapWalk
{
    /// <summary>Upstream's words when a vmemmap PMD maps a table, not a 2 MiB page.</summary>
    public const string NotHuge = "vmemmap pmd not huge, abort";

    private const int Entries = 512;
    private const int EntryBytes = 8;
    private const ulong HugePage = 2UL << 20;
    private const ulong PageSizeBit = 1UL << 7;

    /// <summary>makedumpfile's PMASK for x86_64 (bits 12–62), before the SME bit is taken out.</summary>
    private const ulong EntryAddressMask = 0x7ffffffffffff000;

    /// <summary>
    /// The runs for a dump whose highest physical address is <paramref name="maxPhysicalAddress"/>;
    /// null with <paramref name="error"/> when a table page is not in the dump or a vmemmap PMD
    /// is not a 2 MiB page (upstream then writes the dump without <c>-e</c>).
    /// </summary>
    public static VmemmapBacking? Find(IPhysicalMemory physical, X64PageTableWalker tables, ulong vmemmapStart, int structPageSize,
        ulong maxPhysicalAddress, out string? error)
    {
        ArgumentNullException.ThrowIfNull(physical);
        ArgumentNullException.ThrowIfNull(tables);
        error = null;
        const int PageSize = 4096;
        if (tables.Layout.Levels != 4)
        {
            error = "5-level page tables are not walked for -e";
            return null;
        }
        if (structPageSize <= 0 || structPageSize > PageSize)
        {
            error = $"SIZE(page) {structPageSize} is not a struct page size";
            return null;
        }
        var mask = EntryAddressMask & ~tables.SmeMask;
        var structs = (ulong)structPageSize;
        var highPfn = maxPhysicalAddress / PageSize;
        var pfnsPerPud = (ulong)Entries * Entries * PageSize / structs;
        var pgdEntries = (highPfn + pfnsPerPud - 1) / pfnsPerPud;
        var pgdIndex = (vmemmapStart >> 39) & (Entries - 1);

        var runs = new List<VmemmapRun>();
        var table = new byte[Entries * EntryBytes];
        var pmdTable = new byte[Entries * EntryBytes];
        var state = new RunBuilder(runs, structs);
        ulong visited = 0; // PMD entries walked: the next one maps the struct page of pfn visited * 2 MiB / SIZE(page)
        ulong NextPfn() => checked(visited * HugePage) / structs;
        for (ulong g = 0; g < pgdEntries && pgdIndex + g < Entries; g++)
        {
            var pgdAt = tables.RootTable.Value + (pgdIndex + g) * EntryBytes;
            if (!TryRead(physical, pgdAt, table.AsSpan(0, EntryBytes), "pgd", ref error)) return null;
            var pud = Entry(table, 0) & mask;
            if (pud == 0) continue;
            if (!TryRead(physical, pud, table, "pud", ref error)) return null;
            // After the last pfn upstream still reads each remaining PMD table, then stops at its first entry.
            for (var u = 0; u < Entries; u++)
            {
                var pmd = Entry(table, u) & mask;
                if (pmd == 0) continue;
                if (!TryRead(physical, pmd, pmdTable, "pmd", ref error)) return null;
                for (var m = 0; m < Entries; m++)
                {
                    if (NextPfn() >= highPfn) break;
                    var entry = Entry(pmdTable, m);
                    if (entry != 0 && (entry & PageSizeBit) == 0)
                    {
                        error = NotHuge;
                        return null;
                    }
                    state.Add(entry == 0 ? null : entry & mask);
                    visited++;
                }
            }
            if (NextPfn() >= highPfn) break;
        }
        if (!state.Mapped)
        {
            // Upstream would still record a run from its initial state and clear pfns from 0: a
            // wrong vmemmap base must not cost kept pages.
            error = $"no 2 MiB vmemmap mapping was found from 0x{vmemmapStart:x}";
            return null;
        }
        state.Finish();
        return new VmemmapBacking(runs, structPageSize, PageSize);
    }

    private static ulong Entry(byte[] table, int index) => new EndianReader(table, DataLayout.LittleEndian64).U64(index * EntryBytes);

    private static bool TryRead(IPhysicalMemory physical, ulong address, Span<byte> destination, string level, ref string? error)
    {
        if (physical.TryRead(new PhysAddr(address), destination) == PageReadStatus.Ok) return true;
        error = $"the {level} table at physical 0x{address:x} is not in the dump";
        return false;
    }

    /// <summary>
    /// Turns the sequence of PMD entries (backing address, or null for a hole) into runs. A run is
    /// closed by a hole after mapped entries or by a jump in the backing addresses; its pfn range
    /// ends at the first pfn of the entry that closed it, as upstream's <c>rep_pfn_end</c>.
    /// </summary>
    private sealed class RunBuilder(List<VmemmapRun> runs, ulong structs)
    {
        private bool _started;
        private bool _lastMapped;
        private bool _lastHole;
        private ulong _offsetStart; // byte offsets into the vmemmap of the open run and of the entry after the last
        private ulong _offsetEnd;
        private ulong _backing;     // the last mapped entry's backing address (kept across holes, as upstream)
        private ulong _runStart;
        private ulong _runLast;

        /// <summary>Some entry mapped a backing page.</summary>
        public bool Mapped => _started;

        // Unsigned arithmetic wraps as upstream's does (a backing address below 2 MiB makes the
        // "previous" sentinel wrap); checked arithmetic would turn a crafted table into a crash.
        public void Add(ulong? backing)
        {
            unchecked
            {
                _offsetEnd += HugePage;
                var boundary = false;
                var close = false;
                if (backing is { } b)
                {
                    _backing = b;
                    if (!_started || _lastHole)
                    {
                        _runStart = b;
                        _runLast = b - HugePage;
                        _started = true;
                        boundary = _lastHole;
                    }
                    _lastMapped = true;
                    _lastHole = false;
                    if (b != _runLast + HugePage) boundary = close = true;
                }
                else
                {
                    if (_lastMapped) boundary = close = true;
                    _lastMapped = false;
                    _lastHole = true;
                }
                if (boundary)
                {
                    if (close) Emit();
                    _offsetStart = _offsetEnd - HugePage;
                    _runStart = _backing;
                }
                _runLast = _backing;
            }
        }

        public void Finish() => Emit();

        private void Emit() => runs.Add(new VmemmapRun(_runStart >> 12, _runLast >> 12, _offsetStart / structs, unchecked(_offsetEnd - HugePage) / structs));
    }
}
