namespace Kdump.Kernel.Arch.X64;

/// <summary>
/// The x86_64 kernel address-space map for one paging mode (Documentation/arch/x86/x86_64/mm.rst).
/// The bases are the non-randomised defaults: with CONFIG_RANDOMIZE_MEMORY the direct map,
/// vmalloc and vmemmap move, which is why translation walks the page tables and uses these only
/// to name regions in messages and as makedumpfile's last-resort constants.
/// </summary>
public sealed record X64AddressLayout(int Levels, ulong PageOffset, ulong VmallocStart, ulong VmemmapStart)
{
    /// <summary><c>__START_KERNEL_map</c>: the kernel-text mapping, physical <c>phys_base</c> upwards.</summary>
    public const ulong StartKernelMap = 0xffffffff80000000;

    /// <summary>Default <c>KERNEL_IMAGE_SIZE</c> with KASLR (1 GiB) when VMCOREINFO does not export it.</summary>
    public const ulong DefaultKernelImageSize = 1UL << 30;

    /// <summary>4-level paging: 47-bit virtual addresses (Linux ≥ 4.20 direct map base; makedumpfile's fallback is 0xffff880000000000).</summary>
    public static X64AddressLayout FourLevel { get; } = new(4, 0xffff888000000000, 0xffffc90000000000, 0xffffea0000000000);

    /// <summary>5-level paging (<c>NUMBER(pgtable_l5_enabled)=1</c>): 56-bit virtual addresses.</summary>
    public static X64AddressLayout FiveLevel { get; } = new(5, 0xff11000000000000, 0xffa0000000000000, 0xffd4000000000000);

    /// <summary>A human name for the region an address falls in, for messages.</summary>
    public string Classify(ulong address) => address switch
    {
        >= StartKernelMap => "kernel text/data",
        _ when address >= VmemmapStart && address < VmemmapStart + (1UL << (Levels == 5 ? 51 : 42)) => "vmemmap",
        _ when address >= VmallocStart && address < VmemmapStart => "vmalloc",
        _ when address >= PageOffset && address < VmallocStart => "direct map",
        _ => "kernel address",
    };
}
