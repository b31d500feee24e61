using Kdump.Memory;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Memory;

/// <summary>
/// Translation through the dump's own virtual ranges (ELF PT_LOAD <c>p_vaddr</c>), the first range
/// covering the address winning, as kexec-tools' vmcore-dmesg does (<c>util_lib/elf_info.c:vaddr_to_offset</c>).
/// Its direct-map fallback (<c>NUMBER(PAGE_OFFSET)</c> with <c>NUMBER(PHYS_OFFSET)</c> or
/// <c>NUMBER(phys_ram_base)</c>, exported by arm64/riscv) is applied when both are known.
/// </summary>
public sealed class SegmentTranslator(IReadOnlyList<KernelSegment> segments, ulong? pageOffset = null, ulong? physOffset = null) : IVirtualTranslator
{
    public string Name => "program headers";

    public bool HasSegments => segments.Count > 0;

    /// <summary>Picks up the arm64/riscv direct-map exports the way kexec-tools reads them.</summary>
    public static SegmentTranslator FromVmcoreInfo(IReadOnlyList<KernelSegment> segments, VmcoreInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        ulong? pageOffset = info.TryGetNumber("PAGE_OFFSET", out var po) ? unchecked((ulong)po) : null;
        ulong? physOffset = info.TryGetNumber("PHYS_OFFSET", out var pho) ? unchecked((ulong)pho)
            : info.TryGetNumber("phys_ram_base", out var prb) ? unchecked((ulong)prb) : null;
        return new SegmentTranslator(segments, pageOffset, physOffset);
    }

    public Translation Translate(VirtAddr address)
    {
        foreach (var s in segments)
        {
            if (!s.Contains(address)) continue;
            var delta = address.Value - s.VirtualStart.Value;
            return Translation.Mapped(new PhysAddr(unchecked(s.PhysicalStart.Value + delta)), s.SizeBytes - delta);
        }
        if (pageOffset is { } po && physOffset is { } pho && address.Value >= po)
        {
            var physical = unchecked(address.Value - (po - pho));
            foreach (var s in segments)
            {
                if (physical < s.PhysicalStart.Value || physical - s.PhysicalStart.Value >= s.SizeBytes) continue;
                return Translation.Mapped(new PhysAddr(physical), s.SizeBytes - (physical - s.PhysicalStart.Value));
            }
        }
        return Translation.Fail(TranslationStatus.NotMapped, $"No program header covering vaddr 0x{address.Value:x} found");
    }
}
