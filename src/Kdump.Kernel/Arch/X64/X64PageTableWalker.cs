using Kdump.Formats;
using Kdump.Kernel.Memory;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Arch.X64;

/// <summary>
/// Walks the kernel's page tables from the top-level table at physical <paramref name="rootTable"/>:
/// 4 levels (PGD, PUD, PMD, PTE) or 5 (PGD, P4D, …); PSE at PUD means a 1 GiB page, at PMD a
/// 2 MiB page. Entries are little-endian u64; bit 0 is present; address bits are 12–51 minus the
/// AMD SME C-bit (<c>NUMBER(sme_mask)</c>) (makedumpfile <c>arch/x86_64.c:__vtop4_x86_64</c>).
/// </summary>
public sealed class X64PageTableWalker(IPhysicalMemory physical, PhysAddr rootTable, X64AddressLayout layout, ulong smeMask = 0) : IVirtualTranslator
{
    private const ulong Present = 1UL << 0;
    private const ulong PageSizeBit = 1UL << 7;
    private const ulong AddressBits = 0x000ffffffffff000;
    private const int EntryBytes = 8;

    private readonly ulong _entryMask = AddressBits & ~smeMask;

    public string Name => $"x86_64 {layout.Levels}-level page tables";

    public PhysAddr RootTable => rootTable;

    public X64AddressLayout Layout => layout;

    /// <summary>The AMD SME C-bit, cleared from every entry's address.</summary>
    public ulong SmeMask => smeMask;

    public Translation Translate(VirtAddr address) => Translate(address, null);

    /// <summary>
    /// Translates <paramref name="address"/>, adding each entry read to <paramref name="walk"/>
    /// (level name, the entry's physical address, its value): makedumpfile --vtop prints them.
    /// <paramref name="unreadEntry"/> gets the level and address of an entry whose table page
    /// is not in the dump (makedumpfile's messages name it).
    /// </summary>
    public Translation Translate(VirtAddr address, List<(string Level, ulong EntryAddress, ulong Entry)>? walk, Action<string, ulong>? unreadEntry = null)
    {
        var va = address.Value;
        var table = rootTable.Value;
        // Level shifts from the top: 48 (PGD, 5-level only), 39, 30, 21, 12.
        for (var shift = layout.Levels == 5 ? 48 : 39; shift >= 12; shift -= 9)
        {
            var index = (va >> shift) & 511;
            var entryAddress = unchecked(table + index * EntryBytes);
            if (!TryReadEntry(entryAddress, out var entry))
            {
                unreadEntry?.Invoke(LevelName(shift), entryAddress);
                return Translation.Fail(TranslationStatus.TableNotStored,
                    $"{Describe(va)}: the page-table page holding the {LevelName(shift)} entry at physical 0x{entryAddress:x} is not in the dump");
            }
            walk?.Add((LevelName(shift), entryAddress, entry));
            if ((entry & Present) == 0)
                return Translation.Fail(TranslationStatus.NotMapped,
                    $"{Describe(va)}: {LevelName(shift)} entry 0x{entry:x} at physical 0x{entryAddress:x} is not present");
            var isLeaf = shift == 12 || ((shift is 30 or 21) && (entry & PageSizeBit) != 0);
            if (isLeaf)
            {
                var pageBytes = 1UL << shift;
                var offset = va & (pageBytes - 1);
                var frame = entry & _entryMask & ~(pageBytes - 1);
                return Translation.Mapped(new PhysAddr(frame | offset), pageBytes - offset);
            }
            table = entry & _entryMask;
        }
        throw new InvalidOperationException("unreachable: the PTE level is always a leaf");
    }

    private bool TryReadEntry(ulong physicalAddress, out ulong entry)
    {
        Span<byte> b = stackalloc byte[EntryBytes];
        entry = 0;
        if (physical.TryRead(new PhysAddr(physicalAddress), b) != PageReadStatus.Ok) return false;
        entry = new EndianReader(b, DataLayout.LittleEndian64).U64(0);
        return true;
    }

    private string Describe(ulong va) => $"vaddr 0x{va:x} ({layout.Classify(va)})";

    private string LevelName(int shift) => shift switch
    {
        48 => "PGD",
        39 => layout.Levels == 5 ? "P4D" : "PGD",
        30 => "PUD",
        21 => "PMD",
        _ => "PTE",
    };
}
